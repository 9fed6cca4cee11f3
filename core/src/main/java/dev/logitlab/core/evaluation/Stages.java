package dev.logitlab.core.evaluation;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Counts a phase's stages for its listener, and times each, with its passes when metered: the report's timeline. */
final class Stages {

    private final EvaluationListener listener;
    private final int total;
    private final Supplier<Passes> meter;
    private final List<EvaluationReport.Stage> timeline = new ArrayList<>();
    private int done;
    private String current;
    private long started;
    private Passes passesAtStart;

    Stages(EvaluationListener listener, int total) {
        this(listener, total, null);
    }

    /** {@code meter}: the passes counted so far ({@link dev.logitlab.core.model.PassMeter#count}); null: none. */
    Stages(EvaluationListener listener, int total, Supplier<Passes> meter) {
        this.listener = listener == null ? EvaluationListener.NONE : listener;
        this.total = total;
        this.meter = meter;
    }

    void next(String stage) {
        close();
        current = stage;
        started = System.nanoTime();
        passesAtStart = meter == null ? null : meter.get();
        listener.onStage(stage, done++, total);
    }

    void done() {
        close();
        listener.onStage("done", total, total);
    }

    /** Each stage begun so far with its seconds, the current one up to now. */
    List<EvaluationReport.Stage> timeline() {
        return List.copyOf(timeline);
    }

    /** Stages made elsewhere before (measurements made early): in the timeline as they were, counted as done. */
    void skip(List<EvaluationReport.Stage> made) {
        close();
        timeline.addAll(made);
        done += made.size();
    }

    /** Ends the current stage, if any, without starting another. */
    void close() {
        if (current != null) {
            timeline.add(new EvaluationReport.Stage(current, (System.nanoTime() - started) / 1e9,
                    meter == null ? null : meter.get().minus(passesAtStart)));
            current = null;
        }
    }
}

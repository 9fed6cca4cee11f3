package dev.logitlab.core.evaluation;

import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;

/** Counts a phase's stages for its listener, and times each: the report's timeline. */
final class Stages {

    private final EvaluationListener listener;
    private final int total;
    private final List<EvaluationReport.Stage> timeline = new ArrayList<>();
    private int done;
    private String current;
    private long started;

    Stages(EvaluationListener listener, int total) {
        this.listener = listener == null ? EvaluationListener.NONE : listener;
        this.total = total;
    }

    void next(String stage) {
        close();
        current = stage;
        started = System.nanoTime();
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
            timeline.add(new EvaluationReport.Stage(current, (System.nanoTime() - started) / 1e9));
            current = null;
        }
    }
}

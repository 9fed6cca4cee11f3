package dev.logitlab.core.evaluation;

/** Counts a phase's stages for its listener. */
final class Stages {

    private final EvaluationListener listener;
    private final int total;
    private int done;

    Stages(EvaluationListener listener, int total) {
        this.listener = listener == null ? EvaluationListener.NONE : listener;
        this.total = total;
    }

    void next(String stage) {
        listener.onStage(stage, done++, total);
    }

    void done() {
        listener.onStage("done", total, total);
    }
}

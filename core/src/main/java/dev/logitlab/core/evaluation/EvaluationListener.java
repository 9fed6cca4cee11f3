package dev.logitlab.core.evaluation;

/** Hears an evaluation's progress, stage by stage (the CLI draws a bar, the services publish events). */
public interface EvaluationListener {

    EvaluationListener NONE = (stage, done, total) -> {
    };

    /** {@code done} of {@code total} stages finished; {@code stage} names the one starting now. */
    void onStage(String stage, int done, int total);
}

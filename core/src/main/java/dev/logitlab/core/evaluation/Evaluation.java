package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;

/**
 * A whole evaluation in one process ({@code ./lab evaluate}): the attack phase, then the analysis phase. The
 * services split the same two phases between the attack and the analysis service.
 */
public final class Evaluation {

    private final AttackPhase attacks;
    private final AnalysisPhase analysis;
    private final EvaluationListener listener;

    public Evaluation(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate,
                      EvaluationListener listener) {
        this.attacks = new AttackPhase(model, test, plan, surrogate);
        this.analysis = new AnalysisPhase(model, test, plan);
        this.listener = listener == null ? EvaluationListener.NONE : listener;
    }

    public EvaluationReport run(String modelName) {
        return run(modelName, null);
    }

    /** With a journal, the attack phase resumes from the shards it holds ({@link ShardJournal}). */
    public EvaluationReport run(String modelName, ShardJournal journal) {
        int first = attacks.stages();
        int total = first + analysis.stages();
        AttackResults results = attacks.run(modelName, (stage, done, all) -> {
            if (done < all) {
                listener.onStage(stage, done, total);
            }
        }, journal);
        EvaluationReport report = analysis.run(results, (stage, done, all) -> listener.onStage(stage, first + done, total));
        return report.withTimeline(ShardTimes.concat(attacks.lastCompute(), report.timeline()));
    }
}

package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.ShardOutcome;

/**
 * Everything an evaluation computes with the model itself, for one model on one test set under one plan: the
 * arrival checks, each shard's attacks, the measurements on the model alone and the analysis's longer runs. The rest
 * (planning, merging, the masking checks, statistics, verdicts) never runs the model. {@link #inProcess} runs it
 * in this process, for our own checkpoints; a model from outside runs it in a worker behind walls
 * ({@link dev.logitlab.core.sandbox.Sandbox}), since its file is code. A session owns its model: closing it
 * closes the model (or its worker).
 */
public interface ModelSession extends AutoCloseable {

    /** The evaluation's shards: they depend on the plan and the test set's size only. */
    ShardPlan shards();

    /** The model's name, and the data set's, for reports. */
    String description();

    String dataset();

    /** How many forward passes one of the model's logits costs: the EOT draws of a randomized model, else 1. */
    int draws();

    /** The contract a model from outside must keep ({@link dev.logitlab.core.model.ModelContract}). */
    void checkContract();

    /** One shard, as {@link AttackPhase#run(ShardPlan.Shard, String)}. */
    ShardOutcome run(ShardPlan.Shard shard, String attacked);

    /** The measurements on the model alone, as {@link AnalysisPhase#measure}. */
    ModelMeasurements measure(EvaluationListener listener);

    /** What the analysis finds with the model once the attacks are in, as {@link AnalysisPhase#findings}. */
    AnalysisPhase.Findings findings(AttackResults attacks, ModelMeasurements measured, EvaluationListener listener);

    @Override
    void close();

    /** The session of a model this process may run: ours, or one its user chose to trust. */
    static ModelSession inProcess(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate) {
        return new InProcessSession(model, test, plan, surrogate);
    }
}

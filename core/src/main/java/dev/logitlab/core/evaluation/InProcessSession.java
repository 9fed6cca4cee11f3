package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.ModelContract;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.ShardOutcome;

/**
 * A model run in this process: the phases are made when first needed (each probes the model for randomness), so a
 * model that breaks its contract is refused before anything else runs it.
 */
final class InProcessSession implements ModelSession {

    private final Classifier model;
    private final Classifier surrogate;
    private final Dataset test;
    private final EvaluationPlan plan;
    private final ShardPlan shards;
    private AttackPhase attacks;
    private AnalysisPhase analysis;

    InProcessSession(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate) {
        this.model = model;
        this.surrogate = surrogate;
        this.test = test;
        this.plan = plan;
        this.shards = surrogate == null ? AttackPhase.plan(plan, test) : attacks().shards();
    }

    @Override
    public ShardPlan shards() {
        return shards;
    }

    @Override
    public String description() {
        return model.description();
    }

    @Override
    public String dataset() {
        return test.baseName();
    }

    @Override
    public int draws() {
        return attacks().draws();
    }

    @Override
    public void checkContract() {
        ModelContract.check(model, test);
    }

    @Override
    public ShardOutcome run(ShardPlan.Shard shard, String attacked) {
        return attacks().run(shard, attacked);
    }

    @Override
    public ModelMeasurements measure(EvaluationListener listener) {
        return analysis().measure(listener);
    }

    @Override
    public AnalysisPhase.Findings findings(AttackResults results, ModelMeasurements measured, EvaluationListener listener) {
        return analysis().findings(results, measured, listener);
    }

    private AttackPhase attacks() {
        if (attacks == null) {
            attacks = new AttackPhase(model, test, plan, surrogate);
        }
        return attacks;
    }

    private AnalysisPhase analysis() {
        if (analysis == null) {
            analysis = new AnalysisPhase(model, test, plan);
        }
        return analysis;
    }

    @Override
    public void close() {
        model.close();
        if (surrogate != null) {
            surrogate.close();
        }
    }
}

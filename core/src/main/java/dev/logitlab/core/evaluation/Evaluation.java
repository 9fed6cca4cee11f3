package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole evaluation in one process ({@code ./lab evaluate}): every shard in turn, the merge, then the analysis.
 * The services split the same two phases between the attack and the analysis service. The model is run through its
 * {@link ModelSession}, here or in a sandboxed worker.
 */
public final class Evaluation {

    private final ModelSession session;
    private final EvaluationPlan plan;
    private final EvaluationListener listener;

    /** An evaluation of a model this process may run; the caller keeps the model and closes it. */
    public Evaluation(Classifier model, Dataset test, EvaluationPlan plan, Classifier surrogate,
                      EvaluationListener listener) {
        this(ModelSession.inProcess(model, test, plan, surrogate), listener);
    }

    /** An evaluation through a session, which its caller closes. */
    public Evaluation(ModelSession session, EvaluationListener listener) {
        this.session = session;
        this.plan = session.shards().plan();
        this.listener = listener == null ? EvaluationListener.NONE : listener;
    }

    public EvaluationReport run(String modelName) {
        return run(modelName, null);
    }

    /**
     * With a journal, the shards it holds are taken from it and every shard run is written to it as soon as it is
     * done ({@link ShardJournal}): the same command after a crash runs only what is missing.
     */
    public EvaluationReport run(String modelName, ShardJournal journal) {
        Map<Integer, ShardOutcome> outcomes = new HashMap<>(journal == null ? Map.of() : journal.done());
        AttackResults results = attack(modelName, outcomes, journal);
        int first = session.shards().shards().size();
        int total = first + AnalysisPhase.stages(plan);
        AnalysisPhase.Findings findings = session.findings(results, null,
                (stage, done, all) -> listener.onStage(stage, first + done, total));
        EvaluationReport report = AnalysisPhase.conclude(plan, results, findings);
        return report.withTimeline(ShardTimes.concat(ShardTimes.compute(session.shards(), outcomes), report.timeline()));
    }

    /** The attack phase alone: every shard in turn, then the merge. */
    public AttackResults attack(String modelName) {
        return attack(modelName, null);
    }

    /** The attack phase alone, resuming from {@code journal} (null: none) and writing each shard to it. */
    public AttackResults attack(String modelName, ShardJournal journal) {
        return attack(modelName, new HashMap<>(journal == null ? Map.of() : journal.done()), journal);
    }

    /** Runs the shards {@code outcomes} lacks, in turn, adding them to it (and to the journal, if any). */
    private AttackResults attack(String modelName, Map<Integer, ShardOutcome> outcomes, ShardJournal journal) {
        ShardPlan shards = session.shards();
        int first = shards.shards().size();
        int total = first + AnalysisPhase.stages(plan);
        Stages stages = new Stages((stage, done, all) -> {
            if (done < all) {
                listener.onStage(stage, done, total);
            }
        }, first);
        // wave by wave: targeted attacks after the untargeted ones, gradient-free ones last, each on what was left
        for (int wave = 0; wave <= ShardPlan.LAST_WAVE; wave++) {
            for (ShardPlan.Shard shard : shards.shards()) {
                if (shards.wave(shard) == wave) {
                    stages.next(shard.attackName() + " " + shard.budget() + " [" + shard.from() + ", " + shard.to() + ")");
                    if (outcomes.containsKey(shard.index())) {
                        continue;
                    }
                    ShardOutcome outcome = session.run(shard, wave > 0 ? Survivors.of(shards, shard, outcomes) : null);
                    outcomes.put(shard.index(), outcome);
                    if (journal != null) {
                        journal.record(outcome);
                    }
                }
            }
        }
        stages.done();
        return WorstCaseMerge.merge(shards, modelName, session.dataset(), outcomes);
    }
}

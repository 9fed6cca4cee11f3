package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every shard, cascade stage, attack run and timeline stage says what it cost in passes, counted exactly. */
class PassesCountedTest {

    @Test
    void anFgsmShardCostsFourForwardAndOneBackwardPassPerExample() {
        // the shard's clean pass (n), FGSM's gradient (n forward, n backward), its clean and adversarial logits (2n)
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm", 40, 0, 0);
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        for (Shard s : phase.shards().shards()) {
            if (s.kind() == ShardPlan.Kind.ATTACK) {
                long n = s.to() - s.from();
                assertEquals(new Passes(4 * n, n), phase.run(s, null).passes(), s.toString());
            }
        }
    }

    @Test
    void aCascadesStagesAddUpToItsShardAndTheFirstCarriesTheCleanPass() {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm>pgd:steps=3", 40, 0, 0);
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        Shard shard = phase.shards().shards().stream().filter(s -> s.kind() == ShardPlan.Kind.CASCADE).findFirst()
                .orElseThrow();
        ShardOutcome outcome = phase.run(shard, null);
        long n = shard.to() - shard.from();
        // FGSM ran on the examples classified correctly: those whose first stage is not 'x'
        long attacked = outcome.cascade().get(0).robust().chars().filter(c -> c != 'x').count();
        assertEquals(new Passes(n + 3 * attacked, attacked), outcome.cascade().get(0).passes());
        assertEquals(outcome.passes(), Passes.sum(outcome.cascade().stream().map(ShardOutcome.Stage::passes).toList()));
        // PGD, on what FGSM left: at most 3 gradient steps and a check per step, plus the start, on each
        long left = outcome.cascade().get(0).robust().chars().filter(c -> c == '1').count();
        Passes pgd = outcome.cascade().get(1).passes();
        assertTrue(pgd.backward() > 0 && pgd.backward() <= 3 * left, pgd.toString());
    }

    @Test
    void theReportCountsEveryAttackAndStageAndTheirSumIsTheWhole() {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=3", 40, 0, 0);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        for (Shard s : phase.shards().shards()) {
            outcomes.put(s.index(), phase.run(s, null));
        }
        AttackResults results = WorstCaseMerge.merge(phase.shards(), "m", "fashion-mnist", outcomes);
        EvaluationReport.AttackRun fgsm = results.attacks().get(0);
        assertEquals(new Passes(4 * 40, 40), fgsm.passes(), "FGSM over all its shards");
        Passes shards = Passes.sum(outcomes.values().stream().map(ShardOutcome::passes).toList());
        List<EvaluationReport.Stage> timeline = ShardTimes.compute(phase.shards(), outcomes);
        assertEquals(shards, Passes.sum(timeline.stream().map(EvaluationReport.Stage::passes).toList()),
                "the attack stages of the timeline add up to every shard's passes");

        EvaluationReport report = new Evaluation(model, test, plan, null, null).run("m");
        for (EvaluationReport.Stage stage : report.timeline()) {
            assertNotNull(stage.passes(), stage.name());
        }
        EvaluationReport.Stage checks = report.timeline().get(report.timeline().size() - 1);
        assertEquals(Passes.NONE, checks.passes(), "the masking checks run no model: " + checks.name());
    }
}

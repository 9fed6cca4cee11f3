package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Kind;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cascades ({@code a>b}, the autoattack suite): each attack only on what the earlier ones left robust. */
class CascadeTest {

    @Test
    void theAutoattackSuiteIsOneCascadeShardPerRangeAndBudget() {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1, 0.2), "autoattack", 100, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 100);
        List<Shard> cascade = shards.shards().stream().filter(s -> s.kind() == Kind.CASCADE).toList();
        // APGD-T's 9 × 100 steps size the shards: 20 examples each, 5 ranges per ε
        assertEquals(10, cascade.size());
        assertTrue(cascade.stream().allMatch(s -> s.attackName().equals("apgd-ce>apgd-t>fab-t>square")));
        assertTrue(shards.shards().stream().noneMatch(s -> s.kind() == Kind.ATTACK));
        assertEquals(List.of(0, 1, 2, 3), shards.chain(dev.logitlab.core.attack.Norm.LINF));

        EvaluationPlan independent = new EvaluationPlan(List.of(0.1), "default", 100, 0, 0);
        assertTrue(new ShardPlan(independent, AttackSuite.parse("default", null), 100).shards().stream()
                .noneMatch(s -> s.kind() == Kind.CASCADE), "the default suite runs every attack on every example");
        var mixed = assertThrows(IllegalArgumentException.class, () -> AttackSuite.parse("fgsm,pgd>square", null));
        assertTrue(mixed.getMessage().contains("not both"), mixed.getMessage());
    }

    @Test
    void eachAttacksRowIsTheRobustAccuracyAfterItAndTheStagesMustAllBeThere() {
        // 4 examples, example 0 misclassified; apgd-ce breaks 2, apgd-t then breaks 1 of the 2 left, fab-t none,
        // square the last one.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "autoattack", 4, 7, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 4);
        List<ShardOutcome.Stage> stages = List.of(new ShardOutcome.Stage("x011", 1, null),
                new ShardOutcome.Stage("x-01", 2, null), new ShardOutcome.Stage("x--1", 3, null),
                new ShardOutcome.Stage("x--0", 4, null));
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shards.shards()) {
            outcomes.put(s.index(), s.kind() == Kind.CASCADE ? new ShardOutcome(s.index(), "x000", 10, stages, null, null)
                    : new ShardOutcome(s.index(), "x000", 0.5));
        }
        AttackResults results = WorstCaseMerge.merge(shards, "m", "d", outcomes);
        assertEquals(List.of(0.5, 0.25, 0.25, 0.0), results.attacks().stream().map(a -> a.robustAccuracy()).toList());
        assertEquals(List.of("x011", "x001", "x001", "x000"), results.attacks().stream().map(a -> a.robust()).toList());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), results.attacks().stream().map(a -> a.seconds()).toList());
        assertEquals(0.0, results.worstCase().get(0).robustAccuracy());

        int first = shards.shards().stream().filter(s -> s.kind() == Kind.CASCADE).findFirst().orElseThrow().index();
        outcomes.put(first, new ShardOutcome(first, "x000", 10, stages.subList(0, 3), null, null));
        var error = assertThrows(IllegalArgumentException.class, () -> WorstCaseMerge.merge(shards, "m", "d", outcomes));
        assertTrue(error.getMessage().contains("3 cascade stages, the plan 4"), error.getMessage());
    }

    @Test
    void laterAttacksRunOnlyOnWhatTheEarlierLeftAndTheWorstCaseIsTheLastStage() {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm>pgd:steps=5>square:queries=30", 60, 3, 0);
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        Shard shard = phase.shards().shards().stream().filter(s -> s.kind() == Kind.CASCADE).findFirst().orElseThrow();
        ShardOutcome outcome = phase.run(shard, null);
        List<ShardOutcome.Stage> stages = outcome.cascade();
        assertEquals(3, stages.size());
        for (int k = 1; k < stages.size(); k++) {
            String before = stages.get(k - 1).robust();
            String now = stages.get(k).robust();
            for (int i = 0; i < now.length(); i++) {
                boolean brokenBefore = before.charAt(i) == '0' || before.charAt(i) == '-';
                assertEquals(brokenBefore, now.charAt(i) == '-', "stage " + k + ", example " + i + ": " + before + " / " + now);
            }
        }
        assertTrue(stages.get(0).robust().contains("0"), "FGSM breaks some examples, which PGD then skips");
        assertEquals(stages.get(2).robust().replace('-', '0'), outcome.robust());

        AttackResults results = new Evaluation(model, test, plan, null, null).attack("m");
        var rows = results.attacks();
        assertTrue(rows.get(0).robustAccuracy() >= rows.get(1).robustAccuracy()
                && rows.get(1).robustAccuracy() >= rows.get(2).robustAccuracy(), "cumulative rows never rise");
        // The worst case is the last stage's, less what the ε sweep's PGD-20 broke beyond the 5-step PGD.
        EvaluationReport.WorstCase worst = results.worstCase().get(0);
        assertEquals(rows.get(2).robust().chars().filter(c -> c == '0').count(), (long) worst.foundBy().get("attacks"));
        assertEquals(rows.get(2).robustAccuracy() - worst.foundBy().getOrDefault("the ε sweep", 0) / 60.0,
                worst.robustAccuracy(), 1e-12);
    }
}

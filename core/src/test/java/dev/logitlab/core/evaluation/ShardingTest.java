package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Kind;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ShardOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sharded evaluation: the plan's layout, the worst-case merge on outcomes written by hand, and shards in any order. */
class ShardingTest {

    @Test
    void thePlanCoversEveryAttackEpsilonAndExampleOnceAndAddsTheSweepAndTheUnboundedRun() {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1, 0.05), "fgsm,pgd", 250, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 250);
        // fgsm (3 passes an example) takes all 250 in one shard, pgd-20 (60) 100 a shard: per ε 1 + 3 shards;
        // the sweep at {0.025, 0.2, 0.4} (0.05 and 0.1 reuse the plan's pgd) × 3; the unbounded run × 3.
        assertEquals(2 * (1 + 3) + 9 + 3, shards.shards().size());
        assertEquals(List.of(0.025, 0.05, 0.1, 0.2, 0.4), shards.sweepEps());
        for (int i = 0; i < shards.shards().size(); i++) {
            assertEquals(i, shards.shard(i).index());
        }
        List<Shard> pgdAt01 = shards.shards().stream()
                .filter(s -> s.kind() == Kind.ATTACK && s.attackName().equals("pgd") && s.eps() == 0.1).toList();
        assertEquals(List.of(0, 100, 200), pgdAt01.stream().map(Shard::from).toList());
        assertEquals(List.of(100, 200, 250), pgdAt01.stream().map(Shard::to).toList());
        assertTrue(shards.shards().stream().filter(s -> s.kind() == Kind.SWEEP).noneMatch(s -> s.eps() == 0.05 || s.eps() == 0.1));
    }

    @Test
    void aGradientFreeAttackAfterTheGradientAttacksTakesFiveTimesTheRangeItWouldAlone() {
        // square:queries=300 alone: 20 examples a shard; after pgd it sees only pgd's survivors, so 100 a shard.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "pgd,square:queries=300", 250, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 250);
        List<Shard> square = shards.shards().stream().filter(s -> s.attackName().startsWith("square")).toList();
        assertEquals(List.of(0, 100, 200), square.stream().map(Shard::from).toList());
        assertTrue(square.stream().allMatch(shards::survivorsOnly));
        EvaluationPlan alone = new EvaluationPlan(List.of(0.1), "square:queries=300", 250, 0, 0);
        assertEquals(250 / 20 + 1, new ShardPlan(alone, AttackSuite.parse(alone.attacks(), null), 250).shards().stream()
                .filter(s -> s.attackName().startsWith("square")).count(), "no gradient attack: the range of its cost");
    }

    @Test
    void l2BudgetsRunEveryAttackInL2AndKeepTheirOwnWorstCase() {
        // 4 examples; fgsm and pgd at ℓ∞ 0.1 and at ℓ2 0.5 and 1: the ℓ2 runs break more.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), List.of(1.0, 0.5), "fgsm,pgd", 4, 7, 0);
        ShardPlan shards = AttackPhase.plan(plan, dev.logitlab.core.data.SyntheticDataset.separable(4, 1));
        assertEquals(List.of("linf", "linf", "l2", "l2"), shards.attacks().stream().map(a -> a.norm().label()).toList());
        List<Shard> l2 = shards.shards().stream().filter(s -> s.norm() == Norm.L2).toList();
        assertEquals(4, l2.size(), "fgsm and pgd at two ℓ2 budgets, one shard each");
        assertTrue(l2.stream().allMatch(s -> s.kind() == Kind.ATTACK), "the sweep and the unbounded run stay ℓ∞");
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shards.shards()) {
            String robust = s.kind() == Kind.UNBOUNDED ? "x000" : s.kind() == Kind.SWEEP ? "x111"
                    : s.norm() == Norm.LINF ? "x111" : s.eps() == 0.5 ? (s.attackName().equals("fgsm") ? "x011" : "x101") : "x001";
            outcomes.put(s.index(), new ShardOutcome(s.index(), robust, 0.25));
        }
        AttackResults results = WorstCaseMerge.merge(shards, "m", "d", outcomes);
        assertEquals(List.of("linf ε=0.1 0.75", "l2 ℓ2 ε=0.5 0.25", "l2 ℓ2 ε=1 0.25"), results.worstCase().stream()
                .map(w -> w.norm() + " " + w.budget() + " " + w.robustAccuracy()).toList());
        assertEquals(6, results.attacks().size());
        assertEquals("l2", results.attacks().get(2).norm());
        assertEquals("l2", results.attacks().get(2).params().get("norm"), "params name the norm too");
    }

    @Test
    void l2BudgetsAreCheckedAndNamedInErrors() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> new EvaluationPlan(List.of(0.1), List.of(0.5, -1.0), "pgd", 10, 0, 0));
        assertTrue(error.getMessage().startsWith("epsL2:"), error.getMessage());
        assertEquals(List.of(0.5, 2.0), new EvaluationPlan(List.of(0.1), List.of(2.0, 0.5, 2.0), "pgd", 10, 0, 0).epsL2());
    }

    @Test
    void shardsAreSizedByTheAttacksCostSoThatEachIsAboutTheSameWork() {
        // work per shard 6000 forward-pass equivalents, in tens of examples, between 20 and 500
        assertEquals(500, ShardPlan.examplesPerShard(AttackSuite.parse("fgsm", null).get(0)));          // 3 an example
        assertEquals(100, ShardPlan.examplesPerShard(AttackSuite.parse("pgd", null).get(0)));           // 60
        assertEquals(40, ShardPlan.examplesPerShard(AttackSuite.parse("apgd-ce:steps=50", null).get(0))); // 150
        assertEquals(20, ShardPlan.examplesPerShard(AttackSuite.parse("apgd-t:steps=100", null).get(0))); // 2700: floor
        assertEquals(20, ShardPlan.examplesPerShard(AttackSuite.parse("square:queries=300", null).get(0))); // 300
        assertEquals(300, ShardPlan.examplesPerShard(AttackSuite.parse("noise:draws=20", null).get(0)));
        assertEquals(60, ShardPlan.examplesPerShard(AttackSuite.parse("pgd:steps=10:restarts=3", null).get(0)));
    }

    @Test
    void theWorstCaseIsPerExampleNotTheMinimumOfTheAttacksMeans() {
        // 4 examples, one shard per (attack, ε): example 0 misclassified, fgsm breaks 1, pgd breaks 2.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd", 4, 7, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 4);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shards.shards()) {
            String robust = s.kind() == Kind.ATTACK ? (s.attackName().equals("fgsm") ? "x011" : "x101")
                    : s.kind() == Kind.UNBOUNDED ? "x000" : "x111";
            outcomes.put(s.index(), new ShardOutcome(s.index(), robust, 0.5));
        }
        AttackResults results = WorstCaseMerge.merge(shards, "m", "d", outcomes);
        assertEquals("x111", results.clean());
        assertEquals(0.5, results.attacks().get(0).robustAccuracy()); // each attack alone leaves 2 of 4
        assertEquals(0.5, results.attacks().get(1).robustAccuracy());
        assertEquals(0.25, results.worstCase().get(0).robustAccuracy()); // together only example 3 stands
        assertEquals(0.5, results.attacks().get(0).seconds());
        assertEquals(0.0, results.unbounded().robustAccuracy());
        // the sweep reuses the plan's pgd at ε = 0.1 and reads sweep shards elsewhere
        results.sweep().forEach(p -> assertEquals(p.eps() == 0.1 ? 0.5 : 0.75, p.robustAccuracy(), "ε=" + p.eps()));

        outcomes.remove(3);
        assertThrows(IllegalArgumentException.class, () -> WorstCaseMerge.merge(shards, "m", "d", outcomes));
    }

    @Test
    void aBreakAtASmallerEpsilonOrOnTheSweepCountsAtEveryLargerBudget() {
        // 5 examples, FGSM at ε = 0.05 and 0.1: FGSM is not monotone, at 0.05 it breaks example 1, at 0.1 only 2.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.05, 0.1), "fgsm", 5, 7, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 5);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shards.shards()) {
            // The sweep's PGD (no PGD in the suite, so it runs at both budgets too) breaks example 3 at 0.025 only.
            String robust = s.kind() == Kind.ATTACK ? (s.eps() == 0.05 ? "x0111" : "x1011")
                    : s.kind() == Kind.UNBOUNDED ? "x0000" : s.eps() == 0.025 ? "x1101" : "x1111";
            outcomes.put(s.index(), new ShardOutcome(s.index(), robust, 0.5));
        }
        AttackResults results = WorstCaseMerge.merge(shards, "m", "d", outcomes);
        EvaluationReport.WorstCase small = results.worstCase().get(0);
        EvaluationReport.WorstCase large = results.worstCase().get(1);
        assertEquals("x0101", small.robust());
        assertEquals(Map.of("attacks", 1, "the ε sweep", 1), small.foundBy());
        assertEquals("x0001", large.robust(), "what broke at 0.05 or on the sweep at 0.025 is broken at 0.1");
        assertEquals(List.of("attacks", "a smaller ε", "the ε sweep"), List.copyOf(large.foundBy().keySet()));
        assertEquals(Map.of("attacks", 1, "a smaller ε", 1, "the ε sweep", 1), large.foundBy());
        assertEquals(0.2, large.robustAccuracy(), "accuracies are over every example, misclassified ones too");
        assertEquals(0.6, results.attacks().get(1).robustAccuracy(), "the attack's own row is its own outcomes");
    }

    @Test
    void shardsRunInAnyOrderGiveTheSameResultsAsOneRunInTurn() {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=3,noise:draws=2", 150, 3, 0);
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        AttackResults inTurn = new Evaluation(model, test, plan, null, null).attack("m");

        List<Shard> shuffled = new ArrayList<>(phase.shards().shards());
        Collections.shuffle(shuffled, new Random(1));
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shuffled) {
            if (!phase.shards().survivorsOnly(s)) {
                outcomes.put(s.index(), new AttackPhase(model, test, plan, null).run(s, null));
            }
        }
        // the gradient-free shards, in any order too, once the gradient shards of their budget are in
        for (Shard s : shuffled) {
            if (phase.shards().survivorsOnly(s)) {
                String mask = Survivors.of(phase.shards(), s, outcomes);
                outcomes.put(s.index(), new AttackPhase(model, test, plan, null).run(s, mask));
            }
        }
        AttackResults anyOrder = WorstCaseMerge.merge(AttackPhase.plan(plan, test), "m", "fashion-mnist", outcomes);
        assertEquals(inTurn.clean(), anyOrder.clean());
        assertEquals(inTurn.worstCase(), anyOrder.worstCase());
        assertEquals(inTurn.sweep(), anyOrder.sweep());
        assertEquals(inTurn.unbounded(), anyOrder.unbounded());
        for (int i = 0; i < inTurn.attacks().size(); i++) {
            assertEquals(inTurn.attacks().get(i).robust(), anyOrder.attacks().get(i).robust());
        }
        assertTrue(inTurn.worstCase().get(0).robustAccuracy() < inTurn.cleanAccuracy(), "the attacks break something");
    }
}

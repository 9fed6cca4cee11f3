package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.events.EvaluationReport.Stage;
import dev.logitlab.events.Passes;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attack phase's timeline, on outcomes written by hand: each attack's compute summed over shards and budgets. */
class ShardTimesTest {

    @Test
    void eachAttacksComputeIsTheSumOfItsShardsAtEveryBudgetAndTheSweepAndUnboundedRunStandApart() {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1, 0.05), "fgsm,pgd", 250, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 250);
        // Layout (ShardingTest): per ε one fgsm shard and 3 pgd shards; 9 sweep and 3 unbounded shards.
        // Shard i takes i + 1 seconds, so every sum below is known in closed form.
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        double fgsm = 0;
        double pgd = 0;
        double sweep = 0;
        double unbounded = 0;
        for (ShardPlan.Shard s : shards.shards()) {
            double seconds = s.index() + 1;
            outcomes.put(s.index(), new ShardOutcome(s.index(), "1".repeat(s.to() - s.from()), seconds));
            switch (s.kind()) {
                case ATTACK -> {
                    if (s.attackName().equals("fgsm")) {
                        fgsm += seconds;
                    } else {
                        pgd += seconds;
                    }
                }
                case SWEEP -> sweep += seconds;
                case UNBOUNDED -> unbounded += seconds;
                default -> throw new IllegalStateException();
            }
        }
        List<Stage> timeline = ShardTimes.compute(shards, outcomes);
        assertEquals(List.of("attack fgsm", "attack pgd", "ε sweep (PGD-20, masking checks)",
                "unbounded run (PGD-margin at ε=1, masking checks)"), timeline.stream().map(Stage::name).toList());
        assertEquals(List.of(fgsm, pgd, sweep, unbounded), timeline.stream().map(Stage::seconds).toList());
        // 2 + 5 + 12 + 16 + 20 + 24 + 28 + 32 + 36 + … : every shard counted once, whatever its kind
        int n = shards.shards().size();
        assertEquals(n * (n + 1) / 2.0, timeline.stream().mapToDouble(Stage::seconds).sum(), 1e-9);
    }

    @Test
    void aCascadeShardCountsEachStageToItsOwnAttack() {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm>pgd", 20, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 20);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (ShardPlan.Shard s : shards.shards()) {
            String robust = "1".repeat(s.to() - s.from());
            outcomes.put(s.index(), s.kind() == ShardPlan.Kind.CASCADE
                    ? new ShardOutcome(s.index(), robust, 7, List.of(new ShardOutcome.Stage(robust, 2, new Passes(30, 10)),
                            new ShardOutcome.Stage(robust, 5, new Passes(200, 190))), null, new Passes(230, 200))
                    : new ShardOutcome(s.index(), robust, 1, null, null, new Passes(100, 90)));
        }
        Map<String, Stage> byName = new HashMap<>();
        ShardTimes.compute(shards, outcomes).forEach(s -> byName.put(s.name(), s));
        assertEquals(2.0, byName.get("attack fgsm").seconds());
        assertEquals(5.0, byName.get("attack pgd").seconds());
        // one cascade shard (20 examples, one budget): each stage's passes to its attack, as the shard counted them
        assertEquals(new Passes(30, 10), byName.get("attack fgsm").passes());
        assertEquals(new Passes(200, 190), byName.get("attack pgd").passes());
        // every other shard counted 100 forward and 90 backward
        long others = shards.shards().stream().filter(s -> s.kind() != ShardPlan.Kind.CASCADE).count();
        assertEquals(new Passes(100 * others, 90 * others), Passes.sum(byName.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("attack")).map(e -> e.getValue().passes()).toList()));
    }

    @Test
    void aStageSomeOfWhoseShardsDidNotCountHasNoPasses() {
        // outcomes written before passes were counted beside ones after: the sum would be too low, so it is null
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm", 20, 0, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 20);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (ShardPlan.Shard s : shards.shards()) {
            String robust = "1".repeat(s.to() - s.from());
            outcomes.put(s.index(), s.index() == 0 ? new ShardOutcome(s.index(), robust, 1)
                    : new ShardOutcome(s.index(), robust, 1, null, null, new Passes(20, 20)));
        }
        Map<String, Stage> byName = new HashMap<>();
        ShardTimes.compute(shards, outcomes).forEach(st -> byName.put(st.name(), st));
        String first = "attack " + shards.shards().get(0).attackName();
        assertEquals(null, byName.get(first).passes(), "shard 0 did not count: its stage has no sum");
        long sweep = shards.shards().stream().filter(sh -> sh.kind() == ShardPlan.Kind.SWEEP).count();
        assertEquals(new Passes(20 * sweep, 20 * sweep), byName.get("ε sweep (PGD-20, masking checks)").passes());
    }
}

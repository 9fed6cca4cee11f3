package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.evaluation.AttackPhase;
import dev.logitlab.core.evaluation.EvaluationPlan;
import dev.logitlab.core.evaluation.ShardPlan;
import dev.logitlab.core.model.Classifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An attack is one class and one registry line; the parser, the limits and the shard planner need nothing else. */
class AttackRegistryTest {

    /** The toy: breaks nothing, costs {@code queries} forward passes an example, never differentiates. */
    record Toy(Norm norm, int queries) implements Attack {
        @Override
        public String name() {
            return "toy";
        }

        @Override
        public Map<String, Object> params(double epsilon) {
            return Map.of("queries", queries);
        }

        @Override
        public double cost() {
            return queries;
        }

        @Override
        public boolean usesGradients() {
            return false;
        }

        @Override
        public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
            return new boolean[labels.length];
        }
    }

    @Test
    void aToyAttackRegisteredInOneLineIsParsedLimitedAndShardedByItsCost() {
        AttackRegistry.register("toy", List.of("queries=100"), true, (o, norm, s) -> new Toy(norm, o.whole("queries")));

        List<Attack> parsed = AttackSuite.parse("toy:queries=300,fgsm", null, Norm.L2);
        assertEquals(new Toy(Norm.L2, 300), parsed.get(0));
        assertEquals(new Toy(Norm.LINF, 100), AttackSuite.parse("toy", null).get(0), "the registry's default");
        assertFalse(AttackSuite.usesGradients("toy"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttackSuite.parse("toy:steps=3", null))
                .getMessage().contains("toy takes queries"));
        assertEquals("attack-queries", assertThrows(CostLimits.Exceeded.class, () -> AttackSuite.validate(
                "toy:queries=20001", false, CostLimits.DEFAULTS)).limit(), "its cost option is capped like Square's");
        // 6000 forward passes a shard: 300 queries an example → 20 examples a shard
        ShardPlan shards = AttackPhase.planWithin(new EvaluationPlan(List.of(0.1), "toy:queries=300", 100, 0, 0), 100,
                10, CostLimits.DEFAULTS, 1);
        assertEquals(5, shards.shards().stream().filter(s -> s.attackName().equals("toy")).count());
    }

    @Test
    void theAttackReferenceDocumentsEveryRegisteredAttack() throws Exception {
        String reference = Files.readString(Path.of("../docs/attacks.md"));
        for (AttackRegistry.Entry entry : AttackRegistry.all()) {
            if (!entry.name().equals("toy")) {
                assertTrue(reference.contains("`" + entry.name() + "`"), entry.name() + " is in docs/attacks.md");
                for (String option : entry.optionNames()) {
                    assertTrue(reference.contains("`" + option + "`"), entry.name() + "'s " + option + " is documented");
                }
            }
        }
    }
}

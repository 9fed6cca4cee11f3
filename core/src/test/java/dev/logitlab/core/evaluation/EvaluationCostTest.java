package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.CostLimits;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.attack.Pgd;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Deadline;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.testing.Models;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a caller may make an evaluation cost: every cost option capped, the planned work budgeted, shards timed out. */
class EvaluationCostTest {

    private static final EvaluationPlan FGSM = new EvaluationPlan(List.of(0.1), "fgsm", 100, 0, 0);

    @Test
    void theWorkOfAPlanIsEveryShardsExamplesTimesItsAttacksCost() {
        // fgsm (3 passes) on 100 examples; no pgd in the plan, so the sweep runs PGD-20 (60 passes) at all five of
        // 0.025, 0.05, 0.1, 0.2, 0.4; the unbounded run is PGD-20 too, and a pass to check its point clipped into the
        // budget: 300 + 5 · 6000 + 6100.
        ShardPlan shards = new ShardPlan(FGSM, AttackSuite.parse(FGSM.attacks(), null), 100);
        assertEquals(36_400, shards.work(), 1e-9);
        // a cascade counts every stage on every example: (3 + 60) · 100 for the chain, the sweep and unbounded as above.
        EvaluationPlan cascade = new EvaluationPlan(List.of(0.1), "fgsm>pgd", 100, 0, 0);
        assertEquals(6_300 + 36_100, new ShardPlan(cascade, AttackSuite.parse(cascade.attacks(), null), 100).work(), 1e-9);
    }

    @Test
    void theAnalysisIsCountedBeforeAnythingRunsAsTheShardsAre() {
        // on 100 examples without gap statistics: the randomness probe (2 · 100), the clean pass and the probes
        // (100 · (1 + 1 + 2 + 3)); the binarization test on 10 examples (100 + 1 points and FGSM's 3 each); the longer
        // runs on 100 examples (3 · (20 + 1 + 100) + 2); Square's escalation at 4 × 250 queries on every example
        assertEquals(900 + 1_040 + 36_500 + 100_000, AnalysisCost.of(FGSM, 100, 10, AttackSuite.parse("fgsm", null)),
                1e-9);
        // gap statistics on 20 examples (1 + 3 · 10 passes each), FGSM's minimal ε (3 + 14 probes), PGD-20's (14 runs
        // of 60 + 2) and FMN's (3 · 101) on the 5 searched
        EvaluationPlan gaps = new EvaluationPlan(List.of(0.1), List.of(), "fgsm", 100, 0, 20, 5);
        assertEquals(900 + 1_040 + 36_500 + 100_000 + 20 * 31 + 20 * 17 + 5 * 14 * 62 + 5 * 303,
                AnalysisCost.of(gaps, 100, 10, AttackSuite.parse("fgsm", null)), 1e-9);
    }

    @Test
    void aPlanOverAnyLimitIsRefusedWithTheLimitNamedAndOneAtItsLimitPasses() {
        // the shards' 36,400 and the analysis's 138,440
        CostLimits exact = new CostLimits(20, 1, 1000, 32, 9, 20, 100, 1, 174_840);
        assertDoesNotThrow(() -> AttackPhase.planWithin(FGSM, 100, 10, exact, 1));
        assertEquals("evaluation-work", refused(FGSM, 100, exact, 2).limit(), "EOT draws multiply the work");
        assertEquals("evaluation-images", refused(FGSM, 101, exact, 1).limit());
        assertEquals("budgets", refused(new EvaluationPlan(List.of(0.1, 0.2), "fgsm", 100, 0, 0), 100, exact, 1).limit());
        CostLimits.Exceeded steps = refused(new EvaluationPlan(List.of(0.1), "pgd:steps=21", 100, 0, 0), 100, exact, 1);
        assertEquals("attack-steps", steps.limit());
        assertTrue(steps.getMessage().startsWith("attack 'pgd:steps=21': steps = 21 is over the limit of 20"),
                steps.getMessage());
        assertTrue(steps.getMessage().endsWith("(logitlab.limits.attack-steps)"), steps.getMessage());
        assertEquals("attack-queries",
                refused(new EvaluationPlan(List.of(0.1), "square:queries=1001", 100, 0, 0), 100, exact, 1).limit());
        assertEquals("attack-steps",
                refused(new EvaluationPlan(List.of(0.1), "spsa:iterations=21", 100, 0, 0), 100, exact, 1).limit());
        // options that are no cost (a step size) are not capped
        assertDoesNotThrow(() -> AttackSuite.validate("pgd:steps=20:step=50", false, exact));
    }

    @Test
    void theDefaultsRefuseTheRequestsSeenInTheWildAndAdmitThePublishedProtocols() {
        CostLimits d = CostLimits.DEFAULTS;
        assertEquals("attack-steps", assertThrows(CostLimits.Exceeded.class,
                () -> AttackSuite.validate("pgd:steps=900000:restarts=5000", false, d)).limit());
        List<Double> twelve = List.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3);
        assertDoesNotThrow(() -> AttackPhase.planWithin(new EvaluationPlan(twelve, "default", 10_000, 0, 0), 10_000, 10, d, 1));
        assertDoesNotThrow(() -> AttackPhase.planWithin(new EvaluationPlan(List.of(0.03), "autoattack", 10_000, 0, 0),
                10_000, 10, d, 1));
        // 18 · n · k² · (16² + 32² + 64²) with n = 4, k = 10; the true count of WRN-28-10 is 36.5 M
        assertEquals(38_707_200, new ModelSpec("wrn-28-10", 3, 32, 32, 10).approximateWeights());
        assertTrue(new ModelSpec("wrn-400-40", 3, 32, 32, 10).approximateWeights() > 1e10);
        assertEquals(0, new ModelSpec("small-cnn", 1, 28, 28, 10).approximateWeights());
    }

    @Test
    void aShardPastItsDeadlineStopsAtTheModelsNextPassAndTheNextShardStartsAfresh() {
        AtomicInteger calls = new AtomicInteger();
        Classifier counted = new Models.Spy(Models.linear(new float[][] {Models.LINEAR_W0, Models.LINEAR_W1},
                new float[] {Models.LINEAR_B0, Models.LINEAR_B1}, 4, 4), x -> calls.incrementAndGet());
        try (Classifier model = counted; NDManager scope = model.manager().newSubManager()) {
            NDArray x = scope.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4, 1, 4, 4));
            int[] y = {0, 1, 0, 1};
            Pgd pgd = new Pgd(Norm.LINF, Pgd.Loss.CE, 50, null, 1);
            // a limit of zero has passed before the first call: the model's first forward pass stops the work
            Deadline.Exceeded stopped = assertThrows(Deadline.Exceeded.class, () -> Deadline.within(Duration.ZERO,
                    "logitlab.attack.shard-timeout", () -> pgd.run(model, x, y, 0.1, 1)));
            assertTrue(stopped.getMessage().contains("logitlab.attack.shard-timeout"), stopped.getMessage());
            assertEquals(1, calls.get());
            assertNull(Deadline.current(), "the deadline ends with its work");
            boolean[] broken = Deadline.within(Duration.ofHours(1), "test", () -> pgd.run(model, x, y, 0.1, 1));
            assertEquals(4, broken.length);
            assertTrue(calls.get() > 1, "within its limit the shard runs");
        }
    }

    private static CostLimits.Exceeded refused(EvaluationPlan plan, int examples, CostLimits limits, int draws) {
        return assertThrows(CostLimits.Exceeded.class, () -> AttackPhase.planWithin(plan, examples, 10, limits, draws));
    }
}

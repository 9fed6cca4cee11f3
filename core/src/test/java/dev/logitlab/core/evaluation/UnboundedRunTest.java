package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Kind;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Classifiers;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unconstrained run keeps its points, and each, clipped into a budget, is one more candidate break there. */
class UnboundedRunTest {

    @Test
    void itBreaksWhatPlainPgdBreaksAndItsPointsClippedToEpsilonOneAreTheSame() throws Exception {
        Dataset test = Datasets.load("synthetic", null).test().limit(60);
        try (Classifier model = Classifiers.open(Models.syntheticLinear());
             NDManager scope = model.manager().newSubManager()) {
            NDArray x = test.images(scope, 0, 60);
            List<Budget> budgets = List.of(new Budget(Norm.LINF, 0.02), new Budget(Norm.LINF, 1.0),
                    new Budget(Norm.L2, 0.5));
            UnboundedRun.Result run = UnboundedRun.run(model, x, test.labels(), budgets, 5);
            boolean[] pgd = ShardPlan.UNBOUNDED_PGD.run(model, x, test.labels(), ShardPlan.UNBOUNDED_EPS, 5);
            assertArrayEquals(pgd, run.broken(), "every row run to the end changes no row's outcome");
            assertArrayEquals(run.broken(), run.clipped().get(1), "a point within ε = 1 clipped to 1 is itself");
            int small = count(run.clipped().get(0));
            int misclassified = count(Losses.wrong(model, x, test.labels()));
            assertTrue(small >= misclassified && small <= count(run.broken()),
                    "clipped to 0.02 it breaks at least the misclassified, at most what ε = 1 did: " + small);
        }
    }

    @Test
    void whatTheClippedPointsBreakEntersTheWorstCase() {
        // 4 examples, fgsm at ε = 0.1: fgsm breaks 1; the unconstrained run's point clipped to 0.1 breaks 2 as well.
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm", 4, 7, 0);
        ShardPlan shards = new ShardPlan(plan, AttackSuite.parse(plan.attacks(), null), 4);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        for (Shard s : shards.shards()) {
            outcomes.put(s.index(), s.kind() == Kind.UNBOUNDED
                    ? new ShardOutcome(s.index(), "x000", 0.5, null, List.of("x001"), null)
                    : new ShardOutcome(s.index(), s.kind() == Kind.ATTACK ? "x011" : "x111", 0.5));
        }
        AttackResults results = WorstCaseMerge.merge(shards, "m", "d", outcomes);
        EvaluationReport.WorstCase w = results.worstCase().get(0);
        assertEquals("x001", w.robust());
        assertEquals(Map.of("attacks", 1, "the unconstrained run, clipped", 1), w.foundBy());
        // Clipped outcomes of another number of budgets are refused, not skipped.
        Shard unbounded = shards.shards().stream().filter(s -> s.kind() == Kind.UNBOUNDED).findFirst().orElseThrow();
        outcomes.put(unbounded.index(), new ShardOutcome(unbounded.index(), "x000", 0.5, null, List.of("x001", "x001"), null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WorstCaseMerge.merge(shards, "m", "d", outcomes));
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean v : b) {
            n += v ? 1 : 0;
        }
        return n;
    }

    /** Which examples the model misclassifies as they are. */
    static final class Losses {
        static boolean[] wrong(Classifier model, NDArray x, int[] labels) {
            return dev.logitlab.core.attack.Losses.misclassified(model.logits(x), labels);
        }
    }
}

package dev.logitlab.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.core.attack.AttackSuite;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.evaluation.ShardPlan.Kind;
import dev.logitlab.core.evaluation.ShardPlan.Shard;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import dev.logitlab.events.AttackResults;
import dev.logitlab.events.ShardOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradient-free attacks run on what the gradient attacks left robust: which shards wait, the mask, and what it costs the worst case (nothing). */
class SurvivorsTest {

    @Test
    void onlyGradientFreeShardsOfAPlanWithGradientAttacksWait() {
        ShardPlan mixed = plan("fgsm,pgd:steps=3,square:queries=50,noise:draws=2");
        for (Shard s : mixed.shards()) {
            boolean gradientFree = s.kind() == Kind.ATTACK && (s.attackName().equals("square") || s.attackName().equals("noise"));
            assertEquals(gradientFree, mixed.survivorsOnly(s), s.toString());
        }
        Shard square = mixed.shards().stream().filter(s -> s.attackName().equals("square")).findFirst().orElseThrow();
        assertEquals(2, mixed.earlier(square).size(), "fgsm and pgd, one shard each");
        assertTrue(plan("square:queries=50").shards().stream().noneMatch(plan("square:queries=50")::survivorsOnly),
                "with no gradient attack to wait for, square attacks every example");
        ShardPlan cascade = plan("pgd:steps=3>square:queries=50");
        assertTrue(cascade.shards().stream().noneMatch(cascade::survivorsOnly), "a cascade already runs in turn");
    }

    @Test
    void targetedAttacksWaitForTheUntargetedOnesAndGradientFreeOnesForBoth() {
        ShardPlan plan = plan("fgsm,apgd-t:steps=3:targets=3,pgd:steps=3,square:queries=50");
        Map<String, Integer> waves = new HashMap<>();
        plan.shards().stream().filter(s -> s.kind() == Kind.ATTACK).forEach(s -> waves.put(s.attackName(), plan.wave(s)));
        assertEquals(Map.of("fgsm", 0, "pgd", 0, "apgd-t", 1, "square", 2), waves);
        Shard targeted = plan.shards().stream().filter(s -> s.attackName().equals("apgd-t")).findFirst().orElseThrow();
        Shard square = plan.shards().stream().filter(s -> s.attackName().equals("square")).findFirst().orElseThrow();
        assertEquals(List.of("fgsm", "pgd"), plan.earlier(targeted).stream().map(Shard::attackName).toList());
        assertEquals(List.of("fgsm", "apgd-t", "pgd"), plan.earlier(square).stream().map(Shard::attackName).toList());
        // under the rule before, in flight across an upgrade: the same shards, targeted ones in the first wave
        ShardPlan previous = plan.previousRule();
        assertEquals(plan.shards(), previous.shards());
        assertEquals(0, previous.wave(targeted));
        assertEquals(List.of("fgsm", "apgd-t", "pgd"), previous.earlier(square).stream().map(Shard::attackName).toList());
        // alone, a targeted attack is the first wave: there is nothing to wait for
        ShardPlan alone = plan("apgd-t:steps=3:targets=3,square:queries=50");
        assertTrue(alone.shards().stream().filter(s -> s.attackName().equals("apgd-t")).noneMatch(alone::survivorsOnly));
    }

    @Test
    void theMaskIsRobustUnderEveryGradientAttackAndWaitsForAllOfThem() {
        ShardPlan plan = plan("fgsm,pgd:steps=3,square:queries=50");
        Shard square = plan.shards().stream().filter(plan::survivorsOnly).findFirst().orElseThrow();
        List<Shard> gradient = plan.earlier(square);
        Map<Integer, ShardOutcome> outcomes = new HashMap<>();
        outcomes.put(gradient.get(0).index(), new ShardOutcome(gradient.get(0).index(), "x1101", 0));
        assertNull(Survivors.of(plan, square, outcomes), "pgd's outcome is still missing");
        assertEquals(-1, Survivors.count(plan, square, outcomes));
        outcomes.put(gradient.get(1).index(), new ShardOutcome(gradient.get(1).index(), "x1011", 0));
        assertEquals("01001", Survivors.of(plan, square, outcomes), "robust only where fgsm and pgd both say 1");
        assertEquals(2, Survivors.count(plan, square, outcomes));
        assertThrows(IllegalArgumentException.class, () -> Survivors.check("0100", square), "one character short");
        assertThrows(IllegalArgumentException.class, () -> Survivors.check("01x01", square));
    }

    @Test
    void squareOnTheSurvivorsFindsWhatSquareOnEveryExampleFoundThereSoTheWorstCaseIsTheSame() {
        Classifier model = Models.plainSmallCnn();
        Dataset test = Models.fashion().test();
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), "fgsm,pgd:steps=3,square:queries=40", 60, 5, 0);
        AttackPhase phase = new AttackPhase(model, test, plan, null);
        ShardPlan shards = phase.shards();
        Map<Integer, ShardOutcome> alone = new HashMap<>();
        Map<Integer, ShardOutcome> after = new HashMap<>();
        for (Shard s : shards.shards()) {
            if (!shards.survivorsOnly(s)) {
                alone.put(s.index(), phase.run(s, null));
                after.put(s.index(), alone.get(s.index()));
            }
        }
        int attacked = 0, differ = 0;
        for (Shard s : shards.shards()) {
            if (shards.survivorsOnly(s)) {
                String mask = Survivors.of(shards, s, after);
                alone.put(s.index(), phase.run(s, null));
                after.put(s.index(), phase.run(s, mask));
                String a = alone.get(s.index()).robust(), b = after.get(s.index()).robust();
                for (int i = 0; i < mask.length(); i++) {
                    if (mask.charAt(i) == '1') {
                        attacked++;
                        // Square's search for an example depends on its pixels and the seed only, not on its batch
                        differ += a.charAt(i) == b.charAt(i) ? 0 : 1;
                    } else {
                        assertTrue(b.charAt(i) != '1', "an example a gradient attack broke counts as broken");
                    }
                }
            }
        }
        assertTrue(attacked > 0 && attacked < 60, "square ran on some examples, not all: " + attacked);
        // Tolerance, one example: a batch of another size may round the logits differently (oneDNN picks its kernels
        // by shape), and a tie in Square's accept test can then go the other way; beyond that the searches are equal.
        assertTrue(differ <= 1, differ + " examples came out differently on the survivors");
        AttackResults standalone = WorstCaseMerge.merge(shards, "m", "d", alone);
        AttackResults survivors = WorstCaseMerge.merge(shards, "m", "d", after);
        assertEquals(standalone.worstCase().get(0).robustAccuracy(), survivors.worstCase().get(0).robustAccuracy(),
                1.0 / 60 + 1e-9);
        AttackResults inTurn = new Evaluation(model, test, plan, null, null).attack("m");
        assertEquals(survivors.worstCase().get(0).robust(), inTurn.worstCase().get(0).robust(),
                "the evaluation in one process runs the gradient-free shards on the survivors too");
        var square = inTurn.attacks().stream().filter(r -> r.name().equals("square")).findFirst().orElseThrow();
        assertEquals(attacked, square.params().get("attacked"));
        // After the gradient attacks square's outcome is the suite's; the worst case adds what the ε sweep broke.
        var worst = inTurn.worstCase().get(0);
        assertEquals(square.robust().chars().filter(c -> c == '0').count(), (long) worst.foundBy().get("attacks"));
        for (int i = 0; i < worst.robust().length(); i++) {
            assertTrue(square.robust().charAt(i) == '1' || worst.robust().charAt(i) == square.robust().charAt(i));
        }
        assertFalse(standalone.attacks().get(2).params().isEmpty());
    }

    private static ShardPlan plan(String attacks) {
        EvaluationPlan plan = new EvaluationPlan(List.of(0.1), attacks, 5, 0, 0);
        return new ShardPlan(plan, AttackSuite.parse(attacks, null), 5);
    }
}

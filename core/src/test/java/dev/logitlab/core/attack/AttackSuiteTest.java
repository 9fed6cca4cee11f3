package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.testing.Models;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The attacks against an honestly trained small CNN on 100 Fashion-MNIST test images at ε = 0.1. */
class AttackSuiteTest {

    private static final int N = 100;
    private static final double EPS = 0.1;
    private static Classifier model;
    private static Dataset test;
    private static NDManager manager;
    private static NDArray images;
    private static int[] labels;

    @BeforeAll
    static void train() {
        model = Models.plainSmallCnn();
        test = Models.fashion().test();
        manager = model.manager().newSubManager();
        images = Models.images(manager, test, N);
        labels = Models.labels(test, N);
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    @Test
    void pgdNeverQueriesOutsideTheEpsilonBallOrTheImageRange() {
        List<String> violations = new ArrayList<>();
        Models.Spy spy = new Models.Spy(model, query -> {
            NDArray q = query.stopGradient();
            if (q.min().getFloat() < 0 || q.max().getFloat() > 1) {
                violations.add("left [0, 1]");
            }
            // Distance of every queried image to its nearest clean image: the clean images are far apart.
            NDArray distance = q.reshape(q.getShape().get(0), 1, -1).sub(images.reshape(1, N, -1)).abs()
                    .max(new int[] {2}).min(new int[] {1});
            float worst = distance.max().getFloat();
            if (worst > EPS + 1e-6) {
                violations.add("ℓ∞ distance " + worst);
            }
        });
        boolean[] broken = new Pgd(Norm.LINF, Pgd.Loss.CE, 10, null, 2).run(spy, images, labels, EPS, 1);
        assertTrue(violations.isEmpty(), violations.toString());
        assertTrue(spy.gradientCalls.get() >= 10, "PGD-10 should take gradient steps");
        assertTrue(robust(broken) < robust(clean()) - 0.3, "PGD should break a plain model");
    }

    @Test
    void restartsAreCountedPerExample() {
        boolean[] one = new Pgd(Norm.LINF, Pgd.Loss.CE, 2, EPS / 4, 1).run(model, images, labels, EPS / 2, 7);
        boolean[] three = new Pgd(Norm.LINF, Pgd.Loss.CE, 2, EPS / 4, 3).run(model, images, labels, EPS / 2, 7);
        for (int i = 0; i < N; i++) {
            assertTrue(!one[i] || three[i], "example " + i + " broken by restart 1 must stay broken");
        }
        assertTrue(robust(three) <= robust(one));
    }

    @Test
    void apgdIsAtLeastAsStrongAsPgd() {
        double pgd = robust(new Pgd(Norm.LINF, Pgd.Loss.CE, 20, null, 1).run(model, images, labels, EPS / 2, 3));
        double apgd = robust(new Apgd(Norm.LINF, Apgd.Variant.CE, 20, 1, 0).run(model, images, labels, EPS / 2, 3));
        double apgdT = robust(new Apgd(Norm.LINF, Apgd.Variant.TARGETED, 20, 1, 3).run(model, images, labels, EPS / 2, 3));
        System.out.printf("robust at ε=%s: PGD-20 %.2f, APGD-CE-20 %.2f, APGD-T-20 %.2f%n", EPS / 2, pgd, apgd, apgdT);
        // Tolerance, two examples of 100: the three end close together on a plain model, and which is ahead by one
        // example is up to the CPU's rounding; APGD weaker than PGD by more would be a broken step-size schedule.
        assertTrue(apgd <= pgd + 0.02, "APGD-CE " + apgd + " vs PGD " + pgd);
        assertTrue(apgdT <= pgd + 0.02, "APGD-T " + apgdT + " vs PGD " + pgd);
    }

    @Test
    void squareLowersAccuracyWithoutAnyGradient() {
        Models.Spy spy = new Models.Spy(model, q -> assertFalse(q.hasGradient(), "a query that records gradients"));
        double accuracy = robust(clean());
        double robust = robust(new SquareAttack(Norm.LINF, 300, SquareAttack.P_INIT).run(spy, images, labels, EPS, 5));
        assertEquals(0, spy.gradientCalls.get());
        assertTrue(robust < accuracy - 0.2, "Square should break a plain model: " + accuracy + " → " + robust);
    }

    @Test
    void gradientFreeAttacksNeverAskForAGradient() {
        try (Classifier surrogate = Models.plainSmallCnn()) {
            for (Attack attack : List.of(new SquareAttack(Norm.LINF, 20, SquareAttack.P_INIT), new Spsa(Norm.LINF, 3, 8, 0.01, 0.01), new RandomNoise(Norm.LINF, 5),
                    new TransferAttack(Norm.LINF, surrogate, 3))) {
                Models.Spy spy = new Models.Spy(model, q -> { });
                boolean[] broken = attack.run(spy, images, labels, EPS, 1);
                assertFalse(attack.usesGradients(), attack.name());
                assertEquals(0, spy.gradientCalls.get(), attack.name() + " asked for a gradient");
                assertTrue(spy.logitCalls.get() > 0, attack.name() + " never queried the model");
                assertEquals(N, broken.length);
            }
        }
    }

    @Test
    void spsaAndNoiseBreakSomethingOnAPlainModel() {
        double accuracy = robust(clean());
        assertTrue(robust(new Spsa(Norm.LINF, 20, 16, 0.01, 0.01).run(model, images, labels, EPS, 2)) < accuracy - 0.1);
        assertTrue(robust(new RandomNoise(Norm.LINF, 10).run(model, images, labels, 0.3, 2)) < accuracy);
    }

    @Test
    void specsParseWithDefaultsAndErrorsNameTheAttack() {
        List<Attack> attacks = AttackSuite.parse("pgd:steps=20:restarts=2,square:queries=1000", null);
        assertEquals(List.of("pgd", "square"), attacks.stream().map(Attack::name).toList());
        assertEquals(0.1 / 8, attacks.get(0).params(0.1).get("step"));
        assertEquals(2, attacks.get(0).params(0.1).get("restarts"));
        assertEquals(0.8, attacks.get(1).params(0.1).get("p"));
        assertEquals(7, AttackSuite.parse("default", null).size());
        var unknown = assertThrows(IllegalArgumentException.class, () -> AttackSuite.parse("pgd,cw", null));
        assertTrue(unknown.getMessage().contains("'cw'"), unknown.getMessage());
        var option = assertThrows(IllegalArgumentException.class, () -> AttackSuite.parse("square:q=5", null));
        assertTrue(option.getMessage().contains("'square:q=5'") && option.getMessage().contains("queries"));
        var transfer = assertThrows(IllegalArgumentException.class, () -> AttackSuite.parse("transfer", null));
        assertTrue(transfer.getMessage().contains("--surrogate"), transfer.getMessage());
    }

    private static boolean[] clean() {
        return Losses.misclassified(model.logits(images), labels);
    }

    private static double robust(boolean[] broken) {
        int robust = 0;
        for (boolean b : broken) {
            robust += b ? 0 : 1;
        }
        return (double) robust / broken.length;
    }
}

package dev.logitlab.core.defense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each term of the objective against values worked out by hand on fixed logits. */
class DefenseTermsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = Torch.engine().newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void labelSmoothingMovesAlphaOfTheMassToTheUniformDistribution() {
        // K = 4, α = 0.5: true class 1 − 0.5·(1 − 1/4) = 0.625, others 0 − 0.5·(0 − 1/4) = 0.125.
        NDArray oneHot = manager.create(new float[] {0, 1, 0, 0}, new Shape(1, 4));
        float[] t = new LabelSmoothing(0.5).targets(oneHot).toFloatArray();
        assertArrayEquals(new float[] {0.125f, 0.625f, 0.125f, 0.125f}, t, 1e-6f);
    }

    @Test
    void aggressiveLabelSmoothingStillSumsToOne() {
        NDArray oneHot = manager.create(new float[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, new Shape(1, 10));
        float[] t = new LabelSmoothing(0.95).targets(oneHot).toFloatArray();
        assertEquals(1 - 0.95 * 0.9, t[2], 1e-6); // 0.145
        assertEquals(0.095, t[0], 1e-6);
        assertEquals(1.0, sum(t), 1e-6);
    }

    @Test
    void logitSqueezingAddsBetaTimesTheFrobeniusNormOfTheBatchLogits() {
        // Z = [[3, 4, 0], [0, 0, 0]]: ‖Z‖_F = 5, so β = 0.1 adds 0.5.
        NDArray logits = manager.create(new float[] {3, 4, 0, 0, 0, 0}, new Shape(2, 3));
        assertEquals(0.5, new LogitSqueezing(0.1).penalty(logits).getFloat(), 1e-6);

        // The whole objective: mean cross-entropy of the two rows plus the penalty.
        NDArray oneHot = manager.create(new float[] {1, 0, 0, 0, 1, 0}, new Shape(2, 3));
        double ceRow1 = Math.log(Math.exp(3) + Math.exp(4) + 1) - 3;
        double ceRow2 = Math.log(3);
        Defense lsq = Defense.parse("lsq=0.1");
        float loss = lsq.loss(logits, lsq.targets(oneHot, logits)).getFloat();
        assertEquals((ceRow1 + ceRow2) / 2 + 0.5, loss, 1e-5);
    }

    @Test
    void adversarialLabelSmoothingSendsEpsilonToTheLeastLikelyClass() {
        // Row 1: y = 0, argmin z = 1 → t = [0.7, 0.3, 0]. Row 2: y = 0 is itself the least likely → t = y_hot.
        NDArray logits = manager.create(new float[] {2, -1, 0.5f, -3, 1, 2}, new Shape(2, 3));
        NDArray oneHot = manager.create(new float[] {1, 0, 0, 1, 0, 0}, new Shape(2, 3));
        float[] t = new AdversarialLabelSmoothing(0.3).targets(oneHot, logits).toFloatArray();
        assertArrayEquals(new float[] {0.7f, 0.3f, 0, 1, 0, 0}, t, 1e-6f);
    }

    @Test
    void softTargetCrossEntropyMatchesTheDefinition() {
        // z = [1, 2], t = [0.25, 0.75]: −(0.25·log σ₁ + 0.75·log σ₂) with σ = softmax(z).
        NDArray logits = manager.create(new float[] {1, 2}, new Shape(1, 2));
        NDArray targets = manager.create(new float[] {0.25f, 0.75f}, new Shape(1, 2));
        double logZ = Math.log(Math.exp(1) + Math.exp(2));
        double expected = -(0.25 * (1 - logZ) + 0.75 * (2 - logZ));
        assertEquals(expected, Defense.crossEntropy(logits, targets).getFloat(), 1e-6);
    }

    @Test
    void gaussianNoiseHasTheRequestedSigma() {
        Torch.seed(42);
        NDArray images = manager.full(new Shape(4, 1, 50, 50), 0.5f);
        NDArray noise = new GaussianNoise(0.3).apply(images).sub(images);
        float mean = noise.mean().getFloat();
        double std = Math.sqrt(noise.sub(mean).square().mean().getFloat());
        assertEquals(0.0, mean, 0.01);
        assertEquals(0.3, std, 0.006); // 10,000 draws: the std of the sample std is ≈ 0.3/√20000 ≈ 0.002
    }

    @Test
    void clippedGaussianNoiseOnABlackImageIsTheHalfNormal() {
        // max(0, σ·Z) clipped at 1 (σ = 0.3: P(σZ > 1) ≈ 4e-4): half the pixels stay 0, the mean is σ/√(2π).
        Torch.seed(7);
        NDArray images = manager.zeros(new Shape(4, 1, 50, 50));
        NDArray noisy = new GaussianNoise(0.3, true).apply(images);
        assertTrue(noisy.min().getFloat() >= 0 && noisy.max().getFloat() <= 1);
        assertEquals(0.5, noisy.eq(0f).toType(DataType.FLOAT32, false).mean().getFloat(), 0.02);
        assertEquals(0.3 / Math.sqrt(2 * Math.PI), noisy.mean().getFloat(), 0.004);
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    @Test
    void cleanLogitPairingAddsLambdaTimesTheMeanSquaredErrorOfPairedLogitsOverPairsAndClasses() {
        // Pairs (0, 2) and (1, 3): squared differences (1−3)², (2−0)², (0−1)², (0−1)² = 4, 4, 1, 1; their mean over the
        // 2 pairs × 2 classes is 2.5 (the papers' mean squared error); λ = 0.1 adds 0.25.
        NDArray logits = manager.create(new float[] {1, 2, 0, 0, 3, 0, 1, 1}, new Shape(4, 2));
        assertEquals(0.25, new CleanLogitPairing(0.1).penalty(logits).getFloat(), 1e-6);
        // An odd last image sits out; a single image has no pair.
        NDArray odd = manager.create(new float[] {1, 2, 0, 0, 3, 0, 1, 1, 9, 9}, new Shape(5, 2));
        assertEquals(0.25, new CleanLogitPairing(0.1).penalty(odd).getFloat(), 1e-6);
        assertEquals(0, new CleanLogitPairing(0.1).penalty(manager.create(new float[] {5, 5}, new Shape(1, 2)))
                .getFloat(), 0);
    }

    @Test
    void kannansLogitSqueezingIsTheMeanNormPerExampleNotSquaredNorShafahisBatchNorm() {
        // Z = [[3, 4], [6, 8]]: per example ‖z‖ = 5 and 10, mean 7.5, λ = 0.1 adds 0.75 (the papers' code: the mean of
        // the row norms, not squared); Shafahi's β‖Z‖_F = 0.1·√125 ≈ 1.118 is one norm of the whole batch.
        NDArray logits = manager.create(new float[] {3, 4, 6, 8}, new Shape(2, 2));
        assertEquals(0.75, new PerExampleLogitSqueezing(0.1).penalty(logits).getFloat(), 1e-6);
        assertEquals(0.1 * Math.sqrt(125), new LogitSqueezing(0.1).penalty(logits).getFloat(), 1e-6);
        // Doubling the logits doubles both: Kannan's grows with the norm, as published, not with its square.
        assertEquals(1.5, new PerExampleLogitSqueezing(0.1).penalty(logits.mul(2)).getFloat(), 1e-5);
        // Its gradient at z is λ·z/(N‖z‖): unit length per example, whatever the norm (squared, it was 2λz/N).
        try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray z = manager.create(new float[] {30, 40}, new Shape(1, 2));
            z.setRequiresGradient(true);
            collector.backward(new PerExampleLogitSqueezing(0.1).penalty(z));
            assertArrayEquals(new float[] {0.06f, 0.08f}, z.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void adversarialLogitPairingIsTheMixedBatchCrossEntropyPlusLambdaTimesTheCleanAdversarialDistance() {
        // Clean logits [[1, 0], [0, 1]], their counterparts [[0, 0], [0, 3]]: squared differences 1, 0, 0, 4; their
        // mean over 2 examples × 2 classes is 1.25 (the papers' mean squared error); λ = 0.2 adds 0.25.
        NDArray logits = manager.create(new float[] {1, 0, 0, 1, 0, 0, 0, 3}, new Shape(4, 2));
        assertEquals(0.25, new AdversarialLogitPairing(0.2, 0.1, 7).penalty(logits).getFloat(), 1e-6);
        // The whole objective: the mean cross-entropy over the mixed batch (labels 0, 1 for both halves) plus it.
        NDArray oneHot = manager.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(4, 2));
        double ce = (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(-1)) + Math.log(2) + Math.log(1 + Math.exp(-3))) / 4;
        Defense alp = Defense.parse("alp=0.2");
        assertEquals(ce + 0.25, alp.loss(logits, alp.targets(oneHot, logits)).getFloat(), 1e-5);
    }
}

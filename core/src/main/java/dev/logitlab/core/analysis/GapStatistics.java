package dev.logitlab.core.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;

/**
 * Shafahi et al.'s Eq. 4 per example: linearising the logits, the worst ℓ∞ step lowers z_y − z_j by
 * ε‖∇ₓz_y − ∇ₓz_j‖₁, so the predicted minimal ε is min over j≠y of (z_y − z_j) / ‖∇ₓz_y − ∇ₓz_j‖₁.
 * Logit gap, gradient gap and cosine are reported against the runner-up class. The same linearisation in ℓ2 gives
 * min over j≠y of (z_y − z_j) / ‖∇ₓz_y − ∇ₓz_j‖₂ ({@code predictedEpsL2}), the ℓ2 norm being its own dual.
 */
public record GapStatistics(
        float logitGap,
        float gradientGapL1,
        float predictedEps,
        float gradientCosine,
        float logitNorm,
        float predictedEpsL2) {

    /** Per example of the batch (all assumed correctly classified): K backward passes, one per class. */
    public static GapStatistics[] measure(Classifier model, NDArray images, int[] labels) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(scope);
            float[] logits = model.logits(x).toFloatArray();
            int n = labels.length;
            int k = logits.length / n;
            float[][] gradients = new float[k][];
            for (int c = 0; c < k; c++) {
                String column = ":, " + c;
                // Each example's logits depend on its own image only, so ∇ₓ Σ_i z_c(x_i) holds every ∇ₓz_c(x_i).
                gradients[c] = model.gradient(x, z -> z.get(column).sum()).toFloatArray();
            }
            int d = gradients[0].length / n;
            GapStatistics[] out = new GapStatistics[n];
            for (int i = 0; i < n; i++) {
                out[i] = of(logits, gradients, i, labels[i], k, d);
            }
            return out;
        }
    }

    static GapStatistics of(float[] logits, float[][] gradients, int i, int y, int k, int d) {
        float zy = logits[i * k + y];
        int runnerUp = -1;
        double norm = 0;
        float predicted = Float.POSITIVE_INFINITY;
        float predictedL2 = Float.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            float zj = logits[i * k + j];
            norm += (double) zj * zj;
            if (j == y) {
                continue;
            }
            if (runnerUp < 0 || zj > logits[i * k + runnerUp]) {
                runnerUp = j;
            }
            double gap = l1Distance(gradients[y], gradients[j], i * d, d);
            predicted = (float) Math.min(predicted, (zy - zj) / gap);
            predictedL2 = (float) Math.min(predictedL2, (zy - zj) / l2Distance(gradients[y], gradients[j], i * d, d));
        }
        return new GapStatistics(zy - logits[i * k + runnerUp],
                (float) l1Distance(gradients[y], gradients[runnerUp], i * d, d), predicted,
                (float) cosine(gradients[y], gradients[runnerUp], i * d, d), (float) Math.sqrt(norm), predictedL2);
    }

    static double l2Distance(float[] a, float[] b, int offset, int d) {
        double s = 0;
        for (int t = offset; t < offset + d; t++) {
            s += (double) (a[t] - b[t]) * (a[t] - b[t]);
        }
        return Math.sqrt(s);
    }

    static double l1Distance(float[] a, float[] b, int offset, int d) {
        double s = 0;
        for (int t = offset; t < offset + d; t++) {
            s += Math.abs(a[t] - b[t]);
        }
        return s;
    }

    static double cosine(float[] a, float[] b, int offset, int d) {
        double dot = 0, na = 0, nb = 0;
        for (int t = offset; t < offset + d; t++) {
            dot += (double) a[t] * b[t];
            na += (double) a[t] * a[t];
            nb += (double) b[t] * b[t];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}

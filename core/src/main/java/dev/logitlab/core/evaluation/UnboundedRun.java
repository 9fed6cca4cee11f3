package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.attack.Budget;
import dev.logitlab.core.attack.Losses;
import dev.logitlab.core.attack.Norm;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.ArrayList;
import java.util.List;

/**
 * The unconstrained run of the masking checks, PGD on the margin at ε = {@value ShardPlan#UNBOUNDED_EPS} for
 * {@value #STEPS} steps of ε/8 from a random start, with the points it found. Per example it keeps the first iterate
 * the model misclassifies (else the last one); that point, projected into each of the plan's budgets, is one more
 * candidate break there, checked by a forward pass ({@link VerifiedBreaks}). The unconstrained outcome is the plain
 * PGD run's: each example's trajectory is its own, so running every row to the end changes none of them.
 */
final class UnboundedRun {

    static final int STEPS = 20;

    /** The unconstrained outcome (broken at some iterate) and, per budget in plan order, broken once clipped. */
    record Result(boolean[] broken, List<boolean[]> clipped) {
    }

    private UnboundedRun() {
    }

    /** What it costs per example in forward-pass equivalents: the run, as PGD-20 counts it, and a pass per budget. */
    static double cost(int budgets) {
        return 3.0 * STEPS + budgets;
    }

    static Result run(Classifier model, NDArray images, int[] labels, List<Budget> budgets, long seed) {
        float eps = (float) ShardPlan.UNBOUNDED_EPS;
        int n = labels.length;
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray clean = images.duplicate();
            clean.attach(scope);
            NDArray cleanLogits = model.logits(clean);
            boolean[] cleanWrong = Losses.misclassified(cleanLogits, labels);
            boolean[] broken = cleanWrong.clone();
            NDArray oneHot = Losses.oneHot(labels, cleanLogits);
            NDArray x = clean.add(Norm.LINF.randomInBall(scope, clean.getShape()).mul(eps)).clip(0, 1);
            NDArray found = clean.duplicate();
            for (int step = 0; step <= STEPS; step++) {
                NDArray[] logits = new NDArray[1];
                NDArray gradient = step == STEPS ? null : model.gradient(x, z -> {
                    logits[0] = z;
                    return Losses.margin(z, oneHot).sum();
                });
                boolean[] now = Losses.misclassified(gradient == null ? model.logits(x) : logits[0], labels);
                float[] first = new float[n];
                for (int i = 0; i < n; i++) {
                    if (now[i] && !broken[i]) {
                        first[i] = 1;
                        broken[i] = true;
                    }
                }
                found = keep(found, x, first, scope);
                if (gradient != null) {
                    x = Norm.LINF.project(x.add(gradient.sign().mul(eps / 8)), clean, eps);
                }
            }
            // Examples never broken keep their last iterate; those broken at the clean image, the image itself.
            float[] last = new float[n];
            for (int i = 0; i < n; i++) {
                last[i] = broken[i] ? 0 : 1;
            }
            found = keep(found, x, last, scope);
            List<boolean[]> clipped = new ArrayList<>();
            for (Budget b : budgets) {
                boolean[] wrong = Losses.misclassified(model.logits(b.norm().project(found, clean, (float) b.eps())),
                        labels);
                for (int i = 0; i < n; i++) {
                    wrong[i] |= cleanWrong[i];
                }
                clipped.add(wrong);
            }
            return new Result(broken, clipped);
        }
    }

    /** The rows of {@code x} where {@code take} is 1, the rows of {@code found} elsewhere. */
    private static NDArray keep(NDArray found, NDArray x, float[] take, NDManager scope) {
        NDArray mask = scope.create(take, new Shape(take.length, 1, 1, 1));
        return found.mul(mask.neg().add(1)).add(x.mul(mask));
    }
}

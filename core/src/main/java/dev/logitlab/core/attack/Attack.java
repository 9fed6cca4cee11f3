package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.model.Classifier;
import java.util.Map;

/** An attack in one norm that reports, per example, whether it found a misclassified point in the ε-ball. */
public interface Attack {

    /** The attack's name in specs and reports (pgd, square, …). */
    String name();

    /** The threat model's norm the ε-ball is measured in. */
    Norm norm();

    /** The parameters used at this ε, defaults filled in, as printed in results. */
    Map<String, Object> params(double epsilon);

    /**
     * The work per example in forward-pass equivalents (a gradient step counts 3: forward and backward), at most
     * what the attack spends on an example it never breaks. Sizes the shards of a sharded evaluation.
     */
    double cost();

    /** False for attacks that only query logits (square, spsa, noise, transfer to the target). */
    boolean usesGradients();

    /**
     * True for attacks that aim at chosen wrong classes (apgd-t, fab-t): AutoAttack runs them only on what its
     * untargeted attack left robust, and so does a suite that has untargeted gradient attacks beside them.
     */
    default boolean targeted() {
        return false;
    }

    /**
     * Runs on a batch (images N×C×H×W in [0, 1], labels). Returns per example whether it is broken: the
     * model misclassifies the clean image, or some point this attack found within the ε-ball ∩ [0, 1].
     */
    boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed);
}

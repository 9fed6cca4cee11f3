package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.model.Classifier;

/**
 * An attack that searches, per example, for the smallest perturbation that misclassifies it (FAB, FMN). At a
 * budget ε an example is broken when that distance is at most ε.
 */
interface MinimumNormAttack extends Attack {

    /**
     * Per example the smallest distance at which a misclassified point was found: 0 when the clean image is
     * misclassified, +∞ when none was. The search may stop once every example is within {@code stopAt}
     * (+∞ searches to the end).
     */
    float[] minimalNorms(Classifier model, NDArray images, int[] labels, double stopAt);

    @Override
    default boolean usesGradients() {
        return true;
    }

    @Override
    default boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        float[] distance = minimalNorms(model, images, labels, epsilon);
        boolean[] broken = new boolean[labels.length];
        for (int i = 0; i < broken.length; i++) {
            broken[i] = distance[i] <= epsilon;
        }
        return broken;
    }
}

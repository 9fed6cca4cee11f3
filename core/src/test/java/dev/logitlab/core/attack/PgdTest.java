package dev.logitlab.core.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.data.SyntheticDataset;
import dev.logitlab.core.defense.AdversarialTraining;
import dev.logitlab.core.defense.Defense;
import dev.logitlab.core.model.ModelSpec;
import dev.logitlab.core.model.Network;
import dev.logitlab.core.model.Torch;
import org.junit.jupiter.api.Test;

/** The PGD examples of adversarial training stay in the ε-ball and in [0, 1], and do raise the loss. */
class PgdTest {

    @Test
    void adversarialTrainingExamplesStayInTheEpsilonBallAndInTheImageRange() {
        Dataset data = SyntheticDataset.separable(256, 3);
        try (Network network = Network.create(ModelSpec.of("small-cnn", data), 1);
             NDManager manager = network.manager().newSubManager()) {
            float[] buffer = new float[data.size() * data.imageSize()];
            data.copyImages(0, data.size(), buffer);
            NDArray images = manager.create(buffer, new Shape(data.size(), 1, 8, 8));
            NDArray oneHot = manager.create(data.labels()).toType(DataType.INT64, false).oneHot(10);
            AdversarialTraining at = new AdversarialTraining(0.1, 7);

            NDArray adversarial = at.apply(network, images, oneHot);

            float maxDistance = adversarial.sub(images).abs().max().getFloat();
            assertTrue(maxDistance <= 0.1f + 1e-6f, "ℓ∞ distance " + maxDistance + " > ε");
            assertTrue(maxDistance > 0.09f, "PGD should use its budget, moved only " + maxDistance);
            assertTrue(adversarial.min().getFloat() >= 0f && adversarial.max().getFloat() <= 1f, "left [0, 1]");
            double clean = loss(network, images, oneHot);
            double attacked = loss(network, adversarial, oneHot);
            assertTrue(attacked > clean, "PGD should raise the loss: clean " + clean + ", attacked " + attacked);
        }
    }

    @Test
    void freezingLeavesNoWeightGradientBehind() {
        Dataset data = SyntheticDataset.separable(8, 4);
        try (Network network = Network.create(ModelSpec.of("linear", data), 1);
             NDManager manager = network.manager().newSubManager()) {
            float[] buffer = new float[data.size() * data.imageSize()];
            data.copyImages(0, data.size(), buffer);
            NDArray images = manager.create(buffer, new Shape(data.size(), 1, 8, 8));
            NDArray oneHot = manager.create(data.labels()).toType(DataType.INT64, false).oneHot(10);
            new AdversarialTraining(0.1, 2).apply(network, images, oneHot);
            for (var parameter : network.trainableParameters()) {
                try (NDArray gradient = parameter.getArray().getGradient()) {
                    assertTrue(gradient.abs().sum().getFloat() == 0f, parameter.getName() + " got a weight gradient");
                }
                assertTrue(parameter.getArray().hasGradient(), "weights must be trainable again after the attack");
            }
        }
    }

    private static double loss(Network network, NDArray images, NDArray oneHot) {
        return Defense.crossEntropy(network.forward(images, false), oneHot).mean().getFloat();
    }
}

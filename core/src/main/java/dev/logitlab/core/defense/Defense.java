package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import dev.logitlab.core.model.Network;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed defense spec: the terms of one training objective,
 * L = −Σ_k t_k log softmax(z(x̃))_k + penalties, where x̃ are the (noisy, adversarial) inputs and t the
 * (smoothed) targets. With no terms it is plain cross-entropy training.
 */
public record Defense(List<DefenseTerm> terms) {

    public Defense {
        terms = List.copyOf(terms);
    }

    /** Parses a spec such as {@code ls=0.95,gn=0.5}; errors name the offending term. */
    public static Defense parse(String spec) {
        return new Defense(DefenseParser.parse(spec));
    }

    /** The canonical spec: {@code plain}, or the terms in evaluation order with numbers as people write them. */
    public String spec() {
        return terms.isEmpty() ? "plain" : terms.stream().map(DefenseTerm::spec).collect(Collectors.joining(","));
    }

    /**
     * What one step trains on: the inputs and their one-hot labels. Noise first, then PGD around the noisy point
     * ({@code at} replaces the images, {@code alp} appends them: a mixed batch of 2N, clean first). {@code clean}
     * is how many of the rows are the batch's own images, the ones training accuracy is counted on.
     */
    public record TrainingBatch(NDArray inputs, NDArray oneHot, int clean) {
    }

    public TrainingBatch trainingBatch(Network network, NDArray images, NDArray oneHot) {
        NDArray inputs = images;
        NDArray labels = oneHot;
        for (DefenseTerm term : terms) {
            if (term instanceof GaussianNoise noise) {
                inputs = noise.apply(inputs);
            } else if (term instanceof AdversarialTraining at) {
                inputs = at.apply(network, inputs, oneHot);
            } else if (term instanceof AdversarialLogitPairing alp) {
                inputs = alp.apply(network, inputs, oneHot);
                labels = oneHot.concat(oneHot, 0);
            }
        }
        return new TrainingBatch(inputs, labels, (int) images.getShape().get(0));
    }

    /** The soft targets t (N×K) for one-hot labels and the batch's logits. */
    public NDArray targets(NDArray oneHot, NDArray logits) {
        for (DefenseTerm term : terms) {
            if (term instanceof LabelSmoothing ls) {
                return ls.targets(oneHot);
            } else if (term instanceof AdversarialLabelSmoothing als) {
                return als.targets(oneHot, logits);
            }
        }
        return oneHot;
    }

    /** The scalar loss: mean soft-target cross-entropy plus every penalty term. */
    public NDArray loss(NDArray logits, NDArray targets) {
        NDArray loss = crossEntropy(logits, targets).mean();
        for (DefenseTerm term : terms) {
            if (term instanceof DefenseTerm.PenaltyTerm penalty) {
                loss = loss.add(penalty.penalty(logits));
            }
        }
        return loss;
    }

    /** Per-example cross-entropy with soft targets, −Σ_k t_k log softmax(z)_k. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg();
    }
}

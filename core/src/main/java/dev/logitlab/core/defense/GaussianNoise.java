package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Gaussian noise augmentation (Shafahi et al. 2019): train on x + N(0, σ²I), σ on the [0, 1] pixel scale.
 * The noisy image is not clipped: clipping would shrink the noise below the σ the paper specifies.
 */
public record GaussianNoise(double sigma) implements DefenseTerm.InputTerm {

    public GaussianNoise {
        if (!(sigma > 0 && sigma <= 1)) {
            throw new IllegalArgumentException("gn=" + DefenseTerm.format(sigma) + ": σ must be in (0, 1]");
        }
    }

    /** x + σ·N(0, I), drawn from libtorch's seeded generator. */
    public NDArray apply(NDArray images) {
        NDArray noise = images.getManager().randomNormal(0, (float) sigma, images.getShape(), images.getDataType());
        return images.add(noise);
    }

    @Override
    public String name() {
        return "gn";
    }

    @Override
    public Map<String, Number> parameters() {
        return Map.of("sigma", sigma);
    }

    @Override
    public String spec() {
        return "gn=" + DefenseTerm.format(sigma);
    }
}

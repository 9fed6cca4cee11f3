package dev.logitlab.core.defense;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Gaussian noise augmentation (Shafahi et al. 2019): train on x + N(0, σ²I), σ on the [0, 1] pixel scale.
 * By default the noisy image is not clipped: clipping would shrink the noise below the σ Shafahi et al. specify.
 * {@code gn=σ:clip=1} clips it to [0, 1], as Mosbach et al.'s logit squeezing code does: on a black background the
 * noise becomes half-normal, of mean σ/√(2π) (0.2 at σ = 0.5), so the training images are also brighter on average.
 */
public record GaussianNoise(double sigma, boolean clip) implements DefenseTerm.InputTerm {

    public GaussianNoise {
        if (!(sigma > 0 && sigma <= 1)) {
            throw new IllegalArgumentException("gn=" + DefenseTerm.format(sigma) + ": σ must be in (0, 1]");
        }
    }

    public GaussianNoise(double sigma) {
        this(sigma, false);
    }

    /** x + σ·N(0, I), drawn from libtorch's seeded generator; clipped to [0, 1] when asked. */
    public NDArray apply(NDArray images) {
        NDArray noise = images.getManager().randomNormal(0, (float) sigma, images.getShape(), images.getDataType());
        NDArray noisy = images.add(noise);
        return clip ? noisy.clip(0f, 1f) : noisy;
    }

    @Override
    public String name() {
        return "gn";
    }

    @Override
    public Map<String, Number> parameters() {
        return clip ? Map.of("sigma", sigma, "clip", 1) : Map.of("sigma", sigma);
    }

    @Override
    public String spec() {
        return "gn=" + DefenseTerm.format(sigma) + (clip ? ":clip=1" : "");
    }
}

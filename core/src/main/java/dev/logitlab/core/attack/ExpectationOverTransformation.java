package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;

/**
 * Expectation over transformation (Athalye, Carlini &amp; Wagner 2018; AutoAttack's {@code version='rand'} with
 * 20 draws): a model whose forward pass is random is attacked through the mean of {@value #DRAWS} passes'
 * logits. Every attack's loss, gradient and verdict then see that mean: the gradient is taken through all the
 * draws at once (the expectation of the logits rather than AutoAttack's expectation of per-draw loss gradients,
 * so that the logits an attack judges success by are the same mean). A deterministic model is used as it is.
 */
public final class ExpectationOverTransformation implements Classifier {

    public static final int DRAWS = 20;
    /** Largest change between two passes, relative to the image's logit range, still read as deterministic. */
    public static final double TOLERANCE = 1e-3;

    private final Classifier inner;
    private final int draws;

    ExpectationOverTransformation(Classifier inner, int draws) {
        this.inner = inner;
        this.draws = draws;
    }

    /** The model itself when two passes over {@code probe} agree within {@link #TOLERANCE}, else its EOT. */
    public static Classifier ifRandom(Classifier model, NDArray probe) {
        return relativeJitter(model, probe) > TOLERANCE ? new ExpectationOverTransformation(model, DRAWS) : model;
    }

    /** Images of a data set probed for randomness: enough to see noise, few enough to be quick on any model. */
    public static final int PROBE = 500;

    /** The model, or its EOT when two passes over the data set's first {@value #PROBE} images differ. */
    public static Classifier ifRandom(Classifier model, dev.logitlab.core.data.Dataset data) {
        try (NDManager scope = model.manager().newSubManager()) {
            return ifRandom(model, data.images(scope, 0, Math.min(PROBE, data.size())));
        }
    }

    /** The largest |z − z'|∞ between two passes of the same image over that image's logit range max z − min z. */
    public static double relativeJitter(Classifier model, NDArray images) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(scope);
            NDArray logits = model.logits(x);
            NDArray range = logits.max(new int[] {1}).sub(logits.min(new int[] {1})).add(1e-12f);
            return logits.sub(model.logits(x)).abs().max(new int[] {1}).div(range).max().getFloat();
        }
    }

    @Override
    public String description() {
        return "eot" + draws + ":" + inner.description();
    }

    @Override
    public NDManager manager() {
        return inner.manager();
    }

    @Override
    public NDArray logits(NDArray images) {
        NDArray sum = inner.logits(images);
        for (int d = 1; d < draws; d++) {
            sum = sum.add(inner.logits(images));
        }
        return sum.div(draws);
    }

    @Override
    public void close() {
        inner.close();
    }
}

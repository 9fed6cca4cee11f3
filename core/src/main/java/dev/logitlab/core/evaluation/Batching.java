package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDManager;
import dev.logitlab.core.attack.ExpectationOverTransformation;
import dev.logitlab.core.data.Dataset;
import dev.logitlab.core.model.Classifier;

/** Evaluation helpers: data set chunks of {@value #CHUNK} images (any model fits in memory), the data set's name. */
final class Batching {

    static final int CHUNK = 500;

    private Batching() {
    }

    /** The model, or its expectation over transformation when two passes over the first chunk differ. */
    static Classifier eotIfRandom(Classifier model, Dataset data) {
        try (NDManager scope = model.manager().newSubManager()) {
            return ExpectationOverTransformation.ifRandom(model, data.images(scope, 0, Math.min(CHUNK, data.size())));
        }
    }

    /** "fashion-mnist" for "fashion-mnist/test". */
    static String datasetName(Dataset data) {
        int slash = data.name().indexOf('/');
        return slash < 0 ? data.name() : data.name().substring(0, slash);
    }
}

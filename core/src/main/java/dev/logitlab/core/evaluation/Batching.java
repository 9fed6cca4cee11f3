package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;

/** Evaluation helpers: data set chunks of {@value #CHUNK} images (any model fits in memory), the data set's name. */
final class Batching {

    static final int CHUNK = 500;

    private Batching() {
    }

    /** "fashion-mnist" for "fashion-mnist/test". */
    static String datasetName(Dataset data) {
        int slash = data.name().indexOf('/');
        return slash < 0 ? data.name() : data.name().substring(0, slash);
    }
}

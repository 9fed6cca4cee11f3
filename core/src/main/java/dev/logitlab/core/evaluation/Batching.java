package dev.logitlab.core.evaluation;

import dev.logitlab.core.data.Dataset;

/** Evaluation helpers: data set chunks of {@value #CHUNK} images (any model fits in memory), outcome strings. */
final class Batching {

    static final int CHUNK = 500;

    private Batching() {
    }

    /** "fashion-mnist" for "fashion-mnist/test". */
    static String datasetName(Dataset data) {
        int slash = data.name().indexOf('/');
        return slash < 0 ? data.name() : data.name().substring(0, slash);
    }

    /** Per-example outcomes as one character each: 1 robust, 0 broken, x misclassified before any attack. */
    static String robustString(boolean[] correct, boolean[] broken) {
        StringBuilder s = new StringBuilder(correct.length);
        for (int i = 0; i < correct.length; i++) {
            s.append(!correct[i] ? 'x' : broken[i] ? '0' : '1');
        }
        return s.toString();
    }

    static double robustAccuracy(boolean[] broken) {
        int robust = 0;
        for (boolean b : broken) {
            robust += b ? 0 : 1;
        }
        return (double) robust / broken.length;
    }
}

package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * The examples an attack still works on. Broken examples leave the batch at once: each example's trajectory
 * is independent of the others, so dropping them changes no result and saves their compute.
 */
public final class ActiveSet {

    private final boolean[] broken;
    private int[] index;

    ActiveSet(boolean[] initiallyBroken) {
        broken = initiallyBroken.clone();
        int n = 0;
        int[] all = new int[broken.length];
        for (int i = 0; i < broken.length; i++) {
            if (!broken[i]) {
                all[n++] = i;
            }
        }
        index = java.util.Arrays.copyOf(all, n);
    }

    int size() {
        return index.length;
    }

    boolean isEmpty() {
        return index.length == 0;
    }

    /** Original positions of the active examples, in batch order. */
    int[] index() {
        return index;
    }

    boolean[] broken() {
        return broken.clone();
    }

    /**
     * Records which active examples are misclassified now. Returns the batch positions that stay active,
     * or null when none was broken (the caller then keeps its arrays as they are).
     */
    int[] update(boolean[] misclassifiedNow) {
        int kept = 0;
        int[] keep = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            if (misclassifiedNow[i]) {
                broken[index[i]] = true;
            } else {
                keep[kept++] = i;
            }
        }
        if (kept == index.length) {
            return null;
        }
        keep = java.util.Arrays.copyOf(keep, kept);
        int[] next = new int[kept];
        for (int i = 0; i < kept; i++) {
            next[i] = index[keep[i]];
        }
        index = next;
        return keep;
    }

    /** The given rows of a batch-aligned array. */
    public static NDArray rows(NDArray array, int[] positions) {
        long[] idx = new long[positions.length];
        for (int i = 0; i < positions.length; i++) {
            idx[i] = positions[i];
        }
        return array.get(array.getManager().create(idx));
    }

    /** The labels of the given batch positions. */
    public static int[] rows(int[] labels, int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            out[i] = labels[positions[i]];
        }
        return out;
    }
}

package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * The examples an attack still works on. Broken examples leave the batch at once: each example's trajectory
 * is independent of the others, so dropping them changes no result and saves their compute. Rows may be copies of
 * an example ({@link #copies}: one per target class, run side by side); an example broken in one copy leaves the
 * batch in all of them.
 */
public final class ActiveSet {

    private final boolean[] broken;
    /** The example of each row. */
    private final int[] example;
    private int[] index;

    ActiveSet(boolean[] initiallyBroken) {
        this(initiallyBroken, 1);
    }

    private ActiveSet(boolean[] initiallyBroken, int copies) {
        int n = initiallyBroken.length;
        broken = initiallyBroken.clone();
        example = new int[n * copies];
        for (int row = 0; row < n * copies; row++) {
            example[row] = row % n;
        }
        restart();
    }

    /** Every row of an example not yet broken, stalled ones included: a new restart starts them elsewhere. */
    void restart() {
        int active = 0;
        int[] all = new int[example.length];
        for (int row = 0; row < example.length; row++) {
            if (!broken[example[row]]) {
                all[active++] = row;
            }
        }
        index = java.util.Arrays.copyOf(all, active);
    }

    /** {@code copies} rows per example, copy-major: row c·n + i is copy c of example i. */
    static ActiveSet copies(boolean[] initiallyBroken, int copies) {
        return new ActiveSet(initiallyBroken, copies);
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
     * Records which active rows are misclassified now. Returns the batch positions that stay active (rows whose
     * example no copy has broken), or null when none left (the caller then keeps its arrays as they are).
     */
    int[] update(boolean[] misclassifiedNow) {
        return update(misclassifiedNow, null);
    }

    /**
     * {@link #update(boolean[])}, also dropping the rows that {@code stalledNow} marks (null: none) until the next
     * {@link #restart}: rows at a fixed point of the attack's iteration, which no further step of this run can move.
     */
    int[] update(boolean[] misclassifiedNow, boolean[] stalledNow) {
        for (int i = 0; i < index.length; i++) {
            if (misclassifiedNow[i]) {
                broken[example[index[i]]] = true;
            }
        }
        int kept = 0;
        int[] keep = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            if (!broken[example[index[i]]] && (stalledNow == null || !stalledNow[i])) {
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

package dev.logitlab.core.data;

import java.util.Random;

/** Orders of examples for an epoch: a seeded shuffle, so the same seed gives the same batches. */
public final class EpochOrder {

    private EpochOrder() {
    }

    /** A permutation of 0..n-1 that depends only on the seed (Fisher–Yates over {@link Random}). */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

package dev.logitlab.core.data;

import java.util.SplittableRandom;

/**
 * A tiny linearly separable problem for tests: 1×8×8 images, 10 classes. Class k brightens its own block
 * of 6 pixels over a noisy background, so a linear model can reach near-perfect accuracy.
 */
public final class SyntheticDataset {

    public static final int SIDE = 8;
    public static final int CLASSES = 10;

    private SyntheticDataset() {
    }

    public static Dataset separable(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int pixelsPerImage = SIDE * SIDE;
        int block = pixelsPerImage / CLASSES;
        byte[] pixels = new byte[size * pixelsPerImage];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            int label = random.nextInt(CLASSES);
            labels[i] = label;
            for (int p = 0; p < pixelsPerImage; p++) {
                boolean own = p / block == label;
                int value = own ? 160 + random.nextInt(96) : random.nextInt(96);
                pixels[i * pixelsPerImage + p] = (byte) value;
            }
        }
        return new Dataset("synthetic", 1, SIDE, SIDE, CLASSES, pixels, labels);
    }
}

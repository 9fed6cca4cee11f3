package dev.logitlab.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Images and labels of one split, kept as bytes (0–255) so that a whole data set stays small in memory;
 * batches are converted to floats in [0, 1] on the way to the model.
 */
public record Dataset(String name, int channels, int height, int width, int classes, byte[] pixels, int[] labels) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        if (pixels.length != (long) labels.length * channels * height * width) {
            throw new IllegalArgumentException("dataset " + name + ": " + pixels.length + " pixels do not make "
                    + labels.length + " images of " + channels + "×" + height + "×" + width);
        }
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("dataset " + name + ": label " + label + " outside 0.." + (classes - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }

    /** The first {@code limit} examples in file order (all of them when limit ≤ 0 or larger than the set). */
    /** The data set's name without its split: "fashion-mnist" for "fashion-mnist/test". */
    public String baseName() {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    public Dataset limit(int limit) {
        if (limit <= 0 || limit >= size()) {
            return this;
        }
        return new Dataset(name, channels, height, width, classes,
                Arrays.copyOf(pixels, limit * imageSize()), Arrays.copyOf(labels, limit));
    }

    /** The examples at the given indices, in that order. */
    public Dataset select(int[] indices) {
        int n = imageSize();
        byte[] p = new byte[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new Dataset(name, channels, height, width, classes, p, l);
    }

    /** Images [from, to) as an N×C×H×W float array in [0, 1]; {@code buffer} (at least that size) is reused. */
    public NDArray images(NDManager manager, int from, int to, float[] buffer) {
        int n = to - from;
        copyImages(from, to, buffer);
        return manager.create(FloatBuffer.wrap(buffer, 0, n * imageSize()), new Shape(n, channels, height, width));
    }

    /** Images [from, to) as an N×C×H×W float array in [0, 1]. */
    public NDArray images(NDManager manager, int from, int to) {
        return images(manager, from, to, new float[(to - from) * imageSize()]);
    }

    /** Writes images [from, to) into {@code out} as floats in [0, 1] (N×C×H×W order). */
    public void copyImages(int from, int to, float[] out) {
        int n = imageSize();
        for (int i = from * n, j = 0; i < to * n; i++, j++) {
            out[j] = (pixels[i] & 0xFF) / 255f;
        }
    }
}

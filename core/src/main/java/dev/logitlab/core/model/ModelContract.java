package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.data.Dataset;

/**
 * The contract a model from outside must keep before anything is planned on it, checked on a few of the data set's
 * own images: it runs on N×C×H×W floats in [0, 1] of the data set's shape ({@code input-shape}), returns N×K logits
 * with K the data set's classes ({@code output-shape}), all finite ({@code finite-output}). A model that breaks one
 * gets a {@link Violation} naming the check, which becomes the reason of its failed report.
 */
public final class ModelContract {

    /** How many images the checks run on: enough to see a batch dimension, cheap for any model. */
    static final int PROBE = 4;

    private ModelContract() {
    }

    /** A broken contract: {@code check} is input-shape, output-shape or finite-output. */
    public static final class Violation extends IllegalArgumentException {
        private final String check;

        Violation(String check, String message) {
            super("model check '" + check + "' failed: " + message);
            this.check = check;
        }

        public String check() {
            return check;
        }
    }

    public static void check(Classifier model, Dataset data) {
        int n = Math.min(PROBE, data.size());
        Shape expected = new Shape(n, data.classes());
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray images = data.images(scope, 0, n);
            NDArray logits;
            try {
                logits = model.logits(images);
            } catch (Torch.Stopped e) {
                throw e;
            } catch (RuntimeException e) {
                throw new Violation("input-shape", "the model does not run on " + data.name() + " images "
                        + images.getShape() + " (N×C×H×W floats in [0, 1]): " + firstLine(e));
            }
            if (!logits.getShape().equals(expected)) {
                throw new Violation("output-shape", "expected logits " + expected + " (N × the " + data.classes()
                        + " classes of " + data.name() + ") for " + n + " images, got " + logits.getShape());
            }
            float[] values = logits.toFloatArray();
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new Violation("finite-output", "the logits of " + data.name() + " images hold " + v);
                }
            }
        }
    }

    private static String firstLine(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}

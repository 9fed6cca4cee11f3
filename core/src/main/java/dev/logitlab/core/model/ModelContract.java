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

    /** The checks, in the order they run. */
    public static final java.util.List<String> CHECKS = java.util.List.of("input-shape", "output-shape", "finite-output");

    public static void check(Classifier model, Dataset data) {
        int n = Math.min(PROBE, data.size());
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray images = data.images(scope, 0, n);
            NDArray logits;
            try {
                logits = model.logits(images);
            } catch (Torch.Stopped e) {
                throw e;
            } catch (RuntimeException e) {
                throw violation("input-shape", data);
            }
            if (!logits.getShape().equals(new Shape(n, data.classes()))) {
                throw violation("output-shape", data);
            }
            for (float v : logits.toFloatArray()) {
                if (!Float.isFinite(v)) {
                    throw violation("finite-output", data);
                }
            }
        }
    }

    /**
     * The refusal for a broken check, in words of ours only: what the model said (an error's text, the shape or the
     * values it returned) is its author's to choose, and never reaches a report.
     */
    public static Violation violation(String check, Dataset data) {
        int n = Math.min(PROBE, data.size());
        Shape images = new Shape(n, data.channels(), data.height(), data.width());
        return switch (check) {
            case "input-shape" -> new Violation(check, "the model does not run on " + data.name() + " images " + images
                    + " (N×C×H×W floats in [0, 1])");
            case "output-shape" -> new Violation(check, "expected logits " + new Shape(n, data.classes()) + " (N × the "
                    + data.classes() + " classes of " + data.name() + ") for " + n + " images");
            case "finite-output" -> new Violation(check, "the logits of " + data.name() + " images are not all finite");
            default -> throw new IllegalArgumentException("no model check '" + check + "'");
        };
    }
}

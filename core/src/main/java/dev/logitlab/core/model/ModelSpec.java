package dev.logitlab.core.model;

import dev.logitlab.core.data.Dataset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything needed to rebuild the same network: the architecture name and the input/output shape.
 * Architectures: {@code linear}, {@code mlp}, {@code small-cnn}, {@code wrn-<depth>-<width>}.
 */
public record ModelSpec(String architecture, int channels, int height, int width, int classes) {

    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");

    public ModelSpec {
        if (architecture == null || !isKnown(architecture)) {
            throw new IllegalArgumentException("unknown model '" + architecture
                    + "'; known: linear, mlp, small-cnn, wrn-<depth>-<width> (depth = 6n+4, e.g. wrn-28-10)");
        }
        if (channels <= 0 || height <= 0 || width <= 0 || classes < 2) {
            throw new IllegalArgumentException("model input must be C×H×W > 0 with at least 2 classes, got "
                    + channels + "×" + height + "×" + width + ", " + classes + " classes");
        }
    }

    /** The spec for an architecture applied to a data set's image shape and classes. */
    public static ModelSpec of(String architecture, Dataset data) {
        return new ModelSpec(architecture, data.channels(), data.height(), data.width(), data.classes());
    }

    /**
     * About how many weights the spec asks for, counting a Wide-ResNet's 3×3 convolutions (two per block, n = (depth −
     * 4) / 6 blocks in each of three groups of width 16k, 32k, 64k: 18·n·k²·(16² + 32² + 64²), within 6 % of the
     * true count for WRN-28-10); 0 for the fixed architectures, all far under a million. What a size limit reads.
     */
    public long approximateWeights() {
        if (!WRN.matcher(architecture).matches()) {
            return 0;
        }
        int[] shape = wideResNetShape();
        long n = (shape[0] - 4) / 6;
        long k = shape[1];
        return 18 * n * k * k * (16 * 16 + 32 * 32 + 64 * 64);
    }

    /** The (depth, widen factor) of a Wide-ResNet spec. */
    int[] wideResNetShape() {
        Matcher m = WRN.matcher(architecture);
        if (!m.matches()) {
            throw new IllegalStateException(architecture + " is not a Wide-ResNet");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static boolean isKnown(String architecture) {
        return switch (architecture) {
            case "linear", "mlp", "small-cnn" -> true;
            default -> {
                Matcher m = WRN.matcher(architecture);
                yield m.matches() && (Integer.parseInt(m.group(1)) - 4) % 6 == 0 && Integer.parseInt(m.group(1)) >= 10
                        && Integer.parseInt(m.group(2)) >= 1;
            }
        };
    }
}

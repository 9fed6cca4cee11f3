package dev.logitlab.core.attack;

import java.util.SplittableRandom;

/**
 * The ℓ2 proposals of the Square attack (Andriushchenko et al. 2020, Sec. 3.2). A window's update is a
 * "pseudo-Gaussian" pattern: concentric squares weighted Σ 1/(r+1)² around the centre of each half of the window,
 * the two halves of opposite sign, randomly transposed. The start tiles the image with such patterns. Each query
 * takes the mass of a second random window, moves it into the first (whose old content keeps its direction and
 * gets a fresh pattern added), and rescales the perturbation to length ε, so the budget is always spent. Works on
 * Java arrays of images in [0, 1], as {@link SquareAttack} keeps them.
 */
final class SquareL2 {

    /** The start tiles the image with squares of side h / {@value #TILES}, centred. */
    private static final int TILES = 5;

    private SquareL2() {
    }

    /** The start: tiles of ±pattern per channel, scaled to ‖δ‖₂ = ε, clipped to the image range. */
    static void init(SplittableRandom[] random, float[] clean, float[] best, int n, int c, int h, int w, float eps) {
        int d = c * h * w;
        int s = Math.max(1, h / TILES);
        int rowStart = (h - s * (h / s)) / 2;
        int colStart = (w - s * (w / s)) / 2;
        float[] delta = new float[d];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(delta, 0);
            for (int top = rowStart; top + s <= h; top += s) {
                for (int left = colStart; left + s <= w; left += s) {
                    float[] pattern = pattern(s, random[i]);
                    for (int ch = 0; ch < c; ch++) {
                        float sign = random[i].nextBoolean() ? 1 : -1;
                        for (int r = 0; r < s; r++) {
                            for (int q = 0; q < s; q++) {
                                delta[(ch * h + top + r) * w + left + q] += sign * pattern[r * s + q];
                            }
                        }
                    }
                }
            }
            place(clean, i * d, delta, best, i * d, d, eps);
        }
    }

    /**
     * Writes into slot a of {@code candidate} example i's best image with window 1 (random, side {@code s})
     * replaced by its old direction plus a fresh pattern, window 2 emptied, and the freed budget moved to window 1.
     */
    static void propose(SplittableRandom random, float[] clean, float[] best, float[] candidate, int a, int i,
                        int c, int h, int w, int s, float eps) {
        int d = c * h * w;
        float[] delta = new float[d];
        double total = 0;
        for (int k = 0; k < d; k++) {
            delta[k] = best[i * d + k] - clean[i * d + k];
            total += (double) delta[k] * delta[k];
        }
        int top1 = random.nextInt(h - s + 1), left1 = random.nextInt(w - s + 1);
        int top2 = random.nextInt(h - s + 1), left2 = random.nextInt(w - s + 1);
        // What the clipping to [0, 1] took from the budget goes back into the window, spread over the channels.
        double spare = Math.max(0, (double) eps * eps - total) / c;
        float[] pattern = pattern(s, random);
        float[] window = new float[s * s];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            double inFirst = 0, inBoth = 0;
            for (int r = 0; r < h; r++) {
                for (int q = 0; q < w; q++) {
                    boolean first = within(r, q, top1, left1, s);
                    if (first || within(r, q, top2, left2, s)) {
                        double v = delta[base + r * w + q];
                        inBoth += v * v;
                        inFirst += first ? v * v : 0;
                    }
                }
            }
            double oldLength = Math.sqrt(inFirst) + 1e-12;
            float sign = random.nextBoolean() ? 1 : -1;
            double length = 0;
            for (int r = 0; r < s; r++) {
                for (int q = 0; q < s; q++) {
                    float v = (float) (sign * pattern[r * s + q] + delta[base + (top1 + r) * w + left1 + q] / oldLength);
                    window[r * s + q] = v;
                    length += (double) v * v;
                }
            }
            float scale = (float) (Math.sqrt(spare + inBoth) / (Math.sqrt(length) + 1e-12));
            for (int r = 0; r < s; r++) {
                for (int q = 0; q < s; q++) {
                    delta[base + (top2 + r) * w + left2 + q] = 0;
                }
            }
            for (int r = 0; r < s; r++) {
                for (int q = 0; q < s; q++) {
                    delta[base + (top1 + r) * w + left1 + q] = window[r * s + q] * scale;
                }
            }
        }
        place(clean, i * d, delta, candidate, a * d, d, eps);
    }

    /**
     * The s×s pattern of unit ℓ2 norm: the upper ⌊s/2⌋ rows hold concentric squares weighted Σ_{r ≥ ring} 1/(r+1)²,
     * the lower rows the same with the opposite sign; transposed with probability ½.
     */
    static float[] pattern(int s, SplittableRandom random) {
        float[] out = new float[s * s];
        int upper = s / 2;
        fill(out, s, 0, upper, 1);
        fill(out, s, upper, s - upper, -1);
        double length = 0;
        for (float v : out) {
            length += (double) v * v;
        }
        boolean transpose = random.nextBoolean();
        float[] result = new float[s * s];
        for (int r = 0; r < s; r++) {
            for (int q = 0; q < s; q++) {
                result[transpose ? q * s + r : r * s + q] = (float) (out[r * s + q] / Math.sqrt(length));
            }
        }
        return result;
    }

    /** Rows [from, from + rows) of an s-wide pattern: rings around the block's centre, then normalised to one. */
    private static void fill(float[] out, int s, int from, int rows, float sign) {
        if (rows == 0) {
            return;
        }
        int centreRow = rows / 2, centreCol = s / 2;
        int rings = Math.max(rows / 2 + 1, s / 2 + 1);
        double length = 0;
        double[] block = new double[rows * s];
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < s; q++) {
                int ring = Math.max(Math.abs(r - centreRow), Math.abs(q - centreCol));
                double v = 0;
                for (int k = ring; k < rings; k++) {
                    v += 1.0 / ((k + 1.0) * (k + 1.0));
                }
                block[r * s + q] = v;
                length += v * v;
            }
        }
        for (int k = 0; k < block.length; k++) {
            out[from * s + k] = (float) (sign * block[k] / Math.sqrt(length));
        }
    }

    private static boolean within(int r, int q, int top, int left, int s) {
        return r >= top && r < top + s && q >= left && q < left + s;
    }

    /** target[to..] = clip(clean[from..] + ε·δ/‖δ‖₂, 0, 1). */
    private static void place(float[] clean, int from, float[] delta, float[] target, int to, int d, float eps) {
        double length = 0;
        for (float v : delta) {
            length += (double) v * v;
        }
        float scale = (float) (eps / (Math.sqrt(length) + 1e-12));
        for (int k = 0; k < d; k++) {
            target[to + k] = SquareAttack.clamp(clean[from + k] + delta[k] * scale);
        }
    }
}

package dev.logitlab.core.attack;

/**
 * The smallest perturbation d, in ℓ∞ or ℓ2, that puts a point p on the hyperplane w·(p + d) = w·p + c while
 * p + d stays in the image box [0, 1]: FAB's projection step (Croce &amp; Hein 2020, Sec. 3.1).
 *
 * <p>Both norms reduce to one problem. Moving each coordinate towards the hyperplane by at most its room r_k to
 * the box edge, the best reachable change of w·d at size t is Σ a_k·min(t, b_k), increasing and piecewise linear
 * in t: for ℓ∞ a_k = |w_k|, b_k = r_k (every coordinate moves t); for ℓ2 a_k = w_k², b_k = r_k/|w_k| (coordinate k
 * moves t·|w_k|, the KKT solution d = clip(λw)). Sorting the b_k gives the exact t. When the box cannot reach the
 * hyperplane, every coordinate goes to its edge: the closest the box allows.
 */
final class BoundaryProjection {

    private BoundaryProjection() {
    }

    /**
     * Writes into {@code out[offset, offset + length)} the smallest d with w·d = c (as near as the box allows) for
     * the point {@code p[offset, …)} and normal {@code w[offset, …)}.
     */
    static void project(Norm norm, float[] p, float[] w, int offset, int length, double c, float[] out) {
        java.util.Arrays.fill(out, offset, offset + length, 0f);
        if (c == 0) {
            return;
        }
        double direction = Math.signum(c);
        // Each movable coordinate as (b_k, k) packed in a long: b_k ≥ 0, so its float bits sort like the value.
        long[] byB = new long[length];
        double slope = 0;
        int m = 0;
        for (int k = 0; k < length; k++) {
            double wk = w[offset + k];
            double room = wk * direction > 0 ? 1 - p[offset + k] : p[offset + k];
            if (wk != 0 && room > 0) {
                slope += a(norm, wk);
                byB[m++] = (long) Float.floatToIntBits((float) b(norm, wk, room)) << 32 | k;
            }
        }
        java.util.Arrays.sort(byB, 0, m);
        double target = Math.abs(c);
        double reached = 0;
        double t = Double.POSITIVE_INFINITY;
        double previous = 0;
        for (int s = 0; s < m; s++) {
            int k = (int) byB[s];
            double bk = Float.intBitsToFloat((int) (byB[s] >>> 32));
            double next = reached + slope * (bk - previous);
            if (next >= target) {
                t = previous + (target - reached) / slope;
                break;
            }
            reached = next;
            previous = bk;
            slope -= a(norm, w[offset + k]);
        }
        for (int s = 0; s < m; s++) {
            int k = (int) byB[s];
            double wk = w[offset + k];
            double bk = Float.intBitsToFloat((int) (byB[s] >>> 32));
            double move = Math.min(t, bk) * (norm == Norm.LINF ? 1 : Math.abs(wk));
            out[offset + k] = (float) (Math.signum(wk) * direction * move);
        }
    }

    private static double a(Norm norm, double wk) {
        return norm == Norm.LINF ? Math.abs(wk) : wk * wk;
    }

    private static double b(Norm norm, double wk, double room) {
        return norm == Norm.LINF ? room : room / Math.abs(wk);
    }
}

package dev.logitlab.core.verdict;

import java.util.Comparator;
import java.util.stream.IntStream;

/** Holm's step-down adjustment for a family of tests (Holm 1979): the family-wise error stays at α. */
public final class Holm {

    private Holm() {
    }

    /**
     * With the m p-values sorted ascending, p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎); NaN (no test) stays NaN
     * and does not count in m.
     */
    public static double[] adjust(double[] p) {
        Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed()
                .sorted(Comparator.comparingDouble(i -> p[i])).toArray(Integer[]::new);
        double[] adjusted = p.clone();
        double running = 0;
        for (int rank = 0; rank < order.length; rank++) {
            running = Math.max(running, Math.min(1, (order.length - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}

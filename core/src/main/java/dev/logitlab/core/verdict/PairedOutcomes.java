package dev.logitlab.core.verdict;

import java.util.stream.IntStream;

/**
 * Two checkpoints judged on the same examples, as a 2×2 table of per-example outcomes: {@code both} robust under the
 * baseline and the candidate, {@code baselineOnly} (the negative flips: examples the baseline withstood and the
 * candidate loses), {@code candidateOnly}, {@code neither}. Only the discordant examples tell the two apart.
 */
public record PairedOutcomes(int both, int baselineOnly, int candidateOnly, int neither, int[] negativeFlips) {

    /** From two outcome strings ({@code 1}: robust; {@code 0} or {@code x}: not) over the same examples. */
    public static PairedOutcomes of(String baseline, String candidate) {
        if (baseline == null || candidate == null) {
            throw new IllegalArgumentException("a paired comparison needs per-example outcomes of both checkpoints");
        }
        if (baseline.length() != candidate.length() || baseline.isEmpty()) {
            throw new IllegalArgumentException("the two outcome strings cover " + baseline.length() + " and "
                    + candidate.length() + " examples: not the same examples");
        }
        int both = 0;
        int baselineOnly = 0;
        int candidateOnly = 0;
        int neither = 0;
        for (int i = 0; i < baseline.length(); i++) {
            boolean b = baseline.charAt(i) == '1';
            boolean c = candidate.charAt(i) == '1';
            if (b && c) {
                both++;
            } else if (b) {
                baselineOnly++;
            } else if (c) {
                candidateOnly++;
            } else {
                neither++;
            }
        }
        int[] flips = IntStream.range(0, baseline.length())
                .filter(i -> baseline.charAt(i) == '1' && candidate.charAt(i) != '1').toArray();
        return new PairedOutcomes(both, baselineOnly, candidateOnly, neither, flips);
    }

    public int examples() {
        return both + baselineOnly + candidateOnly + neither;
    }

    public double baselineAccuracy() {
        return (both + baselineOnly) / (double) examples();
    }

    public double candidateAccuracy() {
        return (both + candidateOnly) / (double) examples();
    }

    /** acc(candidate) − acc(baseline) = (candidateOnly − baselineOnly) / n. */
    public double difference() {
        return (candidateOnly - baselineOnly) / (double) examples();
    }

    /** The share of all examples the candidate newly loses. */
    public double negativeFlipRate() {
        return baselineOnly / (double) examples();
    }
}

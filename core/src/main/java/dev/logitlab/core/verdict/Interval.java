package dev.logitlab.core.verdict;

/** A confidence interval [lower, upper] for an accuracy or a difference of accuracies. */
public record Interval(double lower, double upper) {

    public Interval {
        if (!(lower <= upper)) {
            throw new IllegalArgumentException("an interval's lower bound " + lower + " is above its upper " + upper);
        }
    }

    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }

    /** True when the two share a point: their difference cannot be told from noise this way. */
    public boolean overlaps(Interval other) {
        return lower <= other.upper && other.lower <= upper;
    }

    /** {@code [lower, upper]}, as the reports' JSON carries it. */
    public java.util.List<Double> toList() {
        return java.util.List.of(lower, upper);
    }

    /** The interval a report carries as {@code [lower, upper]}; null when absent. */
    public static Interval of(java.util.List<Double> bounds) {
        return bounds == null || bounds.size() != 2 ? null : new Interval(bounds.get(0), bounds.get(1));
    }
}

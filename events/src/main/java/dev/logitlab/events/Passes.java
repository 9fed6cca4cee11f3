package dev.logitlab.events;

import java.util.Collection;

/**
 * What a piece of an evaluation cost in the network: {@code forward}, the examples pushed forward through the model;
 * {@code backward}, those whose input gradient was also taken (each is one forward and one backward pass). One
 * example's pass is one row of a batch, so the count is the same on any machine and comparable with other
 * implementations' (AutoAttack's, A3's): time moves from run to run, these do not. A randomized model's expectation
 * over transformation counts every draw.
 */
public record Passes(long forward, long backward) {

    public static final Passes NONE = new Passes(0, 0);

    public Passes {
        if (forward < 0 || backward < 0 || backward > forward) {
            throw new IllegalArgumentException("passes must be counts, every backward pass after a forward one: "
                    + forward + " forward, " + backward + " backward");
        }
    }

    public Passes plus(Passes other) {
        return other == null ? this : new Passes(forward + other.forward, backward + other.backward);
    }

    public Passes minus(Passes earlier) {
        return new Passes(forward - earlier.forward, backward - earlier.backward);
    }

    /**
     * The sum; null when one of them was not counted (a record written before passes were), since a sum without it
     * would be too low.
     */
    public static Passes sum(Collection<Passes> parts) {
        Passes total = NONE;
        for (Passes p : parts) {
            if (p == null) {
                return null;
            }
            total = total.plus(p);
        }
        return total;
    }

    /** Forward and backward passes together, the unit AutoAttack's cost is usually quoted in. */
    public long total() {
        return forward + backward;
    }
}

package dev.logitlab.core.model;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A wall-clock limit on the work a thread does with models: a shard, an analysis, an arrival check. Every forward
 * pass of a model of ours checks it ({@link #check()}, between calls: our code returns); a model from outside runs in
 * a worker that is killed when the deadline passes, whatever it is doing ({@code SandboxedClassifier}). Deadlines
 * nest: the inner one never outlives the outer.
 */
public final class Deadline {

    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

    private final long at;
    private final Duration limit;
    private final String setting;

    private Deadline(long at, Duration limit, String setting) {
        this.at = at;
        this.limit = limit;
        this.setting = setting;
    }

    /** Work that ran past its deadline; the message names the limit and the setting that sets it. */
    public static final class Exceeded extends RuntimeException {
        Exceeded(Deadline d) {
            super("ran past its time limit of " + d.describe());
        }
    }

    /** Runs {@code work} with at most {@code limit} for it, {@code setting} naming where the limit is configured. */
    public static <T> T within(Duration limit, String setting, Supplier<T> work) {
        Deadline outer = CURRENT.get();
        long now = System.nanoTime();
        long nanos = limit.toNanos();
        long at = nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
        Deadline inner = outer != null && outer.at - at < 0 ? outer : new Deadline(at, limit, setting);
        CURRENT.set(inner);
        try {
            return work.get();
        } finally {
            CURRENT.set(outer);
        }
    }

    /** The deadline of this thread's work, or null when it has none. */
    public static Deadline current() {
        return CURRENT.get();
    }

    /** Throws {@link Exceeded} when this thread's work is past its deadline. */
    public static void check() {
        Deadline d = CURRENT.get();
        if (d != null && d.remainingNanos() <= 0) {
            throw new Exceeded(d);
        }
    }

    public long remainingNanos() {
        return at - System.nanoTime();
    }

    /** "600 s (logitlab.attack.shard-timeout)". */
    public String describe() {
        return limit.toSeconds() + " s (" + setting + ")";
    }
}

package dev.logitlab.core.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.logitlab.core.model.Classifier;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A model that stops answering once a shard has run out of time. Every attack calls its model, at every step, so
 * a deadline checked here bounds any attack, whatever its options, without a check in each attack's loop; the
 * shard ends with {@link Exceeded} and the arrays it held are released by their managers on the way out.
 */
public final class ShardTimeLimit implements Classifier {

    /** A shard stopped at its time limit. */
    public static final class Exceeded extends RuntimeException {
        Exceeded(Duration limit) {
            super("the shard ran past its time limit of " + limit.toSeconds() + " s (logitlab.attack.shard-timeout)");
        }
    }

    private final Classifier model;
    private volatile long deadline = Long.MAX_VALUE;
    private volatile Duration limit = Duration.ZERO;

    public ShardTimeLimit(Classifier model) {
        this.model = model;
    }

    /** Runs {@code work} with the model answering for at most {@code limit}. */
    public <T> T within(Duration limit, Supplier<T> work) {
        this.limit = limit;
        long now = System.nanoTime();
        long nanos = limit.toNanos();
        deadline = nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
        try {
            return work.get();
        } finally {
            deadline = Long.MAX_VALUE;
        }
    }

    private void check() {
        if (System.nanoTime() - deadline > 0 && deadline != Long.MAX_VALUE) {
            throw new Exceeded(limit);
        }
    }

    @Override
    public String description() {
        return model.description();
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public NDArray logits(NDArray images) {
        check();
        return model.logits(images);
    }

    @Override
    public NDArray gradient(NDArray images, UnaryOperator<NDArray> lossOfLogits) {
        check();
        return model.gradient(images, lossOfLogits);
    }

    @Override
    public void close() {
        model.close();
    }
}

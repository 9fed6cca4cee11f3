package dev.logitlab.core.data;

/** The two splits of a data set, as published. */
public record TrainTestSplit(Dataset train, Dataset test) {

    /** Keeps the first {@code trainLimit} training and {@code testLimit} test examples (≤ 0: all). */
    public TrainTestSplit limit(int trainLimit, int testLimit) {
        return new TrainTestSplit(train.limit(trainLimit), test.limit(testLimit));
    }
}

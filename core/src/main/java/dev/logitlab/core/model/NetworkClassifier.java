package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** A logitlab network under evaluation: weights frozen for good, batch norm in inference mode. */
public final class NetworkClassifier implements Classifier, Classifier.WithFeatures {

    private final Network network;
    private final String description;

    public NetworkClassifier(Network network, String description) {
        this.network = network;
        this.description = description;
        network.freeze();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public NDManager manager() {
        return network.manager();
    }

    @Override
    public NDArray logits(NDArray images) {
        return MicroBatches.forward(x -> network.forward(x, false), images);
    }

    @Override
    public NDArray features(NDArray images) {
        return MicroBatches.forward(network::features, images);
    }

    @Override
    public void close() {
        network.close();
    }
}

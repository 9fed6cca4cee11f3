package dev.logitlab.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A DJL block built from a {@link ModelSpec}, with its parameters in a manager of its own. */
public final class Network implements AutoCloseable {

    private final ModelSpec spec;
    private final NDManager manager;
    private final Block block;
    private final ParameterStore store;

    private Network(ModelSpec spec, long seed) {
        this.spec = spec;
        this.manager = Torch.engine().newBaseManager();
        this.block = Architectures.build(spec);
        Torch.seed(seed);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, spec.channels(), spec.height(), spec.width()));
        this.store = new ParameterStore(manager, false);
    }

    /** A freshly initialised network; the same spec and seed give the same weights. */
    public static Network create(ModelSpec spec, long seed) {
        return new Network(spec, seed);
    }

    /** The network of a spec with parameters as {@link #saveParameters} wrote them; {@code source} names them in errors. */
    public static Network load(ModelSpec spec, java.io.InputStream parameters, String source) {
        Network network = new Network(spec, 0);
        network.loadParameters(parameters, source);
        return network;
    }

    public ModelSpec spec() {
        return spec;
    }

    public NDManager manager() {
        return manager;
    }

    /** Logits (N×K) for images (N×C×H×W in [0, 1]); {@code training} switches batch norm to batch statistics. */
    public NDArray forward(NDArray images, boolean training) {
        return block.forward(store, new NDList(images), training).singletonOrThrow();
    }

    /**
     * The penultimate representation (the input of the last layer) for images in inference mode: what the
     * binarization test trains its own readout on.
     */
    public NDArray features(NDArray images) {
        if (!(block instanceof ai.djl.nn.SequentialBlock sequential)) {
            throw new IllegalStateException(spec.architecture() + " is not a sequence of layers");
        }
        NDList x = new NDList(images);
        List<Block> layers = sequential.getChildren().values();
        for (int i = 0; i < layers.size() - 1; i++) {
            x = layers.get(i).forward(store, x, false);
        }
        return x.singletonOrThrow();
    }

    /** The parameters an optimiser updates, in a fixed order (running statistics excluded). */
    public List<Parameter> trainableParameters() {
        List<Parameter> trainable = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                trainable.add(p.getValue());
            }
        }
        return trainable;
    }

    /**
     * Stops recording weight gradients until the returned handle is closed, so that an attack's backward
     * pass computes input gradients only.
     */
    public Frozen freeze() {
        List<Parameter> trainable = trainableParameters();
        trainable.forEach(p -> p.getArray().setRequiresGradient(false));
        return () -> trainable.forEach(p -> p.getArray().setRequiresGradient(true));
    }

    /** Handle returned by {@link #freeze()}. */
    public interface Frozen extends AutoCloseable {
        @Override
        void close();
    }

    public void saveParameters(Path file) {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write parameters to " + file, e);
        }
    }

    /** Parameters as {@link #saveParameters} wrote them; {@code file} names them in errors. */
    public void loadParameters(java.io.InputStream parameters, String file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(parameters))) {
            block.loadParameters(manager, in);
            // Loaded arrays are plain tensors: make the weights trainable again, as initialisation does.
            trainableParameters().forEach(p -> p.getArray().setRequiresGradient(true));
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot read parameters of " + spec.architecture() + " from " + file
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

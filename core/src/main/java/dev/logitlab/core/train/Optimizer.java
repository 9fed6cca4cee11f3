package dev.logitlab.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Updates parameters from their gradients with libtorch's fused update kernels. Unlike DJL's optimisers it
 * can save and restore its state (step count, moments), so a resumed run continues exactly where it stopped.
 */
public abstract sealed class Optimizer permits Optimizer.Adam, Optimizer.SgdMomentum {

    protected final float learningRate;
    protected final List<NDArray[]> state = new ArrayList<>();
    protected long steps;

    Optimizer(float learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** {@code adam} or {@code sgd} (with momentum 0.9). */
    public static Optimizer of(String name, double learningRate) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam((float) learningRate);
            case "sgd" -> new SgdMomentum((float) learningRate, 0.9f);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: adam, sgd");
        };
    }

    /** One update of every parameter from its gradient; the gradients are zeroed afterwards. */
    public void step(List<Parameter> parameters) {
        steps++;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            if (state.size() <= i) {
                state.add(newState(weight));
            }
            try (NDArray gradient = weight.getGradient()) {
                update(weight, gradient, state.get(i));
                gradient.subi(gradient);
            }
        }
    }

    abstract NDArray[] newState(NDArray weight);

    abstract void update(NDArray weight, NDArray gradient, NDArray[] slots);

    public void save(DataOutputStream out) throws IOException {
        out.writeUTF(getClass().getSimpleName());
        out.writeLong(steps);
        out.writeInt(state.size());
        for (NDArray[] slots : state) {
            out.writeInt(slots.length);
            for (NDArray slot : slots) {
                byte[] bytes = slot.encode();
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
    }

    public void load(DataInputStream in, NDManager manager) throws IOException {
        String kind = in.readUTF();
        if (!kind.equals(getClass().getSimpleName())) {
            throw new IOException("optimizer state is for " + kind + ", this run uses " + getClass().getSimpleName());
        }
        steps = in.readLong();
        state.clear();
        int parameters = in.readInt();
        for (int i = 0; i < parameters; i++) {
            NDArray[] slots = new NDArray[in.readInt()];
            for (int s = 0; s < slots.length; s++) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                slots[s] = NDArray.decode(manager, bytes);
            }
            state.add(slots);
        }
    }

    /** Adam (Kingma &amp; Ba 2015), β1 = 0.9, β2 = 0.999, ε = 1e-8, with bias correction. */
    public static final class Adam extends Optimizer {
        private static final float BETA1 = 0.9f;
        private static final float BETA2 = 0.999f;

        Adam(float learningRate) {
            super(learningRate);
        }

        @Override
        NDArray[] newState(NDArray weight) {
            return new NDArray[] {weight.zerosLike(), weight.zerosLike()};
        }

        @Override
        void update(NDArray weight, NDArray gradient, NDArray[] slots) {
            double correction = Math.sqrt(1 - Math.pow(BETA2, steps)) / (1 - Math.pow(BETA1, steps));
            weight.getNDArrayInternal().adamUpdate(
                    new NDList(weight, gradient, slots[0], slots[1]), new NDList(weight),
                    learningRate, (float) (learningRate * correction), 0f, 1f, -1f, BETA1, BETA2, 1e-8f, true, false);
        }
    }

    /** Stochastic gradient descent with heavy-ball momentum. */
    public static final class SgdMomentum extends Optimizer {
        private final float momentum;

        SgdMomentum(float learningRate, float momentum) {
            super(learningRate);
            this.momentum = momentum;
        }

        @Override
        NDArray[] newState(NDArray weight) {
            return new NDArray[] {weight.zerosLike()};
        }

        @Override
        void update(NDArray weight, NDArray gradient, NDArray[] slots) {
            weight.getNDArrayInternal().sgdUpdate(
                    new NDList(weight, gradient, slots[0]), new NDList(weight),
                    learningRate, 0f, 1f, -1f, momentum, true);
        }
    }
}

package dev.logitlab.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.model.Classifier;
import dev.logitlab.core.model.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SPSA (Uesato et al. 2018): a gradient-free attack that estimates ∇ₓ of the margin z_y − max_{j≠y} z_j from
 * {@code samples} Rademacher probes ±δ·v, then takes an Adam step of size {@code lr} downhill and projects
 * onto the ε-ball ∩ [0, 1]. Probes are evaluated in chunks of at most {@link #CHUNK} images per forward pass.
 */
public record Spsa(Norm norm, int iterations, int samples, double delta, double lr) implements Attack {

    static final int CHUNK = 2048;

    public Spsa {
        if (iterations < 1 || samples < 1 || !(delta > 0) || !(lr > 0)) {
            throw new IllegalArgumentException("spsa needs iterations ≥ 1, samples ≥ 1, delta > 0 and lr > 0");
        }
    }

    @Override
    public String name() {
        return "spsa";
    }

    @Override
    public Map<String, Object> params(double epsilon) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("norm", norm.label());
        params.put("iterations", iterations);
        params.put("samples", samples);
        params.put("delta", delta);
        params.put("lr", lr);
        params.put("loss", "margin");
        return params;
    }

    @Override
    public double cost() {
        return 2.0 * iterations * samples;
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public boolean[] run(Classifier model, NDArray images, int[] labels, double epsilon, long seed) {
        try (NDManager scope = model.manager().newSubManager()) {
            Torch.seed(seed);
            NDArray x = AttackArrays.copy(images, scope);
            ActiveSet active = new ActiveSet(Losses.misclassified(model.logits(x), labels));
            int[] y = ActiveSet.rows(labels, active.index());
            NDArray clean = ActiveSet.rows(x, active.index());
            NDArray adversarial = clean;
            NDArray m = clean.zerosLike();
            NDArray v = clean.zerosLike();
            float eps = (float) epsilon;
            for (int it = 1; it <= iterations && !active.isEmpty(); it++) {
                try (NDScope step = new NDScope()) {
                    NDArray gradient = estimate(model, adversarial, y);
                    NDArray m1 = m.mul(0.9f).add(gradient.mul(0.1f));
                    NDArray v1 = v.mul(0.999f).add(gradient.square().mul(0.001f));
                    double correction = Math.sqrt(1 - Math.pow(0.999, it)) / (1 - Math.pow(0.9, it));
                    NDArray moved = adversarial.sub(m1.div(v1.sqrt().add(1e-8f)).mul((float) (lr * correction)));
                    NDArray next = norm.project(moved, clean, eps);
                    int[] keep = active.update(Losses.misclassified(model.logits(next), y));
                    NDArray[] state = {next, clean, m1, v1};
                    if (keep != null) {
                        for (int s = 0; s < state.length; s++) {
                            state[s] = ActiveSet.rows(state[s], keep);
                        }
                        y = ActiveSet.rows(y, keep);
                    }
                    NDScope.unregister(state);
                    AttackArrays.release(new NDArray[] {adversarial, clean, m, v}, state);
                    adversarial = state[0];
                    clean = state[1];
                    m = state[2];
                    v = state[3];
                }
            }
            return active.broken();
        }
    }

    /** The SPSA estimate of ∇ₓ margin for each example: mean over probes of (f(x+δv) − f(x−δv))/(2δ)·v. */
    private NDArray estimate(Classifier model, NDArray x, int[] y) {
        Shape shape = x.getShape();
        int n = (int) shape.get(0);
        int perChunk = Math.max(1, CHUNK / (2 * samples));
        NDList parts = new NDList();
        for (int from = 0; from < n; from += perChunk) {
            int to = Math.min(n, from + perChunk);
            int a = to - from;
            NDArray xa = x.get(from + ":" + to);
            Shape probes = new Shape(a, samples, shape.get(1), shape.get(2), shape.get(3));
            NDArray direction = x.getManager().randomUniform(-1, 1, probes).sign();
            NDArray centre = xa.expandDims(1);
            NDArray plus = centre.add(direction.mul((float) delta)).reshape(flat(shape));
            NDArray minus = centre.sub(direction.mul((float) delta)).reshape(flat(shape));
            int[] labels = new int[2 * a * samples];
            for (int i = 0; i < a; i++) {
                for (int s = 0; s < samples; s++) {
                    labels[i * samples + s] = y[from + i];
                    labels[a * samples + i * samples + s] = y[from + i];
                }
            }
            NDArray logits = model.logits(plus.concat(minus));
            NDArray f = Losses.margin(logits, AttackArrays.oneHot(labels, logits)).neg();
            NDArray difference = f.get(":" + a * samples).sub(f.get(a * samples + ":"))
                    .div((float) (2 * delta)).reshape(a, samples, 1, 1, 1);
            parts.add(direction.mul(difference).mean(new int[] {1}));
        }
        return parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts);
    }

    private static Shape flat(Shape shape) {
        return new Shape(-1, shape.get(1), shape.get(2), shape.get(3));
    }
}

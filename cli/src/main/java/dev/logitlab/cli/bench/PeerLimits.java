package dev.logitlab.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.logitlab.core.train.StepTimes;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Why a side-by-side ratio misses its goal, in numbers rather than prose: the examples each side pushed through the
 * network, the share of logitlab's time spent there, the FLOP rate those passes reached against libtorch's own
 * matrix-multiply rate on the same threads, and the ratio logitlab would reach with no time at all outside the
 * network (the floor that only fewer or faster passes can lower).
 */
final class PeerLimits {

    /** The goals: attacks in half the peer's time, training at 1.5 times its images a second. */
    static final double ATTACK_GOAL = 0.5;
    static final double TRAINING_GOAL = 1 / 1.5;

    /**
     * Examples through the network on one side: forward only, and forward with a backward to the input (about twice a
     * forward's FLOPs: the backward of each layer to its input costs what its forward does, weights are not
     * differentiated); the seconds inside those calls (the peer's: its forwards only).
     */
    record Passes(long forwardRows, long gradientRows, double networkSeconds) {

        double forwardEquivalents() {
            return forwardRows + 2.0 * gradientRows;
        }
    }

    private PeerLimits() {
    }

    /** libtorch's float32 matrix multiply (1024 × 1024) on this JVM's threads: the best FLOP rate it gets from this CPU. */
    static double gemmGflops(NDManager manager) {
        int n = 1024;
        int repeats = 20;
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomUniform(0, 1, new Shape(n, n));
            NDArray b = scope.randomUniform(0, 1, new Shape(n, n));
            a.matMul(b).close();
            long start = System.nanoTime();
            for (int r = 0; r < repeats; r++) {
                a.matMul(b).close();
            }
            return 2.0 * n * n * n * repeats / ((System.nanoTime() - start) / 1e9) / 1e9;
        }
    }

    /** One paragraph per row: an attack's passes, or a training step's phases. */
    static void print(PrintWriter out, List<BenchPeersCommand.Row> rows, long forwardFlops, double peakGflops, int threads) {
        out.printf(Locale.ROOT, "%nwhy, in numbers (libtorch's float32 matrix multiply here: %.1f GFLOP/s on %d threads%s)%n",
                peakGflops, threads, forwardFlops > 0 ? String.format(Locale.ROOT, "; the model's forward pass: %.2f MFLOP "
                        + "an example", forwardFlops / 1e6) : "");
        for (BenchPeersCommand.Row r : rows) {
            if (r.steps() != null) {
                training(out, r, forwardFlops, peakGflops);
            }
            if (r.passes() == null) {
                continue;
            }
            Passes ours = r.passes();
            double share = ours.networkSeconds() / r.seconds();
            double floor = ours.networkSeconds() / r.peerSeconds();
            out.printf(Locale.ROOT, "%s: %.2fx (goal %.1fx%s)%n", r.workload(), r.ratio(), ATTACK_GOAL,
                    r.ratio() <= ATTACK_GOAL ? ", met" : ", missed");
            out.printf(Locale.ROOT, "  example passes: logitlab %,d forward + %,d with a gradient", ours.forwardRows(),
                    ours.gradientRows());
            if (r.peerPasses() != null) {
                out.printf(Locale.ROOT, "; %s %,d + %,d (%.0f%% of its time in forward alone)", r.peer(),
                        r.peerPasses().forwardRows(), r.peerPasses().gradientRows(),
                        100 * r.peerPasses().networkSeconds() / r.peerSeconds());
            }
            out.println();
            out.printf(Locale.ROOT, "  inside the network: %.2f s of logitlab's %.2f s (%.0f%%)", ours.networkSeconds(),
                    r.seconds(), 100 * share);
            if (forwardFlops > 0 && ours.networkSeconds() > 0) {
                double gflops = forwardFlops * ours.forwardEquivalents() / ours.networkSeconds() / 1e9;
                out.printf(Locale.ROOT, ", at %.1f GFLOP/s (%.0f%% of the matrix-multiply rate)", gflops,
                        100 * gflops / peakGflops);
            }
            out.println();
            out.printf(Locale.ROOT, "  with nothing outside the network: %.2fx the peer's time%s%n", floor,
                    floor > ATTACK_GOAL ? String.format(Locale.ROOT, ": the goal needs %.2fx fewer or faster passes",
                            floor / ATTACK_GOAL) : ": the goal is within reach of what runs outside the network");
        }
        out.flush();
    }

    /**
     * A training row: where the best epoch's steps spent their time, the FLOP rate of forward and backward (three
     * forward passes' FLOPs an image: backward to the weights and to the activations), and the ratio with nothing
     * outside the network's passes (the defense's own passes, adversarial training's attack, count as inside).
     */
    private static void training(PrintWriter out, BenchPeersCommand.Row r, long forwardFlops, double peakGflops) {
        StepTimes t = r.steps();
        out.printf(Locale.ROOT, "%s: %.2fx the peer's time, %.2fx its images a second (goal %.1fx%s)%n", r.workload(),
                r.ratio(), 1 / r.ratio(), 1 / TRAINING_GOAL, r.ratio() <= TRAINING_GOAL ? ", met" : ", missed");
        out.printf(Locale.ROOT, "  a step's time: forward and backward %.0f%%, optimizer %.0f%%, defense inputs %.0f%%, "
                + "batch %.0f%%, the rest %.0f%%%n", 100 * t.forwardBackward() / t.total(), 100 * t.optimizer() / t.total(),
                100 * t.defense() / t.total(), 100 * t.batch() / t.total(), 100 * t.rest() / t.total());
        if (forwardFlops > 0 && t.forwardBackward() > 0) {
            double gflops = 3.0 * forwardFlops * t.images() / t.forwardBackward() / 1e9;
            out.printf(Locale.ROOT, "  forward and backward at %.1f GFLOP/s (%.0f%% of the matrix-multiply rate)%n", gflops,
                    100 * gflops / peakGflops);
        }
        double floor = r.ratio() * (t.forwardBackward() + t.defense()) / t.total();
        out.printf(Locale.ROOT, "  with nothing outside the network's passes: %.2fx the peer's time (%.2fx its images a "
                + "second)%s%n", floor, 1 / floor, floor > TRAINING_GOAL ? String.format(Locale.ROOT,
                        ": the goal needs passes %.2fx faster than libtorch runs them here", floor / TRAINING_GOAL)
                        : ": the goal is within reach of the step's own overhead");
    }
}

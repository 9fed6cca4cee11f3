package dev.logitlab.core.model;

import ai.djl.engine.Engine;

/** The PyTorch engine, configured once per JVM before its first use. */
public final class Torch {

    /**
     * libtorch's autograd recorder is global to the process (one GradientCollector at a time): every backward
     * pass holds this lock, so a service's threads (or a test beside them) never collide.
     */
    public static final java.util.concurrent.locks.ReentrantLock AUTOGRAD = new java.util.concurrent.locks.ReentrantLock();

    /** Whether this thread is recording a gradient: every GradientCollector is opened while holding {@link #AUTOGRAD}. */
    public static boolean recordingGradient() {
        return AUTOGRAD.isHeldByCurrentThread();
    }

    private static volatile boolean stopping;
    private static final java.util.concurrent.atomic.AtomicBoolean STOP_ON_EXIT = new java.util.concurrent.atomic.AtomicBoolean();

    private Torch() {
    }

    /** The process is stopping: the work ends at its next model call, and what is finished is kept where it was. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped: the process is shutting down");
        }
    }

    /**
     * From now on every model call throws {@link Stopped}. A process that exits must not leave a thread inside
     * libtorch: exit runs libtorch's static destructors, and a thread still executing a oneDNN primitive then jumps
     * through freed memory (a SIGSEGV in {@code dnnl_primitive_execute} or {@code getAccelerator}, as a SIGTERM
     * in the middle of an EOT evaluation showed). A shutdown hook calls this and waits for the work to unwind.
     */
    public static void stop() {
        stopping = true;
    }

    /**
     * Throws {@link Stopped} once {@link #stop()} was called: every forward pass of every model checks it, and every
     * request to a sandboxed model's worker.
     */
    public static void checkNotStopping() {
        if (stopping) {
            throw new Stopped();
        }
    }

    /**
     * Sets libtorch's intra-op thread count (≤ 0: libtorch's default). Only effective before the engine
     * loads, because DJL reads these properties once.
     */
    public static void threads(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    public static Engine engine() {
        // The CPU libtorch ships in a jar on the class path: never look for a download.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        // LOGITLAB_THREADS limits every JVM that loads the engine without being told otherwise: the services, the CLI
        // and the tests (LOGITLAB_THREADS=1 ./lab test runs the suite as a one-core machine would).
        String env = System.getenv("LOGITLAB_THREADS");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null && env != null && env.matches("[1-9][0-9]{0,3}")) {
            threads(Integer.parseInt(env));
        }
        // Every JVM that loads libtorch stops its model calls when it starts to exit (see stop()): a service's
        // shard then ends without a result (its replica is stopping) instead of running into exit's destructors.
        if (STOP_ON_EXIT.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(Torch::stop, "torch-stop"));
            } catch (IllegalStateException exiting) {
                stop();
            }
        }
        return Engine.getEngine("PyTorch");
    }

    /** Seeds libtorch's global generator (initialisers, noise, random starts). */
    public static void seed(long seed) {
        engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
    }
}

package dev.logitlab.core.sandbox;

import dev.logitlab.core.data.Datasets;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The model runner: where a service's workers run when the service itself may not start them, in a container of
 * their own that holds no credential (the chart's {@code model-runner}, beside each attack and analysis service).
 * It listens on a Unix socket in a volume the two containers share; for each connection it starts a
 * {@link ModelWorker} behind its walls, for the data set the connection's first line names, and passes bytes both
 * ways until either side closes, then kills the worker. The service speaks to the worker as if it had started it.
 *
 * <pre>java -cp … dev.logitlab.core.sandbox.ModelRunner --socket PATH [--walls container|bubblewrap]
 *     [--memory 6g] [--data-dir DIR]</pre>
 */
public final class ModelRunner {

    /** The connection's first line: the data set the worker will read, and what to call it in the log. */
    record Start(String dataset, String description) {
    }

    private ModelRunner() {
    }

    public static void main(String[] args) throws IOException {
        Path socket = null;
        Path dataDir = null;
        Sandbox sandbox = Sandbox.DEFAULTS.withWalls(Sandbox.Walls.CONTAINER);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[i + 1]);
                case "--walls" -> sandbox = sandbox.withWalls(Sandbox.Walls.valueOf(args[i + 1].toUpperCase(java.util.Locale.ROOT)));
                case "--memory" -> sandbox = sandbox.withMemory(Sandbox.bytes(args[i + 1]));
                case "--data-dir" -> dataDir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (socket == null) {
            throw new IllegalArgumentException("--socket PATH is required");
        }
        serve(socket, sandbox, dataDir);
    }

    /** Connections being served: a runner asked to stop waits for them (its hosts end them as they stop). */
    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /** How long a stopping runner waits for its hosts: below Kubernetes' default grace period of 30 s. */
    static final Duration GRACE = Duration.ofSeconds(25);

    /** Serves connections on {@code socket} until the process ends. */
    static void serve(Path socket, Sandbox sandbox, Path dataDir) throws IOException {
        // Stopping beside its service (a pod's containers get SIGTERM together), the runner must not end the
        // service's requests under it: they would read as crashed models. The service ends them as it stops.
        Worker.endWorkersOnExit(false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long until = System.nanoTime() + GRACE.toNanos();
            while (ACTIVE.get() > 0 && System.nanoTime() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "model-runner-drain"));
        Files.deleteIfExists(socket); // a runner restarted in the same volume
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.err.println("model runner: listening on " + socket + " (" + sandbox.walls() + ")");
            while (true) {
                SocketChannel host = server.accept();
                Thread connection = new Thread(() -> connect(host, sandbox, dataDir), "model-runner-connection");
                connection.setDaemon(true);
                connection.start();
            }
        }
    }

    private static void connect(SocketChannel host, Sandbox sandbox, Path dataDir) {
        ACTIVE.incrementAndGet();
        Worker worker = null;
        try (host) {
            InputStream fromHost = Channels.newInputStream(host);
            String line = WorkerAnswers.readLine(fromHost);
            if (line == null) {
                return;
            }
            Start start = WorkerProtocol.JSON.readValue(line, Start.class);
            worker = Worker.spawn(sandbox, Datasets.directory(start.dataset(), dataDir), start.description());
            SocketChannel toWorker = worker.channel();
            // either side's end closes both sockets, so the other direction ends too, and the worker with them
            Thread up = new Thread(() -> pipe(host, toWorker), "model-runner-up");
            up.setDaemon(true);
            up.start();
            pipe(toWorker, host);
        } catch (IOException | RuntimeException e) {
            System.err.println("model runner: a connection ended: " + e.getMessage());
        } finally {
            if (worker != null) {
                worker.kill(ModelFailure.Cause.CRASHED, "its host closed the connection");
                worker.close();
            }
            ACTIVE.decrementAndGet();
        }
    }

    /**
     * Copies bytes until either side ends, then closes both. Channel to channel: the streams of {@link Channels}
     * hold a channel's lock while they block in a read, so one thread reading a socket would keep the other from
     * writing to it.
     */
    private static void pipe(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException ignored) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}

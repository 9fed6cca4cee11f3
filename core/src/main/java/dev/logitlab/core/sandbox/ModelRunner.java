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

    /** Serves connections on {@code socket} until the process ends. */
    static void serve(Path socket, Sandbox sandbox, Path dataDir) throws IOException {
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
            // when the host's side ends, closing the worker's socket ends the worker too
            Thread up = new Thread(() -> pipe(host, toWorker, toWorker), "model-runner-up");
            up.setDaemon(true);
            up.start();
            pipe(toWorker, host, null);
        } catch (IOException | RuntimeException e) {
            System.err.println("model runner: a connection ended: " + e.getMessage());
        } finally {
            if (worker != null) {
                worker.kill(ModelFailure.Cause.CRASHED, "its host closed the connection");
                worker.close();
            }
        }
    }

    /**
     * Copies bytes until either side ends; then closes {@code then}, if any. Channel to channel: the streams of
     * {@link Channels} hold a channel's lock while they block in a read, so one thread reading a socket would keep
     * the other from writing to it.
     */
    private static void pipe(SocketChannel from, SocketChannel to, AutoCloseable then) {
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
            if (then != null) {
                try {
                    then.close();
                } catch (Exception ignored) {
                    // closed already
                }
            }
        }
    }
}

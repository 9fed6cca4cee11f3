package dev.logitlab.core.sandbox;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ModelWorker} and the socket to it: a process started here behind the sandbox's walls
 * ({@link #spawn}), or one a {@link ModelRunner} started in a container of its own ({@link #viaRunner}). Killing it
 * kills the whole process tree (or closes the runner's connection, and the runner kills it); the reason is kept for
 * the failure its host reports.
 */
final class Worker implements AutoCloseable {

    /** Lines a worker may print (the JVM's, libtorch's, the model's own {@code print}) before the rest is dropped. */
    static final int LOG_LINES = 200;

    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-worker-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** The workers of this process: killed as it exits, whatever the thread that waits on them is doing. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Worker::destroy), "model-workers-stop"));
    }

    private final Sandbox sandbox;
    private final Path folder;
    private final Process process;
    private final SocketChannel channel;
    private volatile ModelFailure.Cause killedFor;
    private volatile String killedDetail;

    private Worker(Sandbox sandbox, Path folder, Process process, SocketChannel channel) {
        this.sandbox = sandbox;
        this.folder = folder;
        this.process = process;
        this.channel = channel;
    }

    /**
     * Starts a worker here and waits for it to connect: a folder of its own holds the socket (and, outside
     * bubblewrap, its scratch files); {@code data} is the data set's directory (null: none).
     */
    static Worker spawn(Sandbox sandbox, Path data, String description) {
        Path folder;
        try {
            folder = Files.createTempDirectory("logitlab-sandbox-");
            Files.createDirectories(folder.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the model worker's folder", e);
        }
        Process process = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(folder.resolve(WorkerCommand.SOCKET_FILE)));
            ProcessBuilder builder = new ProcessBuilder(WorkerCommand.of(sandbox, folder, data)).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(WorkerCommand.environment(folder.resolve("tmp")));
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new ModelFailure(ModelFailure.Cause.UNAVAILABLE, sandbox.walls() == Sandbox.Walls.BUBBLEWRAP
                        ? "bubblewrap and prlimit are needed: apt-get install bubblewrap util-linux" : "java did not start");
            }
            drain(process, description);
            Process started = process;
            LIVE.add(started);
            started.onExit().thenRun(() -> LIVE.remove(started));
            return new Worker(sandbox, folder, process, accept(server, process, sandbox));
        } catch (IOException e) {
            destroy(process);
            delete(folder);
            throw new UncheckedIOException("cannot start the model worker: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            destroy(process);
            delete(folder);
            throw e;
        }
    }

    /** A worker a {@link ModelRunner} starts for {@code dataset} and connects this process to, through its socket. */
    static Worker viaRunner(Sandbox sandbox, String dataset, String description) {
        try {
            SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.runner()));
            var out = Channels.newOutputStream(channel);
            out.write((WorkerProtocol.JSON.writeValueAsString(new ModelRunner.Start(dataset, description)) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new Worker(sandbox, null, null, channel);
        } catch (IOException e) {
            throw new ModelFailure(ModelFailure.Cause.UNAVAILABLE, "no model runner at " + sandbox.runner());
        }
    }

    /** The worker's connection, or a failure saying why it never came within the start limit. */
    private static SocketChannel accept(ServerSocketChannel server, Process process, Sandbox sandbox) {
        Runnable stop = () -> {
            destroy(process);
            try {
                server.close(); // unblocks accept
            } catch (IOException ignored) {
                // closed already
            }
        };
        ScheduledFuture<?> late = WATCHDOG.schedule(stop, sandbox.startLimit().toNanos(), TimeUnit.NANOSECONDS);
        process.onExit().thenRun(stop); // a worker that dies before it connects never will
        try {
            return server.accept();
        } catch (IOException e) {
            throw new ModelFailure(ModelFailure.Cause.UNAVAILABLE, late.isDone()
                    ? "no connection within " + sandbox.startLimit().toSeconds() + " s" : exit(process));
        } finally {
            late.cancel(false);
        }
    }

    SocketChannel channel() {
        return channel;
    }

    Sandbox sandbox() {
        return sandbox;
    }

    ModelFailure.Cause killedFor() {
        return killedFor;
    }

    String killedDetail() {
        return killedDetail;
    }

    String cap() {
        return "cap " + (sandbox.memory() >> 20) + " MiB";
    }

    /** How the worker ended, in numbers: its exit status or the signal that killed it. */
    String exit() {
        return process == null ? "its runner closed the connection" : exit(process);
    }

    private static String exit(Process process) {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            return "still running";
        }
        int status = process.exitValue();
        return status > 128 ? "killed by signal " + (status - 128) : "exit status " + status;
    }

    /** Kills the worker and remembers why: its next read fails, and so does every later request. */
    void kill(ModelFailure.Cause cause, String detail) {
        if (killedFor == null) {
            killedFor = cause;
            killedDetail = detail;
        }
        destroy(process);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    @Override
    public void close() {
        try {
            channel.close(); // the worker ends when its input does
            if (process != null && !process.waitFor(5, TimeUnit.SECONDS)) {
                destroy(process);
            }
        } catch (IOException | InterruptedException e) {
            destroy(process);
        } finally {
            if (folder != null) {
                delete(folder);
            }
        }
    }

    static void destroy(Process process) {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void delete(Path path) {
        try (var files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // gone already
        }
    }

    /**
     * Copies the worker's output to this process's standard error, for operators: bounded in lines and length, each
     * line marked as the worker's, since the model writes there too. Never part of a report or a failure.
     */
    private static void drain(Process process, String description) {
        Thread drain = new Thread(() -> {
            try (var output = new InputStreamReader(new BufferedInputStream(process.getInputStream()),
                    StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder();
                int lines = 0;
                for (int c = output.read(); c >= 0; c = output.read()) {
                    if (c != '\n') {
                        if (line.length() < 300) {
                            line.append(Character.isISOControl(c) ? '?' : (char) c);
                        }
                        continue;
                    }
                    if (++lines <= LOG_LINES) {
                        System.err.println("model worker (" + description + "): " + line);
                    }
                    line.setLength(0);
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
        }, "model-worker-log");
        drain.setDaemon(true);
        drain.start();
    }
}

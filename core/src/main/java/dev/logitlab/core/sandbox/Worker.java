package dev.logitlab.core.sandbox;

import dev.logitlab.core.model.Torch;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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

    /** Kills workers at their deadlines; a deadline met is cancelled and forgotten at once. */
    static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "model-worker-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** The workers of this process, and the connections to the runner's: ended as it exits. */
    private static final Set<Worker> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean endOnExit = true;

    static {
        WATCHDOG.setRemoveOnCancelPolicy(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (endOnExit) {
                // stopping first: a request that loses its worker now ends as stopped, to be run again, not failed
                Torch.stop();
                LIVE.forEach(w -> w.kill(ModelFailure.Cause.CRASHED, "its host is stopping"));
            }
        }, "model-workers-stop"));
    }

    /**
     * Whether this process's exit ends its workers (yes, but in a {@link ModelRunner}: its hosts end their workers
     * by closing their connections, and a runner stopping beside a service must not fail the service's requests).
     */
    static void endWorkersOnExit(boolean end) {
        endOnExit = end;
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
            Worker worker = new Worker(sandbox, folder, process, accept(server, process, sandbox));
            LIVE.add(worker);
            return worker;
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
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(sandbox.runner()));
            var out = Channels.newOutputStream(channel);
            out.write((WorkerProtocol.JSON.writeValueAsString(new ModelRunner.Start(dataset, description)) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Worker worker = new Worker(sandbox, null, null, channel);
            LIVE.add(worker);
            return worker;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
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
        LIVE.remove(this);
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
        String name = printable(description, 120);
        Thread drain = new Thread(() -> {
            try (var output = new InputStreamReader(new BufferedInputStream(process.getInputStream()),
                    StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder();
                int lines = 0;
                for (int c = output.read(); c >= 0; c = output.read()) {
                    if (c != '\n') {
                        if (line.length() < 300) {
                            line.append((char) c);
                        }
                        continue;
                    }
                    if (++lines <= LOG_LINES) {
                        System.err.println("model worker (" + name + "): " + printable(line.toString(), 300));
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

    /**
     * Text as a log line may hold it: control, format (bidirectional overrides) and line-separator characters become
     * '?', so that no line can pass for another or hide what follows.
     */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            out.append(Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE ? '?' : c);
        }
        return out.toString();
    }
}

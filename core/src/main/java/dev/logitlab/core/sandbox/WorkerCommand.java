package dev.logitlab.core.sandbox;

import dev.logitlab.core.model.Torch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The command line that starts a {@link ModelWorker}: under bubblewrap, what the worker can see is listed here and
 * nothing else exists for it. Read-only: the system's libraries ({@code /usr}), the Java runtime, the jars the worker
 * runs from, libtorch, the data set; the socket to its host (the model comes over it). Writable: an in-memory
 * {@code /tmp} of a fixed size.
 * Not there: the host's home, its configuration, the store, any credential, {@code /sys}, the network (a namespace
 * with loopback only), other processes (a PID namespace), the host's environment (cleared).
 */
final class WorkerCommand {

    /** The worker's socket in its folder, and where the worker finds it and the data set inside the walls. */
    static final String SOCKET_FILE = "worker.sock";
    private static final Path SOCKET = Path.of("/run/logitlab/worker.sock");
    private static final Path DATA = Path.of("/data");

    private WorkerCommand() {
    }

    /** The command for a worker whose socket is in {@code folder}; {@code data}: the data set's directory, or null. */
    static List<String> of(Sandbox sandbox, Path folder, Path data) {
        List<String> command = new ArrayList<>();
        if (sandbox.walls() == Sandbox.Walls.BUBBLEWRAP) {
            // rlimits through util-linux's prlimit, inherited by bwrap and the worker it starts
            command.addAll(limits(sandbox));
            command.addAll(List.of("bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                    "--new-session", "--cap-drop", "ALL", "--clearenv", "--ro-bind", "/usr", "/usr"));
            command.addAll(systemRoots());
            // the in-memory folders a process may write to, each of a fixed size (/dev's shm too), mounted before the
            // binds: a jar under /tmp (a checkout there) stays visible over the new /tmp rather than hidden by it
            String size = Long.toString(sandbox.scratch());
            command.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm",
                    "--size", size, "--tmpfs", "/tmp"));
            for (Path p : readable()) {
                command.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
            if (data != null) {
                command.addAll(List.of("--ro-bind", data.toString(), DATA.toString()));
            }
            command.addAll(List.of("--bind", folder.resolve(SOCKET_FILE).toString(), SOCKET.toString(),
                    "--chdir", "/tmp"));
            environment(Path.of("/tmp")).forEach((k, v) -> command.addAll(List.of("--setenv", k, v)));
            command.add("--");
            command.addAll(java(Path.of("/tmp"), SOCKET.toString(), data == null ? null : DATA.toString()));
        } else {
            if (Files.isExecutable(PRLIMIT)) {
                command.addAll(limits(sandbox)); // one model's cap, below the container's for them all
            }
            command.addAll(java(folder.resolve("tmp"), folder.resolve(SOCKET_FILE).toString(),
                    data == null ? null : data.toString()));
        }
        return command;
    }

    static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

    /** util-linux's prlimit: the address space, the size of any file written, no core dump; inherited by children. */
    private static List<String> limits(Sandbox sandbox) {
        return List.of("prlimit", "--as=" + sandbox.memory(), "--fsize=" + sandbox.scratch(), "--core=0", "--nofile=512",
                "--");
    }

    /**
     * The system's other library and program folders as this machine has them: links into {@code /usr} where the
     * system merged them there (Debian since 12), the folders themselves where it did not (the images).
     */
    private static List<String> systemRoots() {
        List<String> roots = new ArrayList<>();
        for (String name : List.of("/lib", "/lib64", "/bin", "/sbin")) {
            Path path = Path.of(name);
            try {
                if (Files.isSymbolicLink(path)) {
                    roots.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), name));
                } else if (Files.isDirectory(path)) {
                    roots.addAll(List.of("--ro-bind", name, name));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return roots;
    }

    /** The environment the worker starts with (the host's is never passed on: it may hold credentials). */
    static Map<String, String> environment(Path tmp) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", tmp.toString());
        env.put("DJL_CACHE_DIR", tmp.resolve("djl").toString());
        env.put("ENGINE_CACHE_DIR", engineCache().toString());
        for (String passed : List.of("GLIBC_TUNABLES", "LOGITLAB_THREADS", "PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION",
                "PYTORCH_FLAVOR")) {
            String value = System.getenv(passed);
            if (value != null) {
                env.put(passed, value);
            }
        }
        return env;
    }

    private static List<String> java(Path tmp, String socket, String data) {
        // C1 only: a worker is a fresh JVM per evaluation whose Java is a thin loop around libtorch, and C2's
        // compiling takes the cores from the model (an evaluate of small-cnn: 77 s on C1, 91 s on C2, 85 s in the
        // CLI's own process; docs/benchmarks.md)
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Xss1m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m", "-XX:MaxMetaspaceSize=128m",
                "-XX:ErrorFile=" + tmp.resolve("hs_err.log"), "-Djava.io.tmpdir=" + tmp, "-Duser.home=" + tmp,
                "-Dai.djl.offline=true", "-Dslf4j.internal.verbosity=ERROR"));
        // more options for the worker's JVM, from whoever runs this process (not from the model's author)
        String extra = System.getProperty("logitlab.sandbox.java-options", "").trim();
        if (!extra.isEmpty()) {
            java.addAll(List.of(extra.split("\\s+")));
        }
        String threads = System.getProperty("ai.djl.pytorch.num_threads");
        if (threads != null) {
            java.add("-Dai.djl.pytorch.num_threads=" + threads);
            java.add("-Dai.djl.pytorch.num_interop_threads=1");
        }
        java.addAll(List.of("-cp", String.join(":", classpath().stream().map(Path::toString).toList()),
                ModelWorker.class.getName(), socket, data == null ? "-" : data));
        return java;
    }

    /**
     * Everything the worker reads besides its model: the Java runtime (and its configuration), its jars, libtorch
     * (DJL's extracted engines, and a libtorch of one's own where {@code PYTORCH_LIBRARY_PATH} names one). Never a
     * folder that holds the home folder: a bind that wide would show the worker {@code .lab}, keys and all.
     */
    static Set<Path> readable() {
        Set<Path> paths = new LinkedHashSet<>();
        Path javaHome = real(Path.of(System.getProperty("java.home")));
        if (!javaHome.startsWith("/usr")) {
            paths.add(javaHome);
        }
        // Debian's JDK keeps its configuration in /etc/java-NN-openjdk, linked from its conf folder
        try (Stream<Path> conf = Files.walk(javaHome.resolve("conf"))) {
            conf.filter(Files::isSymbolicLink).map(WorkerCommand::real).map(Path::getParent)
                    .filter(p -> !p.startsWith(javaHome) && !p.startsWith("/usr")).forEach(paths::add);
        } catch (IOException e) {
            // no conf folder: a runtime made by jlink keeps it inside
        }
        classpath().stream().filter(p -> !p.startsWith("/usr")).forEach(paths::add);
        Path engines = engineCache().resolve("pytorch");
        if (Files.isDirectory(engines)) {
            paths.add(real(engines));
        }
        String override = System.getenv("PYTORCH_LIBRARY_PATH");
        if (override != null) {
            paths.add(real(Path.of(override)));
        }
        Path ldCache = Path.of("/etc/ld.so.cache");
        if (Files.exists(ldCache)) {
            paths.add(ldCache);
        }
        Path home = real(Path.of(System.getProperty("user.home")));
        for (Path p : paths) {
            if (home.startsWith(p)) {
                throw new IllegalStateException("the model worker would see " + p + ", which holds the home folder "
                        + home + ": put libtorch and the jars elsewhere");
            }
        }
        return paths;
    }

    /**
     * DJL's engine cache, where the worker finds libtorch extracted: {@code ENGINE_CACHE_DIR} where it is set (the
     * images, where libtorch is extracted in advance), else DJL's own. The engine is loaded first, so that it has
     * been extracted there.
     */
    static Path engineCache() {
        String set = System.getenv("ENGINE_CACHE_DIR");
        if (set != null && !set.isBlank()) {
            return Path.of(set);
        }
        Torch.engine();
        return ai.djl.util.Utils.getEngineCacheDir();
    }

    /**
     * The jars (or class folders) of what the worker runs: logitlab's core, DJL and the PyTorch engine, its JNI
     * and native jars, and the libraries DJL loads. Taken from where this JVM loaded them, so the worker runs the same
     * code in the CLI, a service or a test.
     */
    static List<Path> classpath() {
        Set<Path> jars = new LinkedHashSet<>();
        for (String anchor : List.of("dev/logitlab/core/sandbox/ModelWorker.class", "dev/logitlab/events/Topics.class",
                "ai/djl/Model.class", "ai/djl/pytorch/engine/PtEngine.class", "jnilib/pytorch.properties",
                "native/lib/pytorch.properties", "com/google/gson/Gson.class", "com/sun/jna/Native.class",
                "org/slf4j/LoggerFactory.class", "org/apache/commons/compress/archivers/ArchiveEntry.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class", "com/fasterxml/jackson/core/JsonParser.class",
                "com/fasterxml/jackson/annotation/JsonInclude.class", "org/apache/commons/math3/util/FastMath.class")) {
            URL url = WorkerCommand.class.getClassLoader().getResource(anchor);
            if (url != null) {
                jars.add(origin(url, anchor));
            }
        }
        return List.copyOf(jars);
    }

    private static Path origin(URL url, String anchor) {
        try {
            if (url.getProtocol().equals("jar")) {
                String file = url.getPath();
                return real(Path.of(new URL(file.substring(0, file.indexOf("!/"))).toURI()));
            }
            Path path = Path.of(url.toURI());
            for (int i = 0; i < anchor.split("/").length; i++) {
                path = path.getParent();
            }
            return real(path);
        } catch (URISyntaxException | java.net.MalformedURLException e) {
            throw new IllegalStateException("cannot tell where " + anchor + " was loaded from: " + url, e);
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.logitlab.cli.images;

import dev.logitlab.cli.LocalFiles;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.FilePermissionsProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The part of every image below the service, built from this machine instead of pulled (no registry needs to be
 * reachable): a Java runtime made by jlink from this JDK, the system libraries it and libtorch link against (as
 * {@code ldd} resolves them here), libtorch where DJL looks for it, and a minimal root for the non-root user.
 * Each is one layer, identical across the services, so a registry stores it once.
 */
final class RuntimeLayers {

    static final String JAVA_HOME = "/opt/java";
    /** The user the services run as (the chart's runAsUser): not root, no login. */
    static final int UID = 185;
    /** What Quarkus, Kafka, Jackson and DJL use of the JDK; no desktop natives (they would pull X11 into the image). */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.datatransfer", "java.desktop",
            "java.instrument", "java.logging", "java.management", "java.naming", "java.net.http", "java.prefs",
            "java.rmi", "java.scripting", "java.security.jgss", "java.security.sasl", "java.sql", "java.transaction.xa",
            "java.xml", "java.xml.crypto", "jdk.crypto.ec", "jdk.jfr", "jdk.management", "jdk.management.jfr",
            "jdk.naming.dns", "jdk.net", "jdk.security.auth", "jdk.unsupported", "jdk.zipfs");
    /** The JDK's libraries for windows, sound and fonts: never loaded by a headless service. */
    private static final Pattern DESKTOP = Pattern.compile("lib(awt.*|fontmanager|jawt|splashscreen|jsound|lcms|mlib_image|javajpeg)\\.so");
    private static final Pattern LDD = Pattern.compile("^\\s*(?:\\S+ => )?(/\\S+) \\(0x[0-9a-f]+\\)$");
    private static final FilePermissionsProvider AS_ON_DISK = (source, target) -> {
        try {
            return FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };

    /** What the model runner's bubblewrap walls need (sandbox.walls: bubblewrap in the chart). */
    static final List<Path> SANDBOX_TOOLS = List.of(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/prlimit"));

    private final Path cache;

    RuntimeLayers(Path cache) {
        this.cache = cache;
    }

    /** The runtime layers for images on this libtorch, least likely to change first. */
    List<FileEntriesLayer> layers(Libtorch libtorch) throws IOException {
        Path jre = jre();
        FileEntriesLayer.Builder java = FileEntriesLayer.builder().setName("java");
        java.addEntryRecursive(jre, AbsoluteUnixPath.get(JAVA_HOME), AS_ON_DISK);
        FileEntriesLayer.Builder system = FileEntriesLayer.builder().setName("system-libraries");
        for (Path tool : SANDBOX_TOOLS) {
            if (!Files.isExecutable(tool)) {
                throw new IllegalStateException(tool + " is missing: the images carry bubblewrap and prlimit for the "
                        + "model runner's bubblewrap walls (Debian: apt-get install bubblewrap util-linux)");
            }
            system.addEntry(tool.toRealPath(), AbsoluteUnixPath.get(tool.toString()), AS_ON_DISK.get(tool.toRealPath(),
                    AbsoluteUnixPath.get(tool.toString())));
        }
        List<Path> elves = new ArrayList<>(List.of(jre, libtorch.source()));
        elves.addAll(SANDBOX_TOOLS);
        for (var lib : systemLibraries(elves).entrySet()) {
            // The loader must keep its execute bit, or the kernel refuses to start any program.
            system.addEntry(lib.getValue(), AbsoluteUnixPath.get(lib.getKey()),
                    AS_ON_DISK.get(lib.getValue(), AbsoluteUnixPath.get(lib.getKey())));
        }
        FileEntriesLayer.Builder torch = FileEntriesLayer.builder().setName("libtorch-" + libtorch.flavor());
        torch.addEntryRecursive(libtorch.source(), AbsoluteUnixPath.get(libtorch.target()));
        if (libtorch.jni() != null) {
            torch.addEntry(libtorch.jni(), AbsoluteUnixPath.get(libtorch.jniTarget()));
        }
        return List.of(root(), java.build(), system.build(), torch.build());
    }

    /** A Java runtime with {@link #MODULES}, made once per JDK by jlink and kept in the cache. */
    Path jre() throws IOException {
        String jdk = Runtime.version().toString();
        Path jre = cache.resolve("jre-" + jdk + "-" + Integer.toHexString(MODULES.hashCode()));
        if (Files.isExecutable(jre.resolve("bin/java"))) {
            return jre;
        }
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow(() -> new IllegalStateException(
                "jlink is missing: ./lab images needs a full JDK (Debian: openjdk-17-jdk-headless)"));
        Path partial = Files.createDirectories(cache).resolve(jre.getFileName() + ".part");
        LocalFiles.deleteRecursively(partial);
        StringWriter log = new StringWriter();
        int rc = jlink.run(new PrintWriter(log), new PrintWriter(log), "--add-modules", String.join(",", MODULES),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--compress=2", "--output", partial.toString());
        if (rc != 0) {
            throw new IllegalStateException("jlink failed: " + log);
        }
        Files.move(partial, jre);
        return jre;
    }

    /**
     * Every shared library the ELF files under {@code dirs} (folders, or single programs) need from the system, by
     * the path the loader finds it at (its file, symbolic links followed), plus the loader itself: image path → file
     * here.
     */
    static Map<String, Path> systemLibraries(List<Path> dirs) throws IOException {
        List<Path> elves = new ArrayList<>();
        for (Path dir : dirs) {
            if (Files.isRegularFile(dir)) {
                elves.add(dir);
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).filter(f -> !DESKTOP.matcher(f.getFileName().toString()).matches())
                        .filter(f -> f.getFileName().toString().contains(".so") || f.getParent().endsWith("bin"))
                        .forEach(elves::add);
            }
        }
        Map<String, Path> libraries = new TreeMap<>();
        TreeSet<String> missing = new TreeSet<>();
        // The JDK's libraries need libjvm.so without saying where: the launcher has loaded it by then.
        java.util.Set<String> ours = new java.util.HashSet<>();
        elves.forEach(f -> ours.add(f.getFileName().toString()));
        for (Path elf : elves) {
            for (String line : ldd(elf)) {
                Matcher m = LDD.matcher(line);
                if (line.contains("not found") && !ours.contains(line.trim().split(" ")[0])) {
                    missing.add(line.trim() + " (needed by " + elf.getFileName() + ")");
                } else if (m.matches() && dirs.stream().noneMatch(d -> Path.of(m.group(1)).startsWith(d))) {
                    libraries.put(m.group(1), Path.of(m.group(1)).toRealPath());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("libraries missing on this machine: " + missing);
        }
        return libraries;
    }

    private static List<String> ldd(Path elf) throws IOException {
        Process p = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return lines; // "not a dynamic executable" (scripts, static files) gives no library line
    }

    /** /etc for the user and for name lookups, a world-writable /tmp (Jib writes no sticky bit; pods mount their own), and the store, data and home directories the user owns. */
    private FileEntriesLayer root() throws IOException {
        Path etc = Files.createDirectories(cache.resolve("root/etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "logitlab:x:" + UID + ":" + UID + ":logitlab:/home/logitlab:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nlogitlab:x:" + UID + ":\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n");
        Path empty = Files.createDirectories(cache.resolve("root/empty"));
        Instant epoch = Instant.ofEpochSecond(1);
        String user = UID + ":" + UID;
        FileEntriesLayer.Builder root = FileEntriesLayer.builder().setName("root");
        for (String file : List.of("passwd", "group", "nsswitch.conf", "hosts")) {
            root.addEntry(etc.resolve(file), AbsoluteUnixPath.get("/etc/" + file));
        }
        root.addEntry(empty, AbsoluteUnixPath.get("/tmp"), FilePermissions.fromOctalString("777"), epoch);
        for (String dir : List.of("/home/logitlab", "/store", "/data")) {
            root.addEntry(empty, AbsoluteUnixPath.get(dir), FilePermissions.fromOctalString("755"), epoch, user);
        }
        return root.build();
    }
}

package dev.logitlab.cli.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One service's image: the runtime layers, then the service's Quarkus fast-jar in layers from the least to the
 * most often changed (third-party libraries, DJL's native jar, logitlab's own modules, the application), so a
 * rebuild after a code change replaces a few megabytes. Built by Jib without a container engine, into a tarball
 * ({@code docker load}, {@code podman load}, {@code kind load image-archive}, {@code skopeo copy}) or straight
 * into a registry.
 *
 * @param service trainer, attack or analysis
 * @param port    the HTTP port the service listens on (its {@code application.properties} default)
 */
public record ServiceImage(String service, int port) {

    public static final List<ServiceImage> ALL = List.of(new ServiceImage("trainer", 8081),
            new ServiceImage("attack", 8082), new ServiceImage("analysis", 8083));

    static final String APP = "/app";

    /**
     * The model runner's command in the attack and analysis images, before its options: the chart's model-runner
     * container runs it beside the service. A small heap: it only starts workers and passes their bytes on.
     */
    public static final List<String> MODEL_RUNNER = List.of(RuntimeLayers.JAVA_HOME + "/bin/java", "-Xmx64m",
            "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=/tmp", "-cp", APP + "/lib/main/*",
            "dev.logitlab.core.sandbox.ModelRunner");

    public static ServiceImage of(String service) {
        return ALL.stream().filter(i -> i.service.equals(service)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no service '" + service + "'; there are trainer, attack and analysis"));
    }

    /** Where an image goes and what it is called there: {@code <registry>/<repository>/<service>-service[-cuda]:<tag>}. */
    public record Naming(String registry, String repository, String tag) {
        /** The chart's default {@code image.registry} and {@code image.repository}. */
        public static final String REGISTRY = "ghcr.io";
        public static final String REPOSITORY = "logitlab";

        /** The names the chart's default values pull. */
        public static Naming chartDefaults(Path repository) {
            return new Naming(REGISTRY, REPOSITORY, ImageBuild.chartAppVersion(repository));
        }

        public String of(String service, boolean cuda) {
            return registry + "/" + repository + "/" + service + "-service" + (cuda ? "-cuda" : "") + ":" + tag;
        }
    }

    /** The image as Jib builds it from {@code quarkusApp} ({@code <service>-service/target/quarkus-app}). */
    JibContainerBuilder builder(Path quarkusApp, List<FileEntriesLayer> runtime, Libtorch libtorch) throws IOException {
        if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(quarkusApp + "/quarkus-run.jar is missing: build the services first "
                    + "(mvn -DskipTests package)");
        }
        Predicate<Path> djlNative = p -> p.getFileName().toString().startsWith("ai.djl.pytorch.pytorch-native-");
        Predicate<Path> ours = p -> p.getFileName().toString().startsWith("dev.logitlab.");
        List<Path> libs = files(quarkusApp.resolve("lib"));
        JibContainerBuilder image = Jib.fromScratch().setFormat(ImageFormat.Docker);
        runtime.forEach(image::addFileEntriesLayer);
        image.addFileEntriesLayer(layer("libraries", quarkusApp, libs.stream().filter(djlNative.or(ours).negate())));
        image.addFileEntriesLayer(layer("djl-native-jar", quarkusApp, libs.stream().filter(djlNative)));
        image.addFileEntriesLayer(layer("logitlab-modules", quarkusApp, libs.stream().filter(ours)));
        List<Path> app = new ArrayList<>(List.of(quarkusApp.resolve("quarkus-run.jar")));
        app.addAll(files(quarkusApp.resolve("app")));
        app.addAll(files(quarkusApp.resolve("quarkus")));
        image.addFileEntriesLayer(layer("application", quarkusApp, app.stream()));

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", RuntimeLayers.JAVA_HOME + "/bin:/usr/bin:/bin");
        env.put("JAVA_HOME", RuntimeLayers.JAVA_HOME);
        env.put("LANG", "C.UTF-8");
        // Heap below the container's memory limit with room for libtorch's native memory; the chart may override.
        env.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=50 -Djava.io.tmpdir=/tmp -XX:ErrorFile=/tmp/hs_err_pid%p.log");
        env.put("DJL_CACHE_DIR", "/tmp/djl");
        env.put("GLIBC_TUNABLES", Libtorch.MALLOC_TUNABLES);
        env.putAll(libtorch.env());
        env.put("LOGITLAB_STORE", "/store");
        env.put("LOGITLAB_DATA", "/data");
        return image.setEnvironment(env)
                .setUser(RuntimeLayers.UID + ":" + RuntimeLayers.UID)
                .setWorkingDirectory(AbsoluteUnixPath.get(APP))
                .setEntrypoint(RuntimeLayers.JAVA_HOME + "/bin/java", "-jar", APP + "/quarkus-run.jar")
                .addExposedPort(Port.tcp(port))
                .addLabel("org.opencontainers.image.title", "logitlab " + service + "-service")
                .addLabel("org.opencontainers.image.source", "https://github.com/logitlab/logitlab")
                .addLabel("dev.logitlab.libtorch", libtorch.flavor());
    }

    /** Writes the image as a tarball named {@code name}. */
    public static Containerizer toTarball(Path tarball, String name) throws InvalidImageReferenceException {
        return Containerizer.to(TarImage.at(tarball).named(name));
    }

    /** Pushes the image to its registry with the credentials Docker and the credential helpers know. */
    public static Containerizer toRegistry(String name, boolean insecure) throws InvalidImageReferenceException {
        ImageReference reference = ImageReference.parse(name);
        CredentialRetrieverFactory credentials = CredentialRetrieverFactory.forImage(reference, event -> { });
        RegistryImage target = RegistryImage.named(reference)
                .addCredentialRetriever(credentials.dockerConfig())
                .addCredentialRetriever(credentials.wellKnownCredentialHelpers());
        return Containerizer.to(target).setAllowInsecureRegistries(insecure);
    }

    static JibContainer build(JibContainerBuilder image, Containerizer to, Path cache) throws Exception {
        return image.containerize(to.setApplicationLayersCache(cache.resolve("layers"))
                .setBaseImageLayersCache(cache.resolve("base-layers")).setToolName("logitlab"));
    }

    private static FileEntriesLayer layer(String name, Path root, Stream<Path> files) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        files.sorted().forEach(f -> layer.addEntry(f, AbsoluteUnixPath.get(APP).resolve(root.relativize(f).toString())));
        return layer.build();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}

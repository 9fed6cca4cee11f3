package dev.logitlab.cli.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the services' images from a repository whose services are packaged: the runtime layers once per libtorch
 * (CPU, and CUDA when given one), then each service on top. Jib's layer cache under {@code cache} makes a rebuild
 * after a code change cost only the changed layers.
 */
public final class ImageBuild {

    private final Path repository;
    private final Path cache;
    private final ServiceImage.Naming naming;
    private Libtorch cpu;
    private List<FileEntriesLayer> cpuRuntime;
    private Libtorch cuda;
    private List<FileEntriesLayer> cudaRuntime;

    public ImageBuild(Path repository, Path cache, ServiceImage.Naming naming) {
        this.repository = repository;
        this.cache = cache;
        this.naming = naming;
    }

    public ServiceImage.Naming naming() {
        return naming;
    }

    /** Uses this libtorch (a CUDA build, see {@link Libtorch#override}) for the images built with {@code cuda}. */
    public void cuda(Path libDir, String flavor) throws IOException {
        cuda = Libtorch.override(libDir.toAbsolutePath(), flavor, cache);
        cudaRuntime = new RuntimeLayers(cache).layers(cuda);
    }

    /** Builds one image into {@code to} (a tarball or a registry). */
    public JibContainer build(ServiceImage image, boolean withCuda, Containerizer to) throws Exception {
        if (withCuda && cuda == null) {
            throw new IllegalStateException("no CUDA libtorch given");
        }
        if (!withCuda && cpu == null) {
            cpu = Libtorch.cpu();
            cpuRuntime = new RuntimeLayers(cache).layers(cpu);
        }
        Path app = repository.resolve(image.service() + "-service/target/quarkus-app");
        return ServiceImage.build(image.builder(app, withCuda ? cudaRuntime : cpuRuntime, withCuda ? cuda : cpu), to, cache);
    }

    /** The chart's appVersion, the tag its default values pull. */
    public static String chartAppVersion(Path repository) {
        try {
            Matcher m = Pattern.compile("(?m)^appVersion:\\s*\"?([^\"\\s]+)\"?").matcher(
                    Files.readString(repository.resolve("helm/logitlab/Chart.yaml")));
            if (!m.find()) {
                throw new IllegalStateException("helm/logitlab/Chart.yaml has no appVersion");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

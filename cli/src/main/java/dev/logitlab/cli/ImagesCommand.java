package dev.logitlab.cli;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.event.events.ProgressEvent;
import dev.logitlab.cli.images.ImageBuild;
import dev.logitlab.cli.images.ServiceImage;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.DoubleAdder;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./lab images}: container images of the three services, built by Jib without a container engine. */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = {"Build the services' container images (non-root, libtorch pre-extracted) without a Docker daemon:",
                "as tarballs under .lab/images (docker/podman load, kind load image-archive, skopeo copy) or pushed.",
                "Names default to what the Helm chart pulls: <registry>/<repository>/<service>-service:<chart appVersion>."})
final class ImagesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--registry", defaultValue = ServiceImage.Naming.REGISTRY, description = "(default: ${DEFAULT-VALUE}; the chart's image.registry)")
    String registry;

    @Option(names = "--repository", defaultValue = ServiceImage.Naming.REPOSITORY, description = "(default: ${DEFAULT-VALUE}; the chart's image.repository)")
    String repository;

    @Option(names = "--tag", description = "(default: the chart's appVersion)")
    String tag;

    @Option(names = "--services", split = ",", defaultValue = "trainer,attack,analysis",
            description = "which services (default: ${DEFAULT-VALUE})")
    List<String> services;

    @Option(names = "--push", description = "push to the registry (credentials as Docker has them) instead of writing tarballs")
    boolean push;

    @Option(names = "--insecure", description = "allow a registry over plain HTTP (e.g. one on localhost)")
    boolean insecure;

    @Option(names = "--out", description = "tarball directory (default: .lab/images)")
    Path out;

    @Option(names = "--cuda-libtorch", description = {"also build trainer-service-cuda on this CUDA libtorch: the lib "
            + "folder of PyTorch's libtorch archive (or of DJL's pytorch-native-cuXXX jar), version 2.7.1"})
    Path cudaLibtorch;

    @Option(names = "--cuda-flavor", defaultValue = "cu128", description = "DJL's name for that CUDA build (default: ${DEFAULT-VALUE})")
    String cudaFlavor;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StackConfig config = StackConfig.defaults();
        Path dir = this.out != null ? this.out.toAbsolutePath() : config.home().resolve("images");
        ServiceImage.Naming naming = new ServiceImage.Naming(registry, repository,
                tag != null ? tag : ImageBuild.chartAppVersion(config.repository()));
        ImageBuild build = new ImageBuild(config.repository(), dir.resolve("cache"), naming);
        for (String service : services) {
            ServiceImage image = ServiceImage.of(service);
            report(out, build, image, false, dir);
        }
        if (cudaLibtorch != null) {
            build.cuda(cudaLibtorch, cudaFlavor);
            report(out, build, ServiceImage.of("trainer"), true, dir);
        }
        if (!push) {
            out.printf("load them with 'docker load -i <tarball>' (or podman, or 'kind load image-archive'); "
                    + "push with ./lab images --push --registry <host> --repository <path>%n");
        }
        return 0;
    }

    private void report(PrintWriter out, ImageBuild build, ServiceImage image, boolean cuda, Path dir) throws Exception {
        String name = build.naming().of(image.service(), cuda);
        Path tarball = dir.resolve(image.service() + "-service" + (cuda ? "-cuda" : "") + ".tar");
        Containerizer to = push ? ServiceImage.toRegistry(name, insecure) : ServiceImage.toTarball(tarball, name);
        DoubleAdder done = new DoubleAdder();
        JibContainer container;
        if (System.console() == null) {
            out.printf("building %s ...%n", name);
            out.flush();
            container = build.build(image, cuda, to);
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(1000)
                    .setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(140).build()) {
                to.addEventHandler(ProgressEvent.class, e -> {
                    done.add(e.getUnits() * e.getAllocation().getFractionOfRoot() / e.getAllocation().getAllocationUnits());
                    bar.stepTo(Math.min(1000, Math.round(done.sum() * 1000)));
                });
                container = build.build(image, cuda, to);
                bar.stepTo(1000);
            }
        }
        out.printf("%s %s%s%n", push ? "pushed" : "built", name,
                push ? " " + container.getDigest() : String.format(" -> %s (%,d MB)", tarball, Files.size(tarball) >> 20));
        out.flush();
    }
}

package dev.logitlab.system;

import dev.logitlab.cli.Lab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.images.ImageBuild;
import dev.logitlab.cli.images.Libtorch;
import dev.logitlab.cli.images.ServiceImage;
import dev.logitlab.cli.stack.LocalKafkaSecurity;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./lab images} without a container engine: the three CPU images are built as tarballs, their names are what
 * the chart pulls, their configuration says non-root, and the runtime layers are shared. No container runtime can
 * run here, so the trainer's image is unpacked into a root file system and its entrypoint started in a chroot as the
 * image's user: it answers {@code /q/health/live} and trains a run, loading libtorch from the image's read-only
 * pre-extracted copy.
 */
class ImagesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Jib's layer cache and the jlink runtime, shared by the tests. */
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @Test
    void theImagesRunAsNonRootWithLibtorchPreExtracted() throws Exception {
        StackConfig config = TestStacks.config(dir.resolve("home"), 1, 1);
        ServiceImage.Naming naming = ServiceImage.Naming.chartDefaults(config.repository());
        ImageBuild build = new ImageBuild(config.repository(), shared.resolve("cache"), naming);
        Map<String, ImageTarball> images = new HashMap<>();
        for (ServiceImage service : ServiceImage.ALL) {
            Path tarball = dir.resolve(service.service() + ".tar");
            build.build(service, false, ServiceImage.toTarball(tarball, naming.of(service.service(), false)));
            images.put(service.service(), ImageTarball.read(tarball));
        }

        for (ServiceImage service : ServiceImage.ALL) {
            ImageTarball image = images.get(service.service());
            assertEquals(List.of("ghcr.io/logitlab/" + service.service() + "-service:" + naming.tag()), image.tags());
            JsonNode c = image.config().get("config");
            assertEquals("185:185", c.get("User").asText(), "not root");
            assertEquals("[\"/opt/java/bin/java\",\"-jar\",\"/app/quarkus-run.jar\"]", c.get("Entrypoint").toString());
            assertTrue(c.get("ExposedPorts").has(service.port() + "/tcp"), c.get("ExposedPorts").toString());
            assertTrue(image.env().get("ENGINE_CACHE_DIR").equals("/opt/djl"), image.env().toString());
            // libtorch's freed activations stay in the process (the pod's evaluations as fast as ./lab's)
            assertEquals(Libtorch.MALLOC_TUNABLES, image.env().get("GLIBC_TUNABLES"));
        }
        // The runtime (root, Java, system libraries, libtorch) and DJL's native jar are the same layers in all three.
        List<String> trainer = images.get("trainer").diffIds();
        for (String other : List.of("attack", "analysis")) {
            List<String> layers = images.get(other).diffIds();
            assertEquals(trainer.subList(0, 4), layers.subList(0, 4), other);
            assertEquals(trainer.get(5), layers.get(5), other + ": DJL's native jar");
            assertFalse(trainer.get(7).equals(layers.get(7)), other + ": the application layer is its own");
        }

        Path root = images.get("trainer").unpack(dir.resolve("rootfs"));
        Path libtorch;
        try (var dirs = Files.list(root.resolve("opt/djl/pytorch"))) {
            libtorch = dirs.findFirst().orElseThrow();
        }
        assertTrue(Files.isRegularFile(libtorch.resolve("libtorch_cpu.so")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(libtorch)));
        assertEquals(0, (int) Files.getAttribute(libtorch, "unix:uid"), "owned by root: the user cannot extract into it");
        assertEquals(185, (int) Files.getAttribute(root.resolve("store"), "unix:uid"));

        assertTrainsInItsImage(images.get("trainer"), root);
    }

    /**
     * The chart's model-runner container, as a container runtime would start it from the attack image: a model from
     * outside, sent over the runner's socket, is evaluated by a worker the runner starts in the image, in either walls
     * (bubblewrap with the image's own bwrap and prlimit, as the image's user), and gives the report it gives here.
     */
    @ParameterizedTest
    @ValueSource(strings = {"container", "bubblewrap"})
    void theAttackImagesModelRunnerEvaluatesAModelSentOverItsSocket(String walls) throws Exception {
        StackConfig config = TestStacks.config(dir.resolve("home"), 1, 1);
        ServiceImage.Naming naming = ServiceImage.Naming.chartDefaults(config.repository());
        Path tarball = dir.resolve("attack.tar");
        new ImageBuild(config.repository(), shared.resolve("cache"), naming).build(ServiceImage.of("attack"), false,
                ServiceImage.toTarball(tarball, naming.of("attack", false)));
        ImageTarball image = ImageTarball.read(tarball);
        Path root = image.unpack(dir.resolve("rootfs"));
        Path sockets = Files.createDirectories(root.resolve("run/logitlab/sandbox"));
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxrwxrwx"));
        // As a container runtime starts a container (pivot_root, the image's user, the image's environment), with
        // bubblewrap itself: a chroot cannot make the user namespaces the runner's own walls need; /proc unmasked, as
        // the chart asks for those walls (procMount: Unmasked).
        List<String> command = new ArrayList<>(List.of("bwrap", "--bind", root.toString(), "/", "--bind", "/proc",
                "/proc", "--dev", "/dev", "--unshare-user", "--uid", "185", "--gid", "185", "--die-with-parent",
                "--clearenv"));
        image.env().forEach((k, v) -> command.addAll(List.of("--setenv", k, v)));
        command.addAll(ServiceImage.MODEL_RUNNER);
        command.addAll(List.of("--socket", "/run/logitlab/sandbox/runner.sock", "--walls", walls, "--memory", "3g",
                "--data-dir", "/data"));
        Path out = dir.resolve("runner.log");
        ProcessBuilder runtime = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        Process process = runtime.start();
        try {
            await(Duration.ofSeconds(60), process, () -> Files.exists(sockets.resolve("runner.sock")));
            Path model = config.repository().resolve("core/src/test/resources/torchscript/synthetic_linear.pt");
            var test = dev.logitlab.core.data.Datasets.load("synthetic", null).test();
            var plan = new dev.logitlab.core.evaluation.EvaluationPlan(List.of(0.1), "fgsm", 50, 1, 0);
            dev.logitlab.events.EvaluationReport here;
            try (var classifier = dev.logitlab.core.model.Classifiers.open(model)) {
                here = new dev.logitlab.core.evaluation.Evaluation(classifier, test, plan, null, null).run("linear");
            }
            dev.logitlab.events.EvaluationReport there;
            try (var session = dev.logitlab.core.sandbox.Sandbox.DEFAULTS.withRunner(sockets.resolve("runner.sock"))
                    .session(model, dev.logitlab.core.checkpoint.Sha256.of(model), null, "linear", test, null, plan)) {
                session.checkContract();
                there = new dev.logitlab.core.evaluation.Evaluation(session, null).run("linear");
            }
            assertEquals(here.worstCase(), there.worstCase(), Files.readString(out));
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nrunner log:\n" + (Files.exists(out) ? Files.readString(out) : ""), e);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void theCudaVariantsWayOfFindingLibtorchWorksInTheImage() throws Exception {
        // No CUDA libtorch can be had here; DJL's CPU build through the same override (PYTORCH_LIBRARY_PATH, the
        // flavor's JNI library where DJL looks) runs the same lookup a CUDA image makes on a GPU node.
        StackConfig config = TestStacks.config(dir.resolve("home"), 1, 1);
        ai.djl.engine.Engine.getEngine("PyTorch");
        Path cpuLibtorch = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        ImageBuild build = new ImageBuild(config.repository(), shared.resolve("cache"),
                ServiceImage.Naming.chartDefaults(config.repository()));
        build.cuda(cpuLibtorch, "cpu");
        Path tarball = dir.resolve("trainer-override.tar");
        build.build(ServiceImage.of("trainer"), true, ServiceImage.toTarball(tarball, "logitlab/trainer-override:ci"));
        ImageTarball image = ImageTarball.read(tarball);
        assertEquals("/opt/libtorch/lib", image.env().get("PYTORCH_LIBRARY_PATH"));
        assertEquals("cpu", image.env().get("PYTORCH_FLAVOR"));
        Path root = image.unpack(dir.resolve("rootfs"));
        assertTrue(Files.isRegularFile(root.resolve("opt/djl/pytorch/2.7.1-cpu-linux-x86_64/0.36.0-libdjl_torch.so")));
        assertTrainsInItsImage(image, root);
    }

    /**
     * Starts the image's entrypoint in its unpacked root as its user, with a broker beside it, and has it train a
     * tiny run: it must answer {@code /q/health/live} and load libtorch from the image as the image has it.
     */
    private void assertTrainsInItsImage(ImageTarball image, Path root) throws Exception {
        StackConfig config = TestStacks.config(dir.resolve("stack"), 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        Process trainerProcess = null;
        Path out = dir.resolve("trainer.log");
        try {
            stack.startBroker();
            // As a container runtime would: its own /proc (the loader finds $ORIGIN through it) and /dev, then the
            // entrypoint as the image's user. The mounts live in a namespace that ends with the process.
            Files.createDirectories(root.resolve("proc"));
            Files.createDirectories(root.resolve("dev"));
            // Where the chart mounts the token verification key (the services' default location).
            Files.copy(stack.tokens().publicKey(), Files.createDirectories(root.resolve("etc/logitlab-jwt")).resolve("public.pem"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder chroot = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--kill-child",
                    "--mount-proc=" + root.resolve("proc"), "/bin/sh", "-c", "mount --rbind /dev \"$0/dev\" && exec chroot "
                    + "--userspec=" + image.config().get("config").get("User").asText() + " \"$0\" "
                    + String.join(" ", entrypoint(image)), root.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            chroot.environment().clear();
            chroot.environment().putAll(image.env()); // PATH too: /bin/sh runs before the chroot
            chroot.environment().put("PATH", image.env().get("PATH") + ":/usr/sbin:/sbin");
            // The trainer's own SCRAM user; the CA where the image can read it (as the chart mounts it).
            Path ca = Files.createDirectories(root.resolve("etc/kafka-ca")).resolve("ca.pem");
            Files.copy(new LocalKafkaSecurity(config.home()).caCertificate(), ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            chroot.environment().putAll(stack.kafkaEnvironment("trainer"));
            chroot.environment().put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.pem");
            chroot.environment().put("TRAINER_PORT", Integer.toString(config.trainerPort()));
            trainerProcess = chroot.start();
            String url = config.url("trainer");
            await(Duration.ofSeconds(120), trainerProcess, () -> get(url + "/q/health/live").statusCode() == 200);

            HttpResponse<String> submitted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/runs"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + stack.tokens().token("ci", Duration.ofMinutes(10), "submitter"))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"dataset":"synthetic","model":"linear","defense":"plain","epochs":1,"trainLimit":600,
                             "testLimit":100,"batchSize":50,"learningRate":0.01,"seed":1,
                             "evaluation":{"eps":[0.1],"attacks":"fgsm","limit":20}}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, submitted.statusCode(), submitted.body());
            String runId = JSON.readTree(submitted.body()).get("runId").asText();
            await(Duration.ofSeconds(120), trainerProcess, () -> {
                String status = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url
                        + "/api/runs/" + runId)).header("Authorization", "Bearer " + stack.tokens().token("ci",
                        Duration.ofMinutes(1), "viewer")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .get("status").asText();
                assertFalse(status.equals("FAILED"), "the run failed in the image:\n" + Files.readString(out));
                return status.equals("SUCCEEDED");
            });
            assertTrue(Files.isDirectory(root.resolve("store/runs/" + runId)), "the checkpoint is in the store");
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ntrainer log:\n" + (Files.exists(out) ? Files.readString(out) : "")
                    + "\nstack log:\n" + log, e);
        } finally {
            if (trainerProcess != null) {
                // The image's java changes its user in the chroot, which clears the parent-death signal unshare set:
                // it would outlive unshare. Kill the whole tree, children first.
                trainerProcess.descendants().forEach(ProcessHandle::destroyForcibly);
                trainerProcess.destroyForcibly().waitFor();
            }
            stack.down();
        }
    }

    @Test
    void labImagesPushesToARealRegistryWithoutAContainerEngine() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("registry"), port));
        Process registry = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        Path repository = TestStacks.config(dir, 1, 1).repository();
        String before = System.getProperty("logitlab.root");
        try {
            String registryUrl = "http://127.0.0.1:" + port;
            await(Duration.ofSeconds(30), registry, () -> get(registryUrl + "/v2/").statusCode() == 200);
            System.setProperty("logitlab.root", repository.toString());
            StringWriter out = new StringWriter();
            picocli.CommandLine lab = Lab.commandLine();
            lab.setOut(new PrintWriter(out, true));
            int rc = lab.execute("images", "--push", "--insecure", "--registry", "127.0.0.1:" + port, "--repository",
                    "ml/logitlab", "--tag", "ci", "--services", "analysis", "--out", shared.toString());
            assertEquals(0, rc, out.toString());
            java.util.regex.Matcher pushed = java.util.regex.Pattern
                    .compile("pushed 127.0.0.1:" + port + "/ml/logitlab/analysis-service:ci (sha256:[0-9a-f]{64})")
                    .matcher(out.toString());
            assertTrue(pushed.find(), out.toString());
            HttpResponse<String> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(registryUrl + "/v2/ml/logitlab/analysis-service/manifests/ci"))
                    .header("Accept", "application/vnd.docker.distribution.manifest.v2+json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, manifest.statusCode(), manifest.body());
            assertEquals(pushed.group(1), manifest.headers().firstValue("Docker-Content-Digest").orElseThrow(),
                    "the registry holds the image the command pushed");
            assertEquals(8, JSON.readTree(manifest.body()).get("layers").size());
        } finally {
            if (before == null) {
                System.clearProperty("logitlab.root");
            } else {
                System.setProperty("logitlab.root", before);
            }
            registry.destroy();
            registry.waitFor();
        }
    }

    private static List<String> entrypoint(ImageTarball image) {
        List<String> command = new ArrayList<>();
        image.config().get("config").get("Entrypoint").forEach(a -> command.add(a.asText()));
        return command;
    }

    interface Check {
        boolean done() throws Exception;
    }

    private static void await(Duration timeout, Process process, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new AssertionError("the process exited with " + process.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within " + timeout);
            }
            Thread.sleep(500);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package dev.logitlab.cli.stack;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The local stack: a single-node KRaft Kafka broker in its own JVM (Apache Kafka's server classes from the CLI's
 * class path, data in {@code .lab/kafka}) and the three services as separate processes. Each process has a pid
 * file in {@code .lab/pids} and a log in {@code .lab/logs}; {@link #down} stops what {@link #up} started.
 */
public final class LocalStack {

    public static final List<String> SERVICES = List.of("trainer", "attack", "analysis");
    static final Map<String, Integer> PARTITIONS = Map.of("logitlab.runs", 3, "logitlab.checkpoints", 3,
            "logitlab.attack-results", 3, "logitlab.reports", 3, "logitlab.dlq.attack-service", 1,
            "logitlab.dlq.analysis-service", 1);

    private final StackConfig config;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public LocalStack(StackConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
    }

    public StackConfig config() {
        return config;
    }

    /** True when the broker and every service answer. */
    public boolean isUp() {
        return brokerReachable() && SERVICES.stream().allMatch(s -> health(s) == 200);
    }

    /** Starts the broker, creates the topics, starts the services and waits until each is ready. */
    public void up() {
        for (String service : SERVICES) {
            if (!Files.isRegularFile(config.serviceJar(service))) {
                throw new IllegalStateException(config.serviceJar(service) + " is missing: build the services first "
                        + "(./lab builds them; or mvn -DskipTests package)");
            }
        }
        List<Integer> ports = List.of(config.kafkaPort(), config.controllerPort(), config.trainerPort(),
                config.attackPort(), config.analysisPort());
        for (int port : ports) {
            if (!free(port)) {
                throw new IllegalStateException("port " + port + " is already in use: stop what holds it (`./lab stack "
                        + "status`, `./lab stack down`) or choose other ports (see ./lab stack up --help)");
            }
        }
        try {
            Files.createDirectories(config.logs());
            Files.createDirectories(config.pids());
            Files.createDirectories(config.store());
            startBroker();
            createTopics();
            for (String service : SERVICES) {
                startService(service);
            }
            for (String service : SERVICES) {
                awaitReady(service);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            down();
            throw e;
        }
        out.printf("kafka     %s%n", config.bootstrap());
        for (String service : SERVICES) {
            out.printf("%-9s %s   (health %s/q/health/ready)%n", service, config.url(service), config.url(service));
        }
        out.printf("logs      %s%n", config.logs());
        out.flush();
    }

    /** Stops the services, then the broker (SIGTERM: the broker flushes and shuts down cleanly). */
    public void down() {
        List<String> order = new ArrayList<>(SERVICES);
        order.add("kafka");
        for (String name : order) {
            pid(name).flatMap(ProcessHandle::of).ifPresent(process -> {
                out.printf("stopping %s (pid %d)%n", name, process.pid());
                out.flush();
                process.destroy();
                try {
                    process.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    process.destroyForcibly();
                }
            });
            try {
                Files.deleteIfExists(pidFile(name));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One line per component: pid, alive, health. */
    public void status() {
        out.printf("%-9s %8s %7s  %s%n", "component", "pid", "alive", "health");
        Optional<Long> brokerPid = pid("kafka");
        out.printf("%-9s %8s %7s  %s%n", "kafka", brokerPid.map(String::valueOf).orElse("-"), alive(brokerPid),
                brokerReachable() ? "reachable at " + config.bootstrap() : "unreachable");
        for (String service : SERVICES) {
            Optional<Long> pid = pid(service);
            int code = health(service);
            out.printf("%-9s %8s %7s  %s%n", service, pid.map(String::valueOf).orElse("-"), alive(pid),
                    code == 200 ? "ready (" + config.url(service) + ")" : code < 0 ? "down" : "not ready (" + code + ")");
        }
        out.flush();
    }

    public Path log(String component) {
        return config.logs().resolve(component + ".log");
    }

    private void startBroker() throws IOException {
        Path dir = config.kafkaData();
        Path properties = config.home().resolve("server.properties");
        Files.createDirectories(dir);
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + config.controllerPort(),
                "listeners=PLAINTEXT://127.0.0.1:" + config.kafkaPort() + ",CONTROLLER://127.0.0.1:" + config.controllerPort(),
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + config.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.toAbsolutePath(),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true", ""));
        if (!Files.exists(dir.resolve("meta.properties"))) {
            Process format = new ProcessBuilder(java(), "-cp", classPath(), "kafka.tools.StorageTool", "format",
                    "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", properties.toString())
                    .redirectErrorStream(true).redirectOutput(log("kafka-format").toFile()).start();
            try {
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new IllegalStateException("formatting the broker's storage failed; see " + log("kafka-format"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        start("kafka", List.of(java(), "-Xmx512m", "-cp", classPath(), "kafka.Kafka", properties.toString()), Map.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!brokerReachable()) {
            ensureAlive("kafka");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not come up in 90 s; see " + log("kafka"));
            }
        }
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            PARTITIONS.forEach((name, partitions) -> {
                NewTopic topic = new NewTopic(name, partitions, (short) 1);
                topics.add(name.equals("logitlab.reports") ? topic.configs(Map.of("cleanup.policy", "compact")) : topic);
            });
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey() + ": " + e.getCause());
                    }
                }
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topics: " + e, e);
        }
    }

    private void startService(String service) throws IOException {
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", config.bootstrap(),
                "LOGITLAB_STORE", config.store().toString(),
                service.toUpperCase() + "_PORT", Integer.toString(config.port(service)),
                "LOGITLAB_THREADS", "1");
        start(service, List.of(java(), "-Xmx3g", "-jar", config.serviceJar(service).toString()), env);
    }

    private void awaitReady(String service) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (health(service) != 200) {
            ensureAlive(service);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service + " did not become ready in 180 s; see " + log(service));
            }
            sleep(500);
        }
    }

    private void start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(config.repository().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        Files.writeString(pidFile(name), Long.toString(process.pid()));
        out.printf("started %s (pid %d)%n", name, process.pid());
        out.flush();
    }

    private void ensureAlive(String name) {
        if (pid(name).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false)) {
            return;
        }
        throw new IllegalStateException(name + " exited during start-up; last lines of " + log(name) + ":\n" + tail(log(name), 15));
    }

    int health(String service) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(config.url(service) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    boolean brokerReachable() {
        try (Admin admin = admin()) {
            admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        return Admin.create(p);
    }

    private Optional<Long> pid(String name) {
        try {
            Path file = pidFile(name);
            return Files.isRegularFile(file) ? Optional.of(Long.parseLong(Files.readString(file).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Path pidFile(String name) {
        return config.pids().resolve(name + ".pid");
    }

    private static String alive(Optional<Long> pid) {
        return pid.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false) ? "yes" : "no";
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // connections lingering in TIME_WAIT do not make a port busy
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The CLI's dependencies (copied to cli/target/lib by the build) hold Apache Kafka's server jars. */
    private String classPath() {
        return config.repository().resolve("cli/target/lib").toString() + "/*";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

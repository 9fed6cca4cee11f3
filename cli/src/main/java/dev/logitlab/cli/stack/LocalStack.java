package dev.logitlab.cli.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.logitlab.cli.images.Libtorch;
import dev.logitlab.cli.stack.StackConfig.Component;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local stack: the broker ({@link LocalBroker}) and the services as separate processes, the attack and
 * analysis services with as many replicas as configured. Each process has a pid file in {@code .lab/pids} and a log
 * in {@code .lab/logs}. {@link #up} starts only what is not already running; {@link #down} stops everything that
 * has a pid file.
 */
public final class LocalStack {

    private final StackConfig config;
    private final LocalBroker broker;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public LocalStack(StackConfig config, PrintWriter out) {
        this.config = config;
        this.broker = new LocalBroker(config);
        this.out = out;
    }

    public StackConfig config() {
        return config;
    }

    /** The stack's token issuer: the services trust its key; the CLI, the tests and the dashboard use its tokens. */
    public LocalTokens tokens() {
        return new LocalTokens(config.home());
    }

    /** The dashboard's address with a token to view and submit for 12 hours (the page keeps it, then drops it from the URL). */
    public String dashboardUrl() {
        return config.url("analysis") + "/#token=" + tokens().token(System.getProperty("user.name", "local"),
                Duration.ofHours(12), dev.logitlab.events.Roles.VIEWER, dev.logitlab.events.Roles.SUBMITTER);
    }

    /** True when the broker and every service answer. */
    public boolean isUp() {
        return broker.reachable() && config.services().stream().allMatch(c -> health(c) == 200);
    }

    /** Starts what is not running (the broker, topics, each service process) and waits until each is ready. */
    public void up() {
        start();
        awaitReady();
    }

    /**
     * Starts what is not running (the broker, its topics and ACLs, then each service process) without waiting for
     * the services: a caller that needs only one of them first ({@link #awaitReady(String)}) can go on while the
     * others come up, then {@link #awaitReady()}.
     */
    public void start() {
        for (String role : List.of("trainer", "attack", "analysis")) {
            if (!Files.isRegularFile(config.serviceJar(role))) {
                throw new IllegalStateException(config.serviceJar(role) + " is missing: build the services first "
                        + "(./lab builds them; or mvn -DskipTests package)");
            }
        }
        boolean brokerUp = alive("kafka") && broker.reachable();
        List<Component> missing = config.services().stream().filter(c -> !alive(c.name())).toList();
        List<Integer> ports = new ArrayList<>(missing.stream().map(Component::port).toList());
        if (!brokerUp) {
            ports.addAll(0, List.of(config.kafkaPort(), config.controllerPort()));
        }
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
            if (!brokerUp) {
                startBroker();
            }
            broker.createTopics();
            broker.grantAcls();
            for (Component c : missing) {
                start(c);
            }
            config.record();
        } catch (IOException e) {
            down();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            down();
            throw e;
        }
    }

    /** Waits until one service ({@code trainer}, {@code attack-1}, ...) is ready; stops the stack if it never is. */
    public void awaitReady(String name) {
        Component component = config.services().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name + " in this stack"));
        try {
            awaitReady(component);
        } catch (RuntimeException e) {
            down();
            throw e;
        }
    }

    /** Waits until every service is ready and prints where everything is. */
    public void awaitReady() {
        try {
            for (Component c : config.services()) {
                awaitReady(c);
            }
        } catch (RuntimeException e) {
            down();
            throw e;
        }
        out.printf("kafka       %s%n", config.bootstrap());
        for (Component c : config.services()) {
            out.printf("%-11s http://localhost:%d   (health /q/health/ready)%n", c.name(), c.port());
        }
        out.printf("dashboard   %s%n            (live runs and reports; submit runs; the link carries a 12-hour token)%n",
                dashboardUrl());
        out.printf("tokens      ./lab token --role viewer|submitter|operator (the REST APIs need one)%n");
        out.printf("logs        %s%n", config.logs());
        out.flush();
    }

    /**
     * Stops every process with a pid file: the services all at once (each shuts down on its own, so waiting for one
     * before signalling the next only adds their shutdowns up), then the broker (SIGTERM: it flushes cleanly).
     */
    public void down() {
        stop(pidFiles().stream().filter(n -> !n.equals("kafka")).sorted().toList());
        stop(List.of("kafka"));
    }

    /** Stops one process (SIGTERM, then SIGKILL after 30 s) and removes its pid file. */
    public void stop(String name) {
        stop(List.of(name));
    }

    private void stop(List<String> names) {
        Map<String, ProcessHandle> running = new LinkedHashMap<>();
        for (String name : names) {
            pid(name).flatMap(ProcessHandle::of).ifPresent(process -> {
                out.printf("stopping %s (pid %d)%n", name, process.pid());
                process.destroy();
                running.put(name, process);
            });
        }
        out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        running.values().forEach(process -> {
            try {
                process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        });
        names.forEach(this::deletePidFile);
    }

    /** Kills one process at once (SIGKILL): what the fault-injection tests do to a replica or the broker. */
    public void kill(String name) {
        pid(name).flatMap(ProcessHandle::of).ifPresent(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
        deletePidFile(name);
    }

    /**
     * One line per process of the stack as it was started (its recorded shape): name, role, replica, pid, port,
     * alive, health and start time; or the same as JSON. The broker's health is asked the way clients connect
     * (SASL_SSL as the admin); a service's is its readiness.
     */
    public void status(boolean asJson) {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("kafka", "kafka", 1, config.kafkaPort(), broker.reachable(Duration.ofSeconds(15)) ? "ready"
                : "unreachable"));
        for (Component c : config.services()) {
            int code = health(c);
            int replica = c.name().contains("-") ? Integer.parseInt(c.name().substring(c.name().lastIndexOf('-') + 1)) : 1;
            rows.add(row(c.name(), c.role(), replica, c.port(), code == 200 ? "ready" : code < 0 ? "down"
                    : "not ready (" + code + ")"));
        }
        if (asJson) {
            ObjectMapper json = new ObjectMapper();
            ArrayNode array = json.createArrayNode();
            rows.forEach(r -> array.add(json.valueToTree(r)));
            ObjectNode root = json.createObjectNode().put("bootstrap", config.bootstrap())
                    .put("home", config.home().toString());
            root.set("processes", array);
            out.println(root.toPrettyString());
        } else {
            out.printf("%-11s %-8s %7s %8s %6s %6s  %-18s %s%n", "name", "role", "replica", "pid", "port", "alive",
                    "health", "started");
            for (Map<String, Object> r : rows) {
                long pid = (Long) r.get("pid");
                out.printf("%-11s %-8s %7d %8s %6d %6s  %-18s %s%n", r.get("name"), r.get("role"), r.get("replica"),
                        pid < 0 ? "-" : pid, (Integer) r.get("port"), (Boolean) r.get("alive") ? "yes" : "no",
                        r.get("health"), r.get("startedAt") == null ? "-" : r.get("startedAt"));
            }
        }
        out.flush();
    }

    private Map<String, Object> row(String name, String role, int replica, int port, String health) {
        Map<String, Object> row = new LinkedHashMap<>();
        Optional<ProcessHandle> process = pid(name).flatMap(ProcessHandle::of);
        row.put("name", name);
        row.put("role", role);
        row.put("replica", replica);
        row.put("pid", pid(name).orElse(-1L));
        row.put("port", port);
        row.put("alive", process.map(ProcessHandle::isAlive).orElse(false));
        row.put("health", health);
        row.put("startedAt", process.flatMap(p -> p.info().startInstant()).map(Object::toString).orElse(null));
        return row;
    }

    public Path log(String component) {
        return config.logs().resolve(component + ".log");
    }

    /** Starts the broker and waits until it answers. */
    public void startBroker() throws IOException {
        Files.createDirectories(config.logs());
        Files.createDirectories(config.pids());
        start("kafka", broker.prepare(log("kafka-format")), Map.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!broker.reachable()) {
            ensureAlive("kafka");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not come up in 90 s; see " + log("kafka"));
            }
            sleep(100);
        }
        broker.createTopics();
        broker.grantAcls();
    }

    /**
     * How a service of this role reaches the broker: bootstrap, SASL_SSL with its own SCRAM user (its ACLs, nothing
     * else), the CA; topics are the stack's to create.
     */
    public Map<String, String> kafkaEnvironment(String role) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", config.bootstrap());
        env.putAll(new LocalKafkaSecurity(config.home()).serviceEnvironment(role));
        env.put("LOGITLAB_TOPICS_CREATE", "false");
        return env;
    }

    /** Starts one service process; its Kafka Streams state directory is its own, under {@code .lab/streams}. */
    public void start(Component c) throws IOException {
        start(c, Map.of());
    }

    /** Starts one service with extra environment on top of the stack's (a fault-injection test's setting). */
    public void start(Component c, Map<String, String> extra) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(kafkaEnvironment(c.role()));
        env.putAll(Map.of(
                "LOGITLAB_TRAINER_URL", config.url("trainer"),
                "LOGITLAB_DASHBOARD_ORIGINS", config.dashboardOrigins(),
                "LOGITLAB_STORE", config.store().toString(),
                c.role().toUpperCase() + "_PORT", Integer.toString(c.port()),
                "LOGITLAB_STREAMS_DIR", config.home().resolve("streams").resolve(c.name()).toString(),
                "LOGITLAB_THREADS", "1",
                "LOGITLAB_SCHEMAS_URL", config.url("analysis") + "/schemas/",
                "LOGITLAB_JWT_PUBLIC_KEY", tokens().publicKey().toString(),
                "QUARKUS_HTTP_HOST", "127.0.0.1")); // one person on one machine: nothing else should reach it
        env.putAll(extra);
        env.put("GLIBC_TUNABLES", Libtorch.MALLOC_TUNABLES);
        // A native crash's report lands beside the service's log, not in whatever directory ./lab ran from. C1 only,
        // as for the broker: the services' work is inside libtorch, and C2 spent 47–56 CPU s of a quick demo's ~390
        // compiling framework code (Kafka's client, Quarkus, Jackson); with C1 alone the compilers took 11–15 s and
        // the work threads no more than the run-to-run noise (docs/benchmarks.md). Helm's images keep C2: a pod
        // lives long enough to win its compiling back.
        start(c.name(), List.of(LocalBroker.java(), "-Xmx3g", "-XX:TieredStopAtLevel=1",
                "-XX:ErrorFile=" + config.logs().resolve(c.name() + "-hs_err_pid%p.log"),
                "-jar", config.serviceJar(c.role()).toString()), env);
    }

    public void awaitReady(Component c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (health(c) != 200) {
            ensureAlive(c.name());
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(c.name() + " did not become ready in 180 s; see " + log(c.name()));
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
        if (!alive(name)) {
            throw new IllegalStateException(name + " exited during start-up; last lines of " + log(name) + ":\n"
                    + tail(log(name), 15));
        }
    }

    int health(Component c) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + c.port() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean alive(String name) {
        return pid(name).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The pid of a process of the stack, from its pid file. */
    public Optional<Long> pid(String name) {
        try {
            Path file = pidFile(name);
            return Files.isRegularFile(file) ? Optional.of(Long.parseLong(Files.readString(file).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private List<String> pidFiles() {
        if (!Files.isDirectory(config.pids())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(config.pids())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid"))
                    .map(n -> n.substring(0, n.length() - 4)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path pidFile(String name) {
        return config.pids().resolve(name + ".pid");
    }

    private void deletePidFile(String name) {
        try {
            Files.deleteIfExists(pidFile(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.logitlab.cli.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the local stack lives and listens: the repository (for the service jars), {@code .lab/} (broker data,
 * logs, pid files, checkpoint store), the ports of the broker and the services, and how many attack and analysis
 * replicas run. Replica {@code i} of a service listens on the service's port + 10·(i − 1).
 */
public record StackConfig(Path repository, Path home, int kafkaPort, int controllerPort, int trainerPort,
                          int attackPort, int analysisPort, int attackReplicas, int analysisReplicas) {

    /** One process of the stack: {@code kafka}, {@code trainer}, {@code attack-2}, … */
    public record Component(String name, String role, int port) {
    }

    public StackConfig {
        if (attackReplicas < 1 || analysisReplicas < 1 || attackReplicas > 9 || analysisReplicas > 9) {
            throw new IllegalArgumentException("replicas: between 1 and 9 of each service");
        }
    }

    public StackConfig(Path repository, Path home, int kafkaPort, int controllerPort, int trainerPort, int attackPort,
                       int analysisPort) {
        this(repository, home, kafkaPort, controllerPort, trainerPort, attackPort, analysisPort, 1, 1);
    }

    public static StackConfig defaults() {
        Path repository = Path.of(System.getProperty("logitlab.root", ".")).toAbsolutePath().normalize();
        return new StackConfig(repository, repository.resolve(".lab"), 9092, 9093, 8081, 8082, 8083);
    }

    /** The stack recorded under the default home at its last {@code up}, else the defaults: what clients talk to. */
    public static StackConfig current() {
        StackConfig d = defaults();
        return recorded(d.repository(), d.home()).orElse(d);
    }

    /** Where {@link #record} keeps the shape a stack was started with. */
    public Path shapeFile() {
        return home.resolve("stack.json");
    }

    /** Writes the ports and replica counts this stack is started with, for the commands that act on it later. */
    public void record() {
        var shape = new java.util.LinkedHashMap<String, Integer>();
        shape.put("kafkaPort", kafkaPort);
        shape.put("controllerPort", controllerPort);
        shape.put("trainerPort", trainerPort);
        shape.put("attackPort", attackPort);
        shape.put("analysisPort", analysisPort);
        shape.put("attackReplicas", attackReplicas);
        shape.put("analysisReplicas", analysisReplicas);
        try {
            java.nio.file.Files.createDirectories(home);
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValue(shapeFile().toFile(), shape);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot record the stack's shape in " + shapeFile(), e);
        }
    }

    /** The stack recorded under {@code home} at its last {@code up}, if any: what status, logs and down act on. */
    public static java.util.Optional<StackConfig> recorded(Path repository, Path home) {
        Path file = home.resolve("stack.json");
        if (!java.nio.file.Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
            return java.util.Optional.of(new StackConfig(repository, home, n.get("kafkaPort").asInt(),
                    n.get("controllerPort").asInt(), n.get("trainerPort").asInt(), n.get("attackPort").asInt(),
                    n.get("analysisPort").asInt(), n.get("attackReplicas").asInt(), n.get("analysisReplicas").asInt()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the stack's shape from " + file + " (" + e.getMessage()
                    + "): remove it and run ./lab stack up again", e);
        }
    }

    public StackConfig withReplicas(int attack, int analysis) {
        return new StackConfig(repository, home, kafkaPort, controllerPort, trainerPort, attackPort, analysisPort,
                attack, analysis);
    }

    /** The services' processes, trainer first. */
    public List<Component> services() {
        List<Component> all = new ArrayList<>();
        all.add(new Component("trainer", "trainer", trainerPort));
        for (int i = 1; i <= attackReplicas; i++) {
            all.add(new Component("attack-" + i, "attack", attackPort + 10 * (i - 1)));
        }
        for (int i = 1; i <= analysisReplicas; i++) {
            all.add(new Component("analysis-" + i, "analysis", analysisPort + 10 * (i - 1)));
        }
        return all;
    }

    public Component component(String name) {
        return services().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown component '" + name + "'; known: kafka, "
                        + services().stream().map(Component::name).toList()));
    }

    /** A Kafka client's settings for the local broker, as its admin (the CLI, the tests). */
    public java.util.Properties kafkaClient() {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", bootstrap());
        p.putAll(new LocalKafkaSecurity(home).clientProperties(LocalKafkaSecurity.ADMIN));
        return p;
    }

    public String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path pids() {
        return home.resolve("pids");
    }

    public Path store() {
        return home.resolve("store");
    }

    public Path kafkaData() {
        return home.resolve("kafka");
    }

    /** The first replica of a service ({@code trainer}, {@code attack}, {@code analysis}). */
    public String url(String service) {
        return "http://localhost:" + port(service);
    }

    /** Where browsers load the dashboard from: every analysis replica, by name and by address. */
    public String dashboardOrigins() {
        return services().stream().filter(c -> c.role().equals("analysis"))
                .map(c -> "http://localhost:" + c.port() + ",http://127.0.0.1:" + c.port())
                .collect(java.util.stream.Collectors.joining(","));
    }

    public int port(String service) {
        return switch (service) {
            case "trainer" -> trainerPort;
            case "attack" -> attackPort;
            case "analysis" -> analysisPort;
            case "kafka" -> kafkaPort;
            default -> throw new IllegalArgumentException("unknown component " + service);
        };
    }

    /** The packaged Quarkus service, built by {@code ./lab} before the stack starts. */
    public Path serviceJar(String role) {
        return repository.resolve(role + "-service").resolve("target/quarkus-app/quarkus-run.jar");
    }
}

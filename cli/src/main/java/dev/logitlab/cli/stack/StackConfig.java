package dev.logitlab.cli.stack;

import java.nio.file.Path;

/**
 * Where the local stack lives and listens: the repository (for the service jars), {@code .lab/} (broker data,
 * logs, pid files, checkpoint store) and the ports of the broker and the three services.
 */
public record StackConfig(Path repository, Path home, int kafkaPort, int controllerPort, int trainerPort,
                          int attackPort, int analysisPort) {

    public static StackConfig defaults() {
        Path repository = Path.of(System.getProperty("logitlab.root", ".")).toAbsolutePath().normalize();
        return new StackConfig(repository, repository.resolve(".lab"), 9092, 9093, 8081, 8082, 8083);
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

    public String url(String service) {
        return "http://localhost:" + port(service);
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
    public Path serviceJar(String service) {
        return repository.resolve(service + "-service").resolve("target/quarkus-app/quarkus-run.jar");
    }
}

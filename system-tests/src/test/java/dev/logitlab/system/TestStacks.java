package dev.logitlab.system;

import dev.logitlab.cli.stack.StackConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Local stacks for tests: the repository's packaged services, a temporary home, and ports nobody holds. */
final class TestStacks {

    private TestStacks() {
    }

    /** Free ports for the broker, the controller and every service replica (replica i at base + 10(i − 1)). */
    static StackConfig config(Path home, int attackReplicas, int analysisReplicas) throws Exception {
        StackConfig defaults = StackConfig.defaults();
        // Maven runs these tests in system-tests/; the repository is the folder with the lab launcher
        Path repository = java.nio.file.Files.exists(defaults.repository().resolve("lab"))
                ? defaults.repository() : defaults.repository().getParent();
        List<Integer> ports = new ArrayList<>();
        int replicas = Math.max(attackReplicas, analysisReplicas);
        while (ports.size() < 5) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            boolean usable = port + 10 * replicas < 65535 && !ports.contains(port);
            for (int i = 1; i < replicas && usable; i++) {
                usable = free(port + 10 * i) && ports.stream().noneMatch(p -> Math.abs(p - port) % 10 == 0);
            }
            if (usable) {
                ports.add(port);
            }
        }
        return new StackConfig(repository, home, ports.get(0), ports.get(1), ports.get(2), ports.get(3), ports.get(4),
                attackReplicas, analysisReplicas);
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The final report (published or failed) of a checkpoint on logitlab.reports, read committed with the given client
     * settings; consumer groups are named {@code logitlab-producer-test-*}, which the producer's user may use too.
     */
    static com.fasterxml.jackson.databind.JsonNode awaitReport(java.util.Map<?, ?> client, String checkpointId)
            throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.putAll(client);
        p.put("group.id", "logitlab-producer-test-" + java.util.UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var string = new org.apache.kafka.common.serialization.StringDeserializer();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, string, string)) {
            consumer.subscribe(List.of("logitlab.reports"));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(240).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(java.time.Duration.ofSeconds(1))) {
                    if (!checkpointId.equals(record.key()) || record.value() == null) {
                        continue; // other checkpoints' records, and whatever a hostile producer wrote
                    }
                    var value = json.readTree(record.value());
                    if (!value.has("progress")) {
                        return value;
                    }
                }
            }
        }
        throw new AssertionError("no report for " + checkpointId + " on logitlab.reports within 240 s");
    }
}

package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Sha256;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer in worker mode (what a sweep's training Job runs) as its own process against a real broker: it trains
 * its one run, announces every checkpoint, exits 0; killed with SIGKILL mid-run and started again, it resumes from
 * its last checkpoint and announces no checkpoint twice.
 */
class WorkerModeTest {

    static final String RUN_ID = "run-worker00001";
    static final String SPEC = """
            {"dataset":"fashion-mnist","model":"small-cnn","epochs":4,"trainLimit":4000,"testLimit":200,"batchSize":100,
             "learningRate":0.002,"seed":5,"evaluation":{"eps":[0.1],"attacks":"fgsm","limit":50,"gapLimit":0}}""";

    @TempDir
    Path home;

    @Test
    void killedMidRunTheWorkerResumesAndAnnouncesEachCheckpointOnce() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        LocalStack stack = new LocalStack(config, new PrintWriter(new StringWriter(), true));
        Path runDir = config.store().resolve("runs").resolve(RUN_ID);
        try {
            Files.createDirectories(config.store());
            Files.createDirectories(config.logs());
            Files.createDirectories(config.pids());
            stack.startBroker();

            Process first = worker(config);
            Path announced = runDir.resolve("announced/epoch-001");
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!Files.exists(announced)) {
                assertTrue(first.isAlive() && System.nanoTime() < deadline, "the worker never announced epoch 1");
                Thread.sleep(100);
            }
            first.destroyForcibly().waitFor();
            String epoch1 = Sha256.of(runDir.resolve("epoch-001/model.params"));
            assertTrue(!Files.exists(runDir.resolve("epoch-004")), "killed before the run ended");

            Process second = worker(config);
            assertTrue(second.waitFor(3, TimeUnit.MINUTES), "the restarted worker did not finish");
            assertEquals(0, second.exitValue(), "a worker that trained its run exits 0");
            assertEquals(epoch1, Sha256.of(runDir.resolve("epoch-001/model.params")), "resumed, not retrained");
            assertTrue(Files.exists(runDir.resolve("epoch-004/checkpoint.json")));
            assertEquals(List.of(1, 2, 3, 4), announcedEpochs(config), "each checkpoint announced exactly once");
        } finally {
            stack.down();
        }
    }

    private Process worker(StackConfig config) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-jar", config.serviceJar("trainer").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(config.logs().resolve("worker.log").toFile()));
        builder.environment().putAll(new LocalStack(config, new java.io.PrintWriter(java.io.Writer.nullWriter()))
                .kafkaEnvironment("trainer"));
        builder.environment().putAll(Map.of(
                "LOGITLAB_STORE", config.store().toString(),
                "TRAINER_PORT", Integer.toString(config.trainerPort()),
                "LOGITLAB_THREADS", "1",
                "LOGITLAB_WORKER_RUN_ID", RUN_ID,
                "LOGITLAB_WORKER_SPEC", SPEC));
        return builder.start();
    }

    private static List<Integer> announcedEpochs(StackConfig config) throws Exception {
        Properties p = new Properties();
        p.putAll(config.kafkaClient());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "worker-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ObjectMapper json = new ObjectMapper();
        java.util.List<Integer> epochs = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("logitlab.checkpoints"));
            int quiet = 0;
            while (quiet < 5) {
                var records = consumer.poll(Duration.ofSeconds(1));
                quiet = records.isEmpty() ? quiet + 1 : 0;
                for (ConsumerRecord<String, String> r : records) {
                    if (RUN_ID.equals(r.key())) {
                        epochs.add(json.readTree(r.value()).get("epoch").asInt());
                    }
                }
            }
        }
        return epochs.stream().sorted().toList();
    }
}

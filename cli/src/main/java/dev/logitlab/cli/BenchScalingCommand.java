package dev.logitlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.core.checkpoint.Checkpoint;
import dev.logitlab.core.data.Datasets;
import dev.logitlab.core.train.Training;
import dev.logitlab.core.train.TrainingConfig;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./lab bench scaling}: how one evaluation speeds up with attack replicas. On a local stack of its own (one
 * libtorch thread per service), it trains a small-cnn checkpoint, announces it with 1 attack replica running, then
 * again with 2, and times each from the announcement to the last shard result and to the report.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true,
        description = "Seconds of one evaluation with 1 and with 2 attack replicas (1 thread each), on a stack of its own.")
final class BenchScalingCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackCommand.Options stack = new StackCommand.Options();

    @Option(names = "--attacks", defaultValue = "fgsm,pgd,apgd-ce:steps=50,square:queries=500,noise",
            description = "the evaluation's attacks (default: ${DEFAULT-VALUE})")
    String attacks;

    @Option(names = "--limit", defaultValue = "500", description = "test images (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--repeats", defaultValue = "2", description = "timed evaluations per replica count (default: ${DEFAULT-VALUE})")
    int repeats;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StackConfig config = benchStack(stack.config(), "bench-scaling");
        LocalStack one = new LocalStack(config, out);
        LocalStack two = new LocalStack(config.withReplicas(2, 1), out);
        try {
            one.up();
            CheckpointCreated checkpoint = trainedCheckpoint(config, new RunSpec.Evaluation(List.of(0.1), attacks, limit, 50));
            out.println("warm-up evaluation ...");
            out.flush();
            time(config, checkpoint, 1);
            List<double[]> rows = new ArrayList<>();
            for (int replicas = 1; replicas <= 2; replicas++) {
                if (replicas == 2) {
                    two.up(); // starts attack-2 only; the group rebalances the task partitions
                }
                for (int r = 0; r < repeats; r++) {
                    double[] t = time(config, checkpoint, 100 * replicas + r + 2);
                    rows.add(new double[] {replicas, t[0], t[1]});
                    out.printf("%d attack replica(s): last shard after %.1f s, report after %.1f s%n", replicas, t[0], t[1]);
                    out.flush();
                }
            }
            double oneAttack = best(rows, 1, 1);
            double oneReport = best(rows, 1, 2);
            out.printf("%nreplicas  attack phase s  event-to-report s  attack phase vs 1 replica%n");
            for (int replicas = 1; replicas <= 2; replicas++) {
                out.printf("%8d  %14.1f  %17.1f  %24.2fx%n", replicas, best(rows, replicas, 1), best(rows, replicas, 2),
                        best(rows, replicas, 1) / oneAttack);
            }
            out.printf("(best of %d; %d test images, attacks %s; one libtorch thread per service; report/attack at 1 "
                    + "replica: %.2f)%n", repeats, limit, attacks, oneReport / oneAttack);
        } finally {
            two.down();
        }
        return 0;
    }

    private static double best(List<double[]> rows, int replicas, int column) {
        return rows.stream().filter(r -> r[0] == replicas).mapToDouble(r -> r[column]).min().orElseThrow();
    }

    /** A stack of its own beside the user's (ports + 10000, home {@code .lab/<name>}), one replica of each service. */
    static StackConfig benchStack(StackConfig base, String name) {
        return new StackConfig(base.repository(), base.repository().resolve(".lab").resolve(name),
                base.kafkaPort() + 10000, base.controllerPort() + 10000, base.trainerPort() + 10000,
                base.attackPort() + 10000, base.analysisPort() + 10000, 1, 1);
    }

    /** A one-epoch small-cnn on 5,000 Fashion-MNIST images, written into the stack's store. */
    static CheckpointCreated trainedCheckpoint(StackConfig config, RunSpec.Evaluation evaluation) {
        String runId = "bench-scaling";
        TrainingConfig training = new TrainingConfig("fashion-mnist", "small-cnn", "plain", 1, 5000, 1000, 128, 0.001,
                "adam", 0);
        Checkpoint c = new Training(training, runId, config.store().resolve("runs").resolve(runId), null)
                .run(Datasets.load("fashion-mnist", null)).lastCheckpoint();
        return new CheckpointCreated(CheckpointCreated.SCHEMA_VERSION, runId, c.manifest().checkpointId(), 1,
                "file:runs/" + runId + "/" + c.directory().getFileName(), c.manifest().parameters().sha256(),
                c.manifest().configHash(), 0, "fashion-mnist", "small-cnn", "plain",
                evaluation, null);
    }

    /** A consumer of attack results and reports from now on (read_committed), already assigned its partitions. */
    static KafkaConsumer<String, String> resultsAndReports(StackConfig config) {
        java.util.Properties consumerConfig = config.kafkaClient();
        consumerConfig.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(Topics.ATTACK_RESULTS, Topics.REPORTS));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(200));
        }
        return consumer;
    }

    static KafkaProducer<String, String> producer(StackConfig config) {
        return new KafkaProducer<>(config.kafkaClient(), new StringSerializer(), new StringSerializer());
    }

    /** The same checkpoint announced under another seed: a new evaluation plan. */
    static CheckpointCreated withSeed(CheckpointCreated c, long seed) {
        return new CheckpointCreated(c.schemaVersion(), c.runId(), c.checkpointId(), c.epoch(), c.uri(), c.sha256(),
                c.configHash(), seed, c.dataset(), c.model(), c.defense(), c.evaluation(), c.metrics());
    }

    /** Announces the checkpoint under a new seed (a new plan); seconds to its last shard result and to its report. */
    private double[] time(StackConfig config, CheckpointCreated c, long seed) throws Exception {
        try (KafkaConsumer<String, String> consumer = resultsAndReports(config);
             KafkaProducer<String, String> producer = producer(config)) {
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, c.runId(), json.writeValueAsString(withSeed(c, seed))))
                    .get();
            int shards = -1;
            int results = 0;
            double attackDone = 0;
            long deadline = start + Duration.ofMinutes(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode value = json.readTree(record.value());
                    if (!c.checkpointId().equals(record.key()) || value.path("seed").asLong(-1) != seed) {
                        continue;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (record.topic().equals(Topics.REPORTS)) {
                        if (value.has("progress")) {
                            continue;
                        }
                        if (!value.has("report")) {
                            throw new IllegalStateException("no report: " + value.path("reason").asText());
                        }
                        return new double[] {attackDone, seconds};
                    }
                    shards = value.get("shards").asInt();
                    if (++results == shards) {
                        attackDone = seconds;
                    }
                }
            }
            throw new IllegalStateException("no report within 30 minutes");
        }
    }
}

package dev.logitlab.cli.bench;

import dev.logitlab.cli.stack.StackOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    StackOptions stack = new StackOptions();

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
        StackConfig config = BenchStack.of(stack.config(), "bench-scaling");
        LocalStack one = new LocalStack(config, out);
        LocalStack two = new LocalStack(config.withReplicas(2, 1), out);
        try {
            one.up();
            CheckpointCreated checkpoint = ModelMaker.trainedCheckpoint(config, new RunSpec.Evaluation(List.of(0.1), attacks, limit, 50));
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

    /** Announces the checkpoint under a new seed (a new plan); seconds to its last shard result and to its report. */
    private double[] time(StackConfig config, CheckpointCreated c, long seed) throws Exception {
        try (KafkaConsumer<String, String> consumer = BenchStack.resultsAndReports(config);
             KafkaProducer<String, String> producer = BenchStack.producer(config)) {
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, c.runId(), json.writeValueAsString(BenchStack.withSeed(c, seed))))
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

package dev.logitlab.cli.bench;

import dev.logitlab.cli.stack.StackOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import dev.logitlab.events.CheckpointCreated;
import dev.logitlab.events.RunSpec;
import dev.logitlab.events.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./lab bench service}: the service path on a stack of its own (one libtorch thread per service). The time
 * from a checkpoint event to its report beyond the attacks' own compute; the attack service's resident memory and
 * heap after each of many checkpoints; checkpoints per minute with 1 and with 2 attack replicas.
 */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Event-to-report overhead, attack-service "
        + "memory over many checkpoints, and checkpoints per minute with 1 and 2 attack replicas, on a stack of its own.")
final class BenchServiceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack = new StackOptions();

    @Option(names = "--attacks", defaultValue = "fgsm,pgd:steps=10", description = "each evaluation's attacks (default: ${DEFAULT-VALUE})")
    String attacks;

    @Option(names = "--limit", defaultValue = "40", description = "test images per evaluation (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--checkpoints", defaultValue = "100", description = "checkpoints announced at once with 1 attack replica (default: ${DEFAULT-VALUE})")
    int checkpoints;

    @Option(names = "--burst", defaultValue = "30", description = "checkpoints announced at once with 2 attack replicas (default: ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--json", description = "where the figures go (default: .lab/bench/service.json)")
    Path json;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    /** One checkpoint's evaluation: seconds from the batch's announcement to its report, and its shards' compute. */
    record Evaluation(long seed, double reportSeconds, double shardSeconds, int shards) {
    }

    /**
     * The attack service's memory just after a report and a full GC, MiB: resident set, live heap, committed heap, and
     * the rest of the resident set (libtorch's tensors, code, metaspace, thread stacks).
     */
    record Memory(int reports, double seconds, double rssMiB, double heapMiB, double committedMiB, double otherMiB) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StackConfig config = BenchStack.of(stack.config(), "bench-service");
        LocalStack one = new LocalStack(config, out);
        LocalStack two = new LocalStack(config.withReplicas(2, 1), out);
        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        try {
            one.up();
            CheckpointCreated c = ModelMaker.trainedCheckpoint(config,
                    new RunSpec.Evaluation(List.of(0.1), attacks, limit, 0));
            // Seeds new to this stack (the planner remembers every plan it has seen, across runs of the bench).
            long base = System.currentTimeMillis() * 10_000;
            evaluate(config, c, seeds(base, 1), null); // warm-up: loads libtorch, the data and the model

            int attackPort = config.component("attack-1").port();
            int analysisPort = config.component("analysis-1").port();
            List<double[]> alone = new ArrayList<>(); // e2r, attack compute, attack shard wall, report work
            for (long seed = base + 10; seed < base + 13; seed++) {
                double shardWall = metricSum(attackPort, "logitlab_attack_shard_duration_seconds_sum");
                double reportWork = metricSum(analysisPort, "logitlab_report_duration_seconds_sum");
                Evaluation e = evaluate(config, c, seeds(seed, 1), null).get(0);
                alone.add(new double[] {e.reportSeconds(), e.shardSeconds(),
                        metricSum(attackPort, "logitlab_attack_shard_duration_seconds_sum") - shardWall,
                        metricSum(analysisPort, "logitlab_report_duration_seconds_sum") - reportWork, e.shards()});
            }
            double[] best = alone.stream().min((a, b) -> Double.compare(a[0] - a[2] - a[3], b[0] - b[2] - b[3])).orElseThrow();
            out.printf("%nevent to report, one checkpoint at a time (best of %d): %.2f s%n"
                    + "  attacks' compute            %5.2f s (%d shards)%n"
                    + "  shards' wall in the service %5.2f s (each also loads the model and classifies its clean images)%n"
                    + "  the report's own work       %5.2f s (merge, model loading, gap statistics and indicators)%n"
                    + "  the rest: Kafka, transactions, planning %5.2f s%n",
                    alone.size(), best[0], best[1], (int) best[4], best[2], best[3], best[0] - best[2] - best[3]);
            figures.put("eventToReport", Map.of("seconds", best[0], "attackCompute", best[1], "shardWall", best[2],
                    "reportWork", best[3], "rest", best[0] - best[2] - best[3], "shards", (int) best[4]));

            long pid = one.pid("attack-1").orElseThrow();
            List<Memory> memory = new ArrayList<>();
            int every = Math.max(1, checkpoints / 10);
            List<Evaluation> many = evaluate(config, c, seeds(base + 1000, checkpoints), (n, t) -> {
                if (n % every == 0) {
                    memory.add(memory(pid, attackPort, n, t));
                }
            });
            printMemory(out, memory);
            figures.put("memory", memory);
            double perMinuteOne = perMinute(many);

            two.up(); // starts attack-2 only; the group rebalances the task partitions
            evaluate(config, c, seeds(base + 5000, 2), null); // both replicas warm
            double perMinuteTwo = perMinute(evaluate(config, c, seeds(base + 6000, burst), null));
            out.printf("%ncheckpoints per minute (after the first 10%% of each batch): 1 attack replica %.1f (%d at "
                    + "once), 2 replicas %.1f (%d at once): %.2fx%n", perMinuteOne, checkpoints, perMinuteTwo, burst,
                    perMinuteTwo / perMinuteOne);
            out.printf("(%d test images, attacks %s and the indicators' sweep, one libtorch thread per service)%n",
                    limit, attacks);
            figures.put("checkpointsPerMinute", Map.of("1", perMinuteOne, "2", perMinuteTwo));
        } finally {
            two.down();
        }
        Path file = json != null ? json : StackConfig.defaults().home().resolve("bench/service.json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), figures);
        out.println("figures: " + file.toAbsolutePath());
        return 0;
    }

    private static List<Long> seeds(long first, int n) {
        return LongStream.range(first, first + n).boxed().toList();
    }

    /** Steady-state rate: reports after the first tenth of the batch, over the time they took. */
    private static double perMinute(List<Evaluation> batch) {
        List<Double> times = batch.stream().map(Evaluation::reportSeconds).sorted().toList();
        int skip = Math.max(1, times.size() / 10);
        return 60.0 * (times.size() - skip) / (times.get(times.size() - 1) - times.get(skip - 1));
    }

    /** Called after each report with the reports so far and the seconds since the announcement. */
    interface OnReport {
        void reported(int reports, double seconds) throws Exception;
    }

    /**
     * Announces the checkpoint once per seed (each a new plan), all at once, and waits for every report; sums each
     * evaluation's shard compute from its attack results.
     */
    private List<Evaluation> evaluate(StackConfig config, CheckpointCreated c, List<Long> seeds, OnReport onReport)
            throws Exception {
        try (KafkaConsumer<String, String> consumer = BenchStack.resultsAndReports(config);
             KafkaProducer<String, String> producer = BenchStack.producer(config)) {
            long start = System.nanoTime();
            for (long seed : seeds) {
                producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, c.runId(),
                        mapper.writeValueAsString(BenchStack.withSeed(c, seed))));
            }
            producer.flush();
            Map<Long, double[]> shards = new HashMap<>(); // seed → {compute seconds, count}
            List<Evaluation> done = new ArrayList<>();
            long deadline = start + Duration.ofMinutes(60).toNanos();
            while (done.size() < seeds.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(done.size() + " of " + seeds.size() + " reports within 60 minutes");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    JsonNode value = mapper.readTree(record.value());
                    long seed = value.path("seed").asLong(-1);
                    if (!c.checkpointId().equals(record.key()) || !seeds.contains(seed)) {
                        continue;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double[] sum = shards.computeIfAbsent(seed, s -> new double[2]);
                    if (record.topic().equals(Topics.ATTACK_RESULTS)) {
                        sum[0] += value.path("outcome").path("seconds").asDouble();
                        sum[1]++;
                    } else if (!value.has("progress")) {
                        if (!value.has("report")) {
                            throw new IllegalStateException("no report: " + value.path("reason").asText());
                        }
                        done.add(new Evaluation(seed, seconds, sum[0], (int) sum[1]));
                        if (onReport != null) {
                            onReport.reported(done.size(), seconds);
                        }
                    }
                }
            }
            return done;
        }
    }

    private static double rssMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /** Memory after a full GC (jcmd GC.run), so that the heap figure is what is live, not what awaits collection. */
    private Memory memory(long pid, int port, int reports, double seconds) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process gc = new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor();
        double mib = 1024 * 1024;
        double rss = rssMiB(pid);
        double committed = metricSum(port, "jvm_memory_committed_bytes{area=\"heap\"") / mib;
        return new Memory(reports, seconds, rss, metricSum(port, "jvm_memory_used_bytes{area=\"heap\"") / mib, committed,
                rss - committed);
    }

    /** The sum of a service's Prometheus samples whose line starts with {@code prefix}. */
    private double metricSum(int port, String prefix) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The samples, then the drift of the last against the second (the first is warm-up). */
    private void printMemory(PrintWriter out, List<Memory> memory) {
        out.printf("%nattack service during %d checkpoints announced at once (after a full GC)%n%8s %8s %8s %9s %10s %9s%n",
                checkpoints, "reports", "seconds", "RSS MiB", "live heap", "committed", "other MiB");
        for (Memory m : memory) {
            out.printf("%8d %8.1f %8.0f %9.0f %10.0f %9.0f%n", m.reports(), m.seconds(), m.rssMiB(), m.heapMiB(),
                    m.committedMiB(), m.otherMiB());
        }
        Memory after = memory.get(Math.min(1, memory.size() - 1));
        Memory last = memory.get(memory.size() - 1);
        out.printf("from report %d to %d: RSS %+.1f%%, live heap %+.1f%%, outside the heap %+.1f%%%n", after.reports(),
                last.reports(), change(after.rssMiB(), last.rssMiB()), change(after.heapMiB(), last.heapMiB()),
                change(after.otherMiB(), last.otherMiB()));
    }

    private static double change(double from, double to) {
        return 100 * (to - from) / from;
    }
}

package dev.logitlab.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import dev.logitlab.service.StreamThreads;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import dev.logitlab.events.ReportFailed;
import dev.logitlab.events.ReportProgress;
import dev.logitlab.events.ReportPublished;
import dev.logitlab.events.RunEvent;
import dev.logitlab.events.Verdict;
import dev.logitlab.service.ServiceMetrics;
import dev.logitlab.service.StreamRecords;
import java.util.List;

/**
 * The analysis service as a Kafka Streams topology with exactly-once processing: shard outcomes are merged per
 * evaluation and the report published once (see {@link ShardMerger}); every replica also keeps a read-only copy of
 * the compacted {@code logitlab.reports} and {@code logitlab.verdicts} (global stores) to serve the REST API, whichever
 * replica wrote them, and of the latest event of every run on {@code logitlab.runs}; all pass what they read on to the
 * dashboards.
 */
@ApplicationScoped
public class ReportTopology {

    private static final Logger LOG = Logger.getLogger(ReportTopology.class);
    static final String SERVICE = "analysis-service";
    static final String REPORTS = "reports";
    static final String VERDICTS = "verdicts";
    static final String DEAD_LETTERS = "dead-letters";
    /** The global store of published reports, by checkpointId. */
    static final String PUBLISHED = "published-reports";
    /** The global store of verdicts, by checkpointId. */
    static final String VERDICT_COPY = "verdicts-by-checkpoint";
    /** The global store of the latest event of every run (carrying its submitted spec), by runId. */
    static final String RUN_EVENTS = "latest-run-events";

    @ConfigProperty(name = "logitlab.topics.attack-results")
    String attackResults;

    @ConfigProperty(name = "logitlab.topics.reports")
    String reports;

    @ConfigProperty(name = "logitlab.topics.verdicts")
    String verdicts;

    @ConfigProperty(name = "logitlab.topics.dead-letters")
    String deadLetters;

    @ConfigProperty(name = "logitlab.topics.runs")
    String runs;

    @Inject
    LiveEvents live;

    @Inject
    ReportWork work;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Produces
    StreamsUncaughtExceptionHandler replaceThread() {
        return StreamThreads.REPLACE;
    }

    @Produces
    Topology topology() {
        StringDeserializer in = new StringDeserializer();
        StringSerializer out = new StringSerializer();
        Topology topology = new Topology();
        topology.addSource("attack-results", in, in, attackResults);
        topology.addProcessor("merger", () -> new ShardMerger(work, json, metrics), "attack-results");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ShardMerger.EVALUATIONS),
                Serdes.String(), Serdes.String()), "merger");
        topology.addSink(REPORTS, reports, out, out, "merger");
        topology.addSink(VERDICTS, verdicts, out, out, "merger");
        topology.addSink(DEAD_LETTERS, deadLetters, out, out, "merger");
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PUBLISHED), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), "published-source", in, in, reports, "published-copy",
                () -> new GlobalCopy(PUBLISHED, "report", false, ReportPublished.class, ReportFailed.class,
                        ReportProgress.class));
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(VERDICT_COPY), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), "verdicts-source", in, in, verdicts, "verdicts-copy",
                () -> new GlobalCopy(VERDICT_COPY, "verdict", false, Verdict.class));
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RUN_EVENTS), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), "runs-source", in, in, runs, "runs-copy",
                () -> new GlobalCopy(RUN_EVENTS, "run", true, RunEvent.class));
        return topology;
    }

    /**
     * Keeps the latest record of each key (a tombstone removes it) and passes it on to live dashboards; for run
     * events, a later event without a spec keeps the spec of the one before (the submission's). A global store is
     * fed by Kafka Streams' global thread, which cannot be replaced: a record without a key, with a key longer than
     * {@value #MAX_KEY} characters, or whose value is not one of the topic's events is skipped and counted, never
     * thrown on, and never reaches the REST views or the dashboards.
     */
    private final class GlobalCopy implements Processor<String, String, Void, Void> {
        private static final int MAX_KEY = 512;
        private final String storeName;
        private final String eventName;
        private final boolean keepSpec;
        private final List<Class<?>> events;
        private KeyValueStore<String, String> store;
        private ProcessorContext<Void, Void> context;
        private String topic = "?";

        GlobalCopy(String storeName, String eventName, boolean keepSpec, Class<?>... events) {
            this.storeName = storeName;
            this.eventName = eventName;
            this.keepSpec = keepSpec;
            this.events = List.of(events);
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            context.recordMetadata().ifPresent(m -> topic = m.topic());
            try {
                String problem = problem(record);
                if (problem != null) {
                    skip(problem);
                    return;
                }
                if (record.value() == null) {
                    store.delete(record.key());
                    return;
                }
                String value = keepSpec ? withSpec(record.value(), store.get(record.key())) : record.value();
                store.put(record.key(), value);
                live.publish(eventName, value);
            } catch (RuntimeException e) {
                skip(StreamRecords.reason(e));
            }
        }

        /** Why the record is not one of the topic's events, or null when it is. */
        private String problem(Record<String, String> record) {
            if (record.key() == null) {
                return "no key";
            }
            if (record.key().length() > MAX_KEY) {
                return "a key of " + record.key().length() + " characters";
            }
            if (record.value() == null) {
                return null;
            }
            String problem = null;
            for (Class<?> event : events) {
                try {
                    StreamRecords.read(json, record.value(), event);
                    return null;
                } catch (IllegalArgumentException e) {
                    problem = StreamRecords.reason(e);
                }
            }
            return problem;
        }

        private void skip(String why) {
            ServiceMetrics.RECORDS_SKIPPED.counter(metrics, "topic", topic).increment();
            LOG.warnf("skipped a record on %s: %s", topic, why);
        }

        private String withSpec(String event, String previous) {
            try {
                var node = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(event);
                if (previous != null && (node.get("spec") == null || node.get("spec").isNull())) {
                    node.set("spec", json.readTree(previous).get("spec"));
                }
                return json.writeValueAsString(node);
            } catch (com.fasterxml.jackson.core.JsonProcessingException | ClassCastException e) {
                return event; // not ours to judge: the store mirrors the topic
            }
        }
    }
}

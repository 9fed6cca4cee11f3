package dev.logitlab.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Markers that drop a late duplicate (a checkpoint planned, survivors released, an evaluation done) are stamped with
 * the time of the record that set them ({@code <value> @<epoch ms>}) and deleted once older than the retention
 * ({@code logitlab.markers.retention}, 7 days: the input topics' own retention, after which no duplicate of what they
 * mark can still be read). A store of markers then holds a week of work, not all of history.
 */
public final class MarkerRetention {

    /** How often a processor looks for expired markers. */
    static final Duration SWEEP_EVERY = Duration.ofHours(1);
    private static final String AT = " @";

    private MarkerRetention() {
    }

    /** A marker's value, stamped with its record's time. */
    public static String stamp(String value, long timestamp) {
        return value + AT + timestamp;
    }

    /** The retention, {@code logitlab.markers.retention}. */
    public static Duration retention() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("logitlab.markers.retention", Duration.class).orElse(Duration.ofDays(7));
    }

    /** Deletes, every {@link #SWEEP_EVERY} of wall-clock time, the markers in {@code store} older than the retention. */
    public static void schedule(ProcessorContext<?, ?> context, KeyValueStore<String, String> store) {
        Duration retention = retention();
        context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, now -> {
            List<String> old;
            try (KeyValueIterator<String, String> all = store.all()) {
                old = expired(all, now - retention.toMillis());
            }
            old.forEach(store::delete);
        });
    }

    /** The keys of stamped markers set before {@code cutoff}; entries that are not stamped markers are kept. */
    public static List<String> expired(Iterator<KeyValue<String, String>> entries, long cutoff) {
        List<String> old = new ArrayList<>();
        entries.forEachRemaining(kv -> {
            int at = kv.value == null ? -1 : kv.value.lastIndexOf(AT);
            if (at >= 0) {
                try {
                    if (Long.parseLong(kv.value.substring(at + AT.length())) < cutoff) {
                        old.add(kv.key);
                    }
                } catch (NumberFormatException notAStamp) {
                    // a value that merely contains " @": not a marker
                }
            }
        });
        return old;
    }
}

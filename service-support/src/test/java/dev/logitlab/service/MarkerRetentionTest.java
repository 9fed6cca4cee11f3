package dev.logitlab.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** Markers older than the retention go; everything else a store of markers holds stays. */
class MarkerRetentionTest {

    @Test
    void onlyStampedMarkersOlderThanTheCutoffExpire() {
        List<KeyValue<String, String>> store = List.of(
                KeyValue.pair("run/epoch-001#abc/done", MarkerRetention.stamp("done", 1_000)),
                KeyValue.pair("run/epoch-002#abc/done", MarkerRetention.stamp("done", 5_000)),
                KeyValue.pair("run/epoch-001#abc", MarkerRetention.stamp("12", 999)),
                KeyValue.pair("sha256/run/epoch-001", "a".repeat(64)),
                KeyValue.pair("run/epoch-003#abc/000001", "{\"robust\":\"10x1 @123\"}"),
                KeyValue.pair("odd", "mail me @ home"),
                KeyValue.pair("robust", "10x1"));
        assertEquals(List.of("run/epoch-001#abc/done", "run/epoch-001#abc"),
                MarkerRetention.expired(store.iterator(), 2_000));
        assertEquals(List.of(), MarkerRetention.expired(store.iterator(), 999));
    }
}

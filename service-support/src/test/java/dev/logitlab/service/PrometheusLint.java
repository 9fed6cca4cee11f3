package dev.logitlab.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks {@code promtool check metrics} makes on names and descriptions, applied to the {@code logitlab_*}
 * families of a Prometheus text exposition: non-empty HELP text, {@code _total} on counter samples, base units,
 * no type in the name, snake_case.
 */
public final class PrometheusLint {

    /** Units Prometheus wants in their base form (seconds, bytes) and abbreviations it rejects. */
    private static final List<String> NON_BASE_UNITS = List.of("milliseconds", "microseconds", "nanoseconds", "minutes",
            "hours", "days", "kilobytes", "megabytes", "gigabytes", "percent", "sec_", "ms_");

    private PrometheusLint() {
    }

    public static List<String> problems(String exposition) {
        Map<String, String> help = new HashMap<>();
        Map<String, String> type = new HashMap<>();
        for (String line : exposition.split("\n")) {
            String[] parts = line.split(" ", 4);
            if (parts.length >= 3 && parts[0].equals("#") && parts[2].startsWith("logitlab_")) {
                String text = parts.length == 4 ? parts[3].trim() : "";
                (parts[1].equals("HELP") ? help : parts[1].equals("TYPE") ? type : new HashMap<String, String>())
                        .put(parts[2], text);
            }
        }
        List<String> problems = new ArrayList<>();
        type.forEach((name, kind) -> {
            if (help.getOrDefault(name, "").isEmpty()) {
                problems.add(name + " no help text");
            }
            // The family of a counter may be named with or without _total; its samples must carry it.
            if (kind.equals("counter") && !name.endsWith("_total")
                    && !exposition.contains("\n" + name + "_total ") && !exposition.contains("\n" + name + "_total{")) {
                problems.add(name + " counter metrics should have \"_total\" suffix");
            }
            for (String unit : NON_BASE_UNITS) {
                if (name.contains("_" + unit)) {
                    problems.add(name + " use base unit instead of \"" + unit + "\"");
                }
            }
            for (String kindWord : List.of("_counter", "_gauge", "_histogram", "_summary")) {
                if (name.contains(kindWord)) {
                    problems.add(name + " metric name should not include type '" + kindWord.substring(1) + "'");
                }
            }
            if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                problems.add(name + " metric names should be written in 'snake_case' not 'camelCase'");
            }
        });
        if (type.isEmpty()) {
            problems.add("no logitlab_ metrics at all");
        }
        return problems;
    }
}

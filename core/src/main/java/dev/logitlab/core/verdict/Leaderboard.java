package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs ranked under one protocol (RobustBench's rule: never across data sets, examples, threat models or suites): one
 * row per run, its best checkpoint, by worst-case robust accuracy at the protocol's headline budget, with clean
 * accuracy beside it and both intervals. A row whose interval overlaps the leader's cannot be told from it.
 */
public final class Leaderboard {

    /** One run's row. {@code separable}: its robust interval does not overlap the leader's (the leader: true). */
    public record Row(int rank, String runId, String checkpointId, int epoch, String defense, double clean,
                      List<Double> cleanInterval, String budget, double robust, List<Double> robustInterval,
                      boolean maskingSuspected, boolean separable) {
    }

    /** The rows judged under one protocol. */
    public record Table(Protocol protocol, String key, List<Row> rows) {
    }

    private Leaderboard() {
    }

    /** Every run's best checkpoint, grouped by protocol and ranked; tables with the most runs first. */
    public static List<Table> of(List<Judged> reports) {
        Map<String, List<Judged>> byRun = reports.stream().collect(Collectors.groupingBy(Judged::runId,
                LinkedHashMap::new, Collectors.toList()));
        Map<String, List<Judged>> byProtocol = new LinkedHashMap<>();
        for (List<Judged> run : byRun.values()) {
            Judged best = BestCheckpoint.of(run).orElseThrow();
            byProtocol.computeIfAbsent(Protocol.of(best.report()).key(), k -> new ArrayList<>()).add(best);
        }
        List<Table> tables = new ArrayList<>();
        for (Map.Entry<String, List<Judged>> group : byProtocol.entrySet()) {
            List<Judged> ranked = group.getValue().stream().sorted(Comparator.comparingDouble(
                    (Judged j) -> BestCheckpoint.headline(j.report()).robustAccuracy()).reversed()
                    .thenComparing(Judged::runId)).toList();
            Interval leader = interval(ranked.get(0).report());
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < ranked.size(); i++) {
                Judged j = ranked.get(i);
                EvaluationReport r = j.report();
                EvaluationReport.WorstCase headline = BestCheckpoint.headline(r);
                Interval robust = interval(r);
                rows.add(new Row(i + 1, j.runId(), j.checkpointId(), j.epoch(), j.defense(), r.cleanAccuracy(),
                        r.cleanInterval(), headline.budget(), headline.robustAccuracy(),
                        robust == null ? null : robust.toList(), r.masking() != null && r.masking().suspected(),
                        i == 0 || robust == null || leader == null || !robust.overlaps(leader)));
            }
            tables.add(new Table(Protocol.of(ranked.get(0).report()), group.getKey(), rows));
        }
        tables.sort(Comparator.comparingInt((Table t) -> t.rows().size()).reversed());
        return tables;
    }

    /** The headline budget's interval, from the report or, for older reports, computed from the accuracy alone. */
    private static Interval interval(EvaluationReport r) {
        EvaluationReport.WorstCase w = BestCheckpoint.headline(r);
        if (w.interval() != null) {
            return Interval.of(w.interval());
        }
        return ClopperPearson.of(Math.round(w.robustAccuracy() * r.examples()), r.examples(), ClopperPearson.CONFIDENCE);
    }

    /** The table as CSV, one row per run, with its protocol. */
    public static String csv(List<Table> tables) {
        StringBuilder csv = new StringBuilder("protocol,rank,runId,checkpointId,epoch,defense,clean,cleanLower,cleanUpper,"
                + "budget,robust,robustLower,robustUpper,maskingSuspected,separableFromLeader\n");
        for (Table t : tables) {
            for (Row r : t.rows()) {
                csv.append(String.join(",", quote(t.key()), Integer.toString(r.rank()), quote(r.runId()),
                        quote(r.checkpointId()), Integer.toString(r.epoch()), quote(r.defense()), num(r.clean()),
                        bound(r.cleanInterval(), 0), bound(r.cleanInterval(), 1), quote(r.budget()), num(r.robust()),
                        bound(r.robustInterval(), 0), bound(r.robustInterval(), 1),
                        Boolean.toString(r.maskingSuspected()), Boolean.toString(r.separable()))).append('\n');
            }
        }
        return csv.toString();
    }

    private static String bound(List<Double> interval, int i) {
        return interval == null ? "" : num(interval.get(i));
    }

    private static String num(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /** A CSV field, quoted; a leading formula character is neutralised so a spreadsheet never runs it. */
    static String quote(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }
}

package dev.logitlab.core.verdict;

import dev.logitlab.core.verdict.BestCheckpoint.Judged;
import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs ranked under one protocol (RobustBench's rule: never across data sets, examples, threat models or suites): one
 * row per run and protocol, its best checkpoint, by worst-case robust accuracy at the protocol's headline budget, with
 * clean accuracy beside it and both intervals. A run with several checkpoints under the protocol had its best chosen
 * on the selection half of the examples, so the rows of a table with such a run all report, and are ranked on, the
 * held-out half ({@link BestCheckpoint}); a table of single-checkpoint runs reports all examples. Rows share their
 * examples, so whether a row can be told from the leader is the exact McNemar test on the examples the table reports
 * (Fisher's exact test when either row lacks per-example outcomes), Holm-adjusted over the table's rows.
 */
public final class Leaderboard {

    /**
     * One run's row. {@code examples}: how many the row reports ({@code heldOut}: the held-out half); {@code pValue}:
     * the two-sided test against the leader (for the leader, against the runner-up; null when there is none or no
     * data), Holm-adjusted over the table's tests; {@code separable}: pValue below {@value #ALPHA}, never for a row
     * without an interval.
     */
    public record Row(int rank, String runId, String checkpointId, int epoch, String defense, double clean,
                      List<Double> cleanInterval, String budget, double robust, List<Double> robustInterval,
                      boolean maskingSuspected, boolean separable, int examples, boolean heldOut, Double pValue) {
    }

    /** The rows judged under one protocol. */
    public record Table(Protocol protocol, String key, List<Row> rows) {
    }

    static final double ALPHA = 0.05;

    private Leaderboard() {
    }

    /** What a row reports: its best checkpoint's headline outcomes, or only its figure for older reports. */
    private record Reported(Judged best, String outcomes, boolean heldOut, double accuracy, Interval interval, int n) {

        static Reported of(Judged best, boolean chosen) {
            EvaluationReport r = best.report();
            EvaluationReport.WorstCase w = BestCheckpoint.headline(r);
            if (w.robust() != null) {
                // '.' marks the examples the row does not report (the selection half of a chosen best).
                String outcomes = chosen ? mask(w.robust()) : w.robust();
                String reported = chosen ? BestCheckpoint.heldOutHalf(w.robust()) : w.robust();
                return new Reported(best, outcomes, chosen, BestCheckpoint.accuracy(reported),
                        ClopperPearson.of(reported), reported.length());
            }
            Interval interval = w.interval() != null ? Interval.of(w.interval())
                    : ClopperPearson.of(Math.round(w.robustAccuracy() * r.examples()), r.examples(),
                    ClopperPearson.CONFIDENCE);
            return new Reported(best, null, false, w.robustAccuracy(), interval, r.examples());
        }

        private static String mask(String outcomes) {
            char[] c = outcomes.toCharArray();
            for (int i = 0; i < c.length; i += 2) {
                c[i] = '.';
            }
            return new String(c);
        }
    }

    /** Every run's best checkpoint per protocol, grouped by protocol and ranked; tables with the most runs first. */
    public static List<Table> of(List<Judged> reports) {
        Map<String, Map<String, List<Judged>>> byProtocol = new LinkedHashMap<>();
        for (Judged j : reports) {
            byProtocol.computeIfAbsent(Protocol.of(j.report()).key(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(j.runId(), k -> new ArrayList<>()).add(j);
        }
        List<Table> tables = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<Judged>>> group : byProtocol.entrySet()) {
            // One choice made in the table puts every row on the held-out half: the same examples for all.
            boolean heldOut = group.getValue().values().stream().anyMatch(run -> run.size() > 1);
            List<Reported> ranked = group.getValue().values().stream()
                    .map(run -> Reported.of(BestCheckpoint.ofOneProtocol(run).orElseThrow(), heldOut))
                    .sorted(Comparator.comparingDouble(Reported::accuracy).reversed()
                            .thenComparing(x -> x.best().runId())).toList();
            double[] raw = new double[Math.max(0, ranked.size() - 1)];
            for (int i = 1; i < ranked.size(); i++) {
                Double p = pValue(ranked.get(i), ranked.get(0));
                raw[i - 1] = p == null ? Double.NaN : p;
            }
            double[] adjusted = Holm.adjust(raw);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < ranked.size(); i++) {
                Reported row = ranked.get(i);
                // The leader's test is the runner-up's: the same pair.
                Double p = ranked.size() < 2 || Double.isNaN(adjusted[Math.max(0, i - 1)]) ? null
                        : adjusted[Math.max(0, i - 1)];
                Judged j = row.best();
                EvaluationReport r = j.report();
                rows.add(new Row(i + 1, j.runId(), j.checkpointId(), j.epoch(), j.defense(), r.cleanAccuracy(),
                        r.cleanInterval(), BestCheckpoint.headline(r).budget(), row.accuracy(),
                        row.interval() == null ? null : row.interval().toList(), r.masking() != null
                        && r.masking().suspected(), row.interval() != null && p != null && p < ALPHA, row.n(),
                        row.heldOut(), p));
            }
            tables.add(new Table(Protocol.of(ranked.get(0).best().report()), group.getKey(), rows));
        }
        tables.sort(Comparator.comparingInt((Table t) -> t.rows().size()).reversed());
        return tables;
    }

    /**
     * Two rows' test: exact McNemar on the examples both report when both have outcomes (they share the examples:
     * one protocol), else Fisher's exact test on the two counts; null when either has no figure to test.
     */
    static Double pValue(Reported a, Reported b) {
        if (a.outcomes() != null && b.outcomes() != null) {
            StringBuilder x = new StringBuilder();
            StringBuilder y = new StringBuilder();
            for (int i = 0; i < a.outcomes().length(); i++) {
                if (a.outcomes().charAt(i) != '.' && b.outcomes().charAt(i) != '.') {
                    x.append(a.outcomes().charAt(i));
                    y.append(b.outcomes().charAt(i));
                }
            }
            return x.length() == 0 ? null : McNemar.exactP(PairedOutcomes.of(x.toString(), y.toString()));
        }
        if (a.interval() == null || b.interval() == null) {
            return null;
        }
        return FisherExact.twoSided((int) Math.round(a.accuracy() * a.n()), a.n(),
                (int) Math.round(b.accuracy() * b.n()), b.n());
    }

    /** The table as CSV, one row per run, with its protocol. */
    public static String csv(List<Table> tables) {
        StringBuilder csv = new StringBuilder("protocol,rank,runId,checkpointId,epoch,defense,clean,cleanLower,cleanUpper,"
                + "budget,robust,robustLower,robustUpper,maskingSuspected,separableFromLeader,examples,heldOut,pValue\n");
        for (Table t : tables) {
            for (Row r : t.rows()) {
                csv.append(String.join(",", quote(t.key()), Integer.toString(r.rank()), quote(r.runId()),
                        quote(r.checkpointId()), Integer.toString(r.epoch()), quote(r.defense()), num(r.clean()),
                        bound(r.cleanInterval(), 0), bound(r.cleanInterval(), 1), quote(r.budget()), num(r.robust()),
                        bound(r.robustInterval(), 0), bound(r.robustInterval(), 1),
                        Boolean.toString(r.maskingSuspected()), Boolean.toString(r.separable()),
                        Integer.toString(r.examples()), Boolean.toString(r.heldOut()),
                        r.pValue() == null ? "" : num(r.pValue()))).append('\n');
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

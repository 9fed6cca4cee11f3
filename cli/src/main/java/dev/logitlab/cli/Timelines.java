package dev.logitlab.cli;

import dev.logitlab.events.EvaluationReport;
import dev.logitlab.events.Passes;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where evaluations' time and passes went, stage by stage, summed over reports: ./lab evaluate --timings and the demo.
 * Seconds move with the machine; passes (examples through the network forward, and backward) do not.
 */
public final class Timelines {

    private Timelines() {
    }

    /** One stage summed over reports: its seconds, and its passes unless a report did not count them. */
    public record Total(double seconds, Passes passes, boolean counted) {

        Total plus(EvaluationReport.Stage stage) {
            return new Total(seconds + stage.seconds(), stage.passes() == null ? passes : stage.passes().plus(passes),
                    counted && stage.passes() != null);
        }
    }

    /** Each stage summed over the reports that have a timeline, in the order stages first appear. */
    public static Map<String, Total> sum(List<EvaluationReport> reports) {
        Map<String, Total> total = new LinkedHashMap<>();
        reports.stream().map(EvaluationReport::timeline).filter(Objects::nonNull).flatMap(List::stream)
                .forEach(s -> total.put(s.name(), total.getOrDefault(s.name(), new Total(0, Passes.NONE, true))
                        .plus(s)));
        return total;
    }

    /** A table of the summed stages: seconds with their share of the compute (wall-time stages apart), and passes. */
    public static void print(PrintWriter out, String title, List<EvaluationReport> reports) {
        Map<String, Total> total = sum(reports);
        if (total.isEmpty()) {
            out.println(title + ": no timeline in these reports");
            return;
        }
        double compute = total.entrySet().stream().filter(e -> !e.getKey().startsWith("wall"))
                .mapToDouble(e -> e.getValue().seconds()).sum();
        boolean counted = total.entrySet().stream().allMatch(e -> e.getKey().startsWith("wall") || e.getValue().counted());
        Passes passes = counted ? Passes.sum(total.entrySet().stream().filter(e -> !e.getKey().startsWith("wall"))
                .map(e -> e.getValue().passes()).toList()) : null;
        out.printf(Locale.ROOT, "%n%s (%d report%s, %.1f s of compute, %s)%n", title, reports.size(),
                reports.size() == 1 ? "" : "s", compute, passes == null ? "passes not counted" : passes(passes));
        out.printf("  %-58s %11s %6s  %12s %12s%n", "stage", "seconds", "share", "forward", "backward");
        total.forEach((name, t) -> out.printf(Locale.ROOT, "  %-58s %9.1f s %6s  %12s %12s%n", name, t.seconds(),
                name.startsWith("wall") ? "(wall)" : String.format(Locale.ROOT, "%5.1f%%", 100 * t.seconds() / compute),
                t.counted() ? String.format(Locale.ROOT, "%,d", t.passes().forward()) : "–",
                t.counted() ? String.format(Locale.ROOT, "%,d", t.passes().backward()) : "–"));
        out.flush();
    }

    /** "1,234 forward + 567 backward example-passes". */
    public static String passes(Passes p) {
        return String.format(Locale.ROOT, "%,d forward + %,d backward example-passes", p.forward(), p.backward());
    }
}

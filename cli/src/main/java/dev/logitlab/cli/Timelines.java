package dev.logitlab.cli;

import dev.logitlab.events.EvaluationReport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Where evaluations' time went, stage by stage, summed over reports: ./lab evaluate --timings and the demo. */
public final class Timelines {

    private Timelines() {
    }

    /** Each stage's seconds summed over the reports that have a timeline, in the order stages first appear. */
    public static Map<String, Double> sum(List<EvaluationReport> reports) {
        Map<String, Double> total = new LinkedHashMap<>();
        reports.stream().map(EvaluationReport::timeline).filter(Objects::nonNull).flatMap(List::stream)
                .forEach(s -> total.merge(s.name(), s.seconds(), Double::sum));
        return total;
    }

    /** A table of the summed stages with their shares of the compute (wall-time stages apart). */
    public static void print(PrintWriter out, String title, List<EvaluationReport> reports) {
        Map<String, Double> total = sum(reports);
        if (total.isEmpty()) {
            out.println(title + ": no timeline in these reports");
            return;
        }
        double compute = total.entrySet().stream().filter(e -> !e.getKey().startsWith("wall"))
                .mapToDouble(Map.Entry::getValue).sum();
        out.printf("%n%s (%d report%s, %.1f s of compute)%n", title, reports.size(), reports.size() == 1 ? "" : "s",
                compute);
        total.forEach((name, seconds) -> out.printf(Locale.ROOT, "  %-58s %9.1f s %6s%n", name, seconds,
                name.startsWith("wall") ? "(wall)" : String.format(Locale.ROOT, "%5.1f%%", 100 * seconds / compute)));
        out.flush();
    }
}

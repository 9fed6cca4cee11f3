package dev.logitlab.core.verdict;

import dev.logitlab.events.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What makes two results comparable (RobustBench's rule): the data set, the examples (how many, in file order), the
 * threat models (norm and ε of each budget) and the attack suite (each attack with its parameters, less what the
 * model's own outcomes decided: how many examples an attack after others ran on, a run an indicator escalated), and the
 * procedures beyond the suite whose breaks enter the worst case (the minimal-ε searches' sizes; for a randomized model
 * the single draws). Results under different protocols are never compared or ranked together; the seed of the random
 * starts may differ.
 */
public record Protocol(String dataset, int examples, List<String> budgets, List<String> suite, String procedures) {

    public static Protocol of(EvaluationReport r) {
        List<String> budgets = r.worstCase().stream().map(EvaluationReport.WorstCase::budget).toList();
        TreeSet<String> suite = new TreeSet<>();
        for (EvaluationReport.AttackRun a : r.attacks()) {
            if (a.params().containsKey("escalated")) {
                continue; // run because of what this model showed, not part of the suite asked for
            }
            java.util.TreeMap<String, Object> params = new java.util.TreeMap<>(a.params());
            params.remove("attacked"); // how many examples the earlier attacks left: the model's, not the protocol's
            suite.add(a.name() + " " + a.budget() + " " + params);
        }
        return new Protocol(r.dataset(), r.examples(), budgets, List.copyOf(suite), procedures(r));
    }

    /** The procedures' settings in words; a report without them predates every break counting. */
    static String procedures(EvaluationReport r) {
        EvaluationReport.Procedures p = r.procedures();
        if (p == null) {
            return "not recorded (a report from before every verified break counted)";
        }
        boolean random = r.worstCase().stream().anyMatch(w -> w.singleDraw() != null);
        return "minimal-ε searches on " + p.gapLimit() + " (PGD, FMN on " + p.searchLimit() + ") examples"
                + (random ? ", " + p.singleDraws() + " single draws" : "");
    }

    /** What differs between two protocols, in words; empty when they are the same. */
    public List<String> differences(Protocol other) {
        List<String> differences = new ArrayList<>();
        if (!dataset.equals(other.dataset)) {
            differences.add("data set: " + dataset + " against " + other.dataset);
        }
        if (examples != other.examples) {
            differences.add("examples: " + examples + " against " + other.examples);
        }
        if (!budgets.equals(other.budgets)) {
            differences.add("budgets: " + budgets + " against " + other.budgets);
        }
        if (!suite.equals(other.suite)) {
            List<String> onlyHere = suite.stream().filter(s -> !other.suite.contains(s)).limit(3).toList();
            List<String> onlyThere = other.suite.stream().filter(s -> !suite.contains(s)).limit(3).toList();
            differences.add("attack suite: " + (onlyHere.isEmpty() ? "" : onlyHere + " only in the first")
                    + (onlyHere.isEmpty() || onlyThere.isEmpty() ? "" : ", ")
                    + (onlyThere.isEmpty() ? "" : onlyThere + " only in the second"));
        }
        if (!procedures.equals(other.procedures)) {
            differences.add("procedures: " + procedures + " against " + other.procedures);
        }
        return differences;
    }

    /**
     * A short stable key: results with equal keys are ranked together. A digest of everything, not a hash code that a
     * tenant could collide with a chosen suite or gap size.
     */
    public String key() {
        return dataset + "|" + examples + "|" + String.join(",", budgets) + "|" + dev.logitlab.core.checkpoint.Sha256
                .of((String.join("\n", suite) + "\n" + procedures).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 32);
    }
}

package dev.logitlab.core.defense;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The defense spec grammar: comma-separated terms {@code plain | ls=α | lsq=β | gn=σ | als=ε |
 * at=ε[:steps=k]}. Every error names the offending term.
 */
final class DefenseParser {

    static final String GRAMMAR = "plain, ls=<α>, lsq=<β>, gn=<σ>, als=<ε>, at=<ε>[:steps=<k>]";

    private DefenseParser() {
    }

    static List<DefenseTerm> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty defense spec; use one or more of: " + GRAMMAR);
        }
        List<DefenseTerm> terms = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean plain = false;
        for (String raw : spec.split(",", -1)) {
            String text = raw.trim().toLowerCase(Locale.ROOT);
            if (text.equals("plain")) {
                plain = true;
                continue;
            }
            DefenseTerm term = term(text);
            if (!seen.add(term.name())) {
                throw new IllegalArgumentException("defense term '" + text + "': " + term.name() + " appears twice");
            }
            terms.add(term);
        }
        if (plain && !terms.isEmpty()) {
            throw new IllegalArgumentException("defense term 'plain' cannot be combined with other terms");
        }
        if (seen.contains("ls") && seen.contains("als")) {
            throw new IllegalArgumentException("defense terms 'ls' and 'als' both set the targets: choose one");
        }
        // Noise first, then PGD around the noisy point, whatever order the user wrote.
        terms.sort((a, b) -> Boolean.compare(a instanceof AdversarialTraining, b instanceof AdversarialTraining));
        return List.copyOf(terms);
    }

    private static DefenseTerm term(String text) {
        String[] options = text.split(":", -1);
        String[] nameValue = options[0].split("=", -1);
        if (nameValue.length != 2 || nameValue[0].isBlank()) {
            throw new IllegalArgumentException("defense term '" + text + "' is malformed; expected one of: " + GRAMMAR);
        }
        String name = nameValue[0].trim();
        double value = number(text, nameValue[1]);
        if (options.length > 1 && !name.equals("at")) {
            throw new IllegalArgumentException("defense term '" + text + "': only at takes options (at=<ε>:steps=<k>)");
        }
        try {
            return switch (name) {
                case "ls" -> new LabelSmoothing(value);
                case "lsq" -> new LogitSqueezing(value);
                case "gn" -> new GaussianNoise(value);
                case "als" -> new AdversarialLabelSmoothing(value);
                case "at" -> new AdversarialTraining(value, steps(text, options));
                default -> throw new IllegalArgumentException("unknown term; known: " + GRAMMAR);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("defense term '" + text + "': " + e.getMessage(), e);
        }
    }

    private static int steps(String text, String[] options) {
        int steps = AdversarialTraining.DEFAULT_STEPS;
        for (int i = 1; i < options.length; i++) {
            String[] kv = options[i].split("=", -1);
            if (kv.length != 2 || !kv[0].trim().equals("steps")) {
                throw new IllegalArgumentException("defense term '" + text + "': unknown option '" + options[i]
                        + "'; at takes steps=<k>");
            }
            double v = number(text, kv[1]);
            if (v != Math.rint(v)) {
                throw new IllegalArgumentException("defense term '" + text + "': steps must be a whole number");
            }
            steps = (int) v;
        }
        return steps;
    }

    private static double number(String text, String value) {
        try {
            double v = Double.parseDouble(value.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("defense term '" + text + "': '" + value + "' is not a number", e);
        }
    }
}

package dev.logitlab.core.defense;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The defense spec grammar: comma-separated terms {@code plain | ls=α | lsq=β | lsqk=λ | gn=σ | als=ε |
 * at=ε[:steps=k] | alp=λ[:eps=ε][:steps=k] | clp=λ}. Every error names the offending term.
 */
final class DefenseParser {

    static final String GRAMMAR = "plain, ls=<α>, lsq=<β>, lsqk=<λ>, gn=<σ>, als=<ε>, at=<ε>[:steps=<k>], "
            + "alp=<λ>[:eps=<ε>][:steps=<k>], clp=<λ>";

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
        if (seen.contains("alp") && seen.contains("at")) {
            throw new IllegalArgumentException("defense term 'alp' already trains on PGD examples (a mixed batch): "
                    + "drop 'at', or use 'at' without 'alp'");
        }
        if (seen.contains("alp") && seen.contains("clp")) {
            throw new IllegalArgumentException("defense term 'clp' pairs clean images; with 'alp' the batch is mixed: "
                    + "choose one of alp and clp");
        }
        // Noise first, then PGD around the noisy point, whatever order the user wrote.
        terms.sort((a, b) -> Boolean.compare(crafts(a), crafts(b)));
        return List.copyOf(terms);
    }

    /** Terms that craft PGD examples against the current weights: they come after the noise. */
    private static boolean crafts(DefenseTerm term) {
        return term instanceof AdversarialTraining || term instanceof AdversarialLogitPairing;
    }

    private static DefenseTerm term(String text) {
        String[] options = text.split(":", -1);
        String[] nameValue = options[0].split("=", -1);
        if (nameValue.length != 2 || nameValue[0].isBlank()) {
            throw new IllegalArgumentException("defense term '" + text + "' is malformed; expected one of: " + GRAMMAR);
        }
        String name = nameValue[0].trim();
        double value = number(text, nameValue[1]);
        if (options.length > 1 && !name.equals("at") && !name.equals("alp")) {
            throw new IllegalArgumentException("defense term '" + text + "': only at and alp take options "
                    + "(at=<ε>:steps=<k>, alp=<λ>:eps=<ε>:steps=<k>)");
        }
        try {
            return switch (name) {
                case "ls" -> new LabelSmoothing(value);
                case "lsq" -> new LogitSqueezing(value);
                case "gn" -> new GaussianNoise(value);
                case "als" -> new AdversarialLabelSmoothing(value);
                case "lsqk" -> new PerExampleLogitSqueezing(value);
                case "clp" -> new CleanLogitPairing(value);
                case "at" -> new AdversarialTraining(value, (int) option(text, options, "steps",
                        AdversarialTraining.DEFAULT_STEPS, true));
                case "alp" -> new AdversarialLogitPairing(value, option(text, options, "eps",
                        AdversarialLogitPairing.DEFAULT_EPSILON, false), (int) option(text, options, "steps",
                        AdversarialTraining.DEFAULT_STEPS, true));
                default -> throw new IllegalArgumentException("unknown term; known: " + GRAMMAR);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("defense term '" + text + "': " + e.getMessage(), e);
        }
    }

    /** An option {@code name=<v>} of an {@code at} or {@code alp} term (steps: a whole number), or its default. */
    private static double option(String text, String[] options, String name, double fallback, boolean whole) {
        double found = fallback;
        for (int i = 1; i < options.length; i++) {
            String[] kv = options[i].split("=", -1);
            String key = kv.length == 2 ? kv[0].trim() : "";
            boolean known = key.equals("steps") || key.equals("eps") && text.startsWith("alp");
            if (!known) {
                throw new IllegalArgumentException("defense term '" + text + "': unknown option '" + options[i]
                        + "'; at takes steps=<k>, alp takes eps=<ε> and steps=<k>");
            }
            if (key.equals(name)) {
                double v = number(text, kv[1]);
                if (whole && v != Math.rint(v)) {
                    throw new IllegalArgumentException("defense term '" + text + "': " + name + " must be a whole number");
                }
                found = v;
            }
        }
        return found;
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

package dev.logitlab.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the repository's Markdown resolves: the file exists, and an anchor names a heading of it
 * (GitHub's slugs). README is a map; a map with a dead link is worse than none.
 */
class MarkdownLinksTest {

    static final Path ROOT = Chart.DIR.getParent().getParent();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Set<String> SKIPPED = Set.of("target", "node_modules", ".git", ".lab", "reports");

    @Test
    void everyRelativeLinkInTheMarkdownResolves() throws IOException {
        List<Path> pages = markdown();
        assertTrue(pages.size() >= 10, "found the Markdown pages: " + pages);
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String text = withoutCodeBlocks(Files.readString(page));
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http(s), mailto: not ours to check offline
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void theReadmeIsAMapOfAtMostTwoHundredLinesOpeningWithTheTwoCommands() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        assertTrue(readme.size() <= 200, "README.md has " + readme.size() + " lines");
        String opening = String.join("\n", readme.subList(0, Math.min(30, readme.size())));
        assertTrue(opening.contains("./lab demo") && opening.contains("./lab test"), "the two commands come first");
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped (letters, digits, - and _ stay), spaces to -. */
    static String slug(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static Set<String> anchors(Path page) throws IOException {
        return withoutCodeBlocks(Files.readString(page)).lines().filter(l -> l.startsWith("#"))
                .map(l -> slug(l.replaceFirst("^#+", ""))).collect(Collectors.toSet());
    }

    private static String withoutCodeBlocks(String text) {
        return text.replaceAll("(?s)```.*?```", "");
    }

    private static List<Path> markdown() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> ROOT.relativize(p).toString().split("/").length > 0
                            && java.util.Arrays.stream(ROOT.relativize(p).toString().split("/")).noneMatch(SKIPPED::contains))
                    .sorted().toList();
        }
    }
}

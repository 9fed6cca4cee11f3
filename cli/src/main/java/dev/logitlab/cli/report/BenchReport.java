package dev.logitlab.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.logitlab.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The side-by-side bench as a self-contained page in the reports' style: the table and a plot of the ratios. */
public final class BenchReport {

    static final String TEMPLATE = "/report/bench.html";

    private BenchReport() {
    }

    /** Writes the page for these rows (any records with workload, peer, seconds, peerSeconds, robust, peerRobust). */
    public static Path write(Object rows, String when, Path html) {
        try {
            Files.createDirectories(html.toAbsolutePath().getParent());
            Files.writeString(html, render(rows, when), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + html, e);
        }
    }

    static String render(Object rows, String when) throws JsonProcessingException {
        return HtmlReport.resource(TEMPLATE)
                .replace("/*REPORT_CSS*/", HtmlReport.resource(HtmlReport.REPORT_CSS))
                .replace("/*CHART_JS*/", HtmlReport.resource(HtmlReport.CHART_JS).replaceAll("//# sourceMappingURL=\\S+", ""))
                .replace("/*BENCH_JSON*/[]", Json.MAPPER.writeValueAsString(rows).replace("</", "<\\/"))
                .replace("{{when}}", when.replace("&", "&amp;").replace("<", "&lt;"));
    }
}

package dev.logitlab.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.logitlab.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code report.json} and a self-contained {@code index.html}: the page template, the report renderer shared
 * with the dashboard, Chart.js (from its webjar) and the report's data inlined, so it opens from disk with no network.
 */
public final class HtmlReport {

    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.min.js";
    /** The renderer the dashboard uses too (module report-ui). */
    static final String REPORT_JS = "/META-INF/resources/report/report.js";
    static final String REPORT_CSS = "/META-INF/resources/report/report.css";
    static final String TEMPLATE = "/report/index.html";

    private HtmlReport() {
    }

    /** Writes both files into {@code dir}; returns the HTML file. */
    public static Path write(ExperimentReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            Json.PRETTY.writeValue(dir.resolve("report.json").toFile(), report);
            Path html = dir.resolve("index.html");
            Files.writeString(html, render(report), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir, e);
        }
    }

    static String render(ExperimentReport report) throws JsonProcessingException {
        String chartJs = resource(CHART_JS).replaceAll("//# sourceMappingURL=\\S+", "");
        // The data sits in a <script> element: keep "</" from closing it early.
        String data = Json.MAPPER.writeValueAsString(report).replace("</", "<\\/");
        return resource(TEMPLATE)
                .replace("/*REPORT_CSS*/", resource(REPORT_CSS))
                .replace("/*CHART_JS*/", chartJs)
                .replace("/*REPORT_JS*/", resource(REPORT_JS).replace("</", "<\\/"))
                .replace("/*REPORT_JSON*/null", data)
                .replace("{{experiment}}", escape(report.experiment()));
    }

    static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.report.BenchReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The side-by-side bench's page, opened from disk in a real headless Chromium: every row and the ratio plot drawn. */
class BenchReportTest {

    @TempDir
    Path dir;

    @Test
    void thePageShowsEveryRowWithItsRatioAndDrawsThePlot() throws Exception {
        // rows as ./lab bench peers writes them (workload, peer, seconds, peerSeconds, robust, peerRobust)
        List<java.util.Map<String, Object>> rows = List.of(row("train plain", "PyTorch eager", 4.0, 5.0, Double.NaN,
                Double.NaN), row("pgd-20", "torchattacks 3.4.0", 1.5, 4.5, 0.216, 0.214));
        Path html = BenchReport.write(rows, "2026-11-29, 2 threads", dir.resolve("peers.html"));
        ChromeDriver browser = DashboardTest.headlessChromium();
        try {
            browser.get(html.toUri().toString());
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(b ->
                    "true".equals(b.findElement(By.tagName("body")).getAttribute("data-ready")));
            List<WebElement> trs = browser.findElements(By.cssSelector("#table tbody tr"));
            assertEquals(2, trs.size());
            assertTrue(trs.get(0).getText().contains("0.80×") && trs.get(0).getText().contains("–"), trs.get(0).getText());
            assertTrue(trs.get(1).getText().contains("0.33×") && trs.get(1).getText().contains("0.216"), trs.get(1).getText());
            Object drawn = browser.executeScript("return Chart.getChart('ratios').data.datasets[0].data.length;");
            assertEquals(2L, ((Number) drawn).longValue());
        } finally {
            browser.quit();
        }
    }

    private static java.util.Map<String, Object> row(String workload, String peer, double seconds, double peerSeconds,
                                                     double robust, double peerRobust) {
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("workload", workload);
        row.put("peer", peer);
        row.put("seconds", seconds);
        row.put("peerSeconds", peerSeconds);
        row.put("robust", robust);
        row.put("peerRobust", peerRobust);
        return row;
    }
}

package dev.logitlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.logitlab.cli.stack.LocalStack;
import dev.logitlab.cli.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live dashboard in a real headless Chromium (Debian's chromium, driven through chromium-driver) against the
 * local stack: a run submitted with the dashboard's own form trains, is attacked and analysed by the services, and
 * its report appears in the page, charts drawn, without the page ever reloading; while it is attacked, its row shows
 * the shards done.
 */
class DashboardTest {

    @TempDir
    Path home;

    @Test
    void aRunSubmittedFromTheDashboardShowsItsReportWithoutAReload() throws Exception {
        StackConfig config = TestStacks.config(home, 1, 1);
        StringWriter log = new StringWriter();
        LocalStack stack = new LocalStack(config, new PrintWriter(log, true));
        ChromeDriver browser = null;
        try {
            stack.up();
            browser = headlessChromium();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            browser.get(stack.dashboardUrl()); // the link ./lab stack up prints, with its token
            assertEquals(config.url("analysis") + "/", browser.getCurrentUrl(), "the token left the address bar");
            wait.until(b -> "true".equals(body(b).getAttribute("data-ready")));
            // Without a token the page asks for one, and a pasted one lets it in.
            ((JavascriptExecutor) browser).executeScript("sessionStorage.clear(); document.cookie = "
                    + "'logitlab_token=; path=/; max-age=0';");
            browser.navigate().refresh();
            wait.until(b -> b.findElement(By.id("sign-in")).isDisplayed());
            assertTrue(browser.findElement(By.id("sign-in-status")).getText().contains("bearer token"));
            fill(browser, "token", stack.tokens().token("dana", Duration.ofMinutes(30), "viewer", "submitter"));
            browser.findElement(By.cssSelector("#sign-in button")).click();
            wait.until(b -> "true".equals(body(b).getAttribute("data-ready")));
            assertTrue(!browser.findElement(By.id("sign-in")).isDisplayed());
            wait.until(b -> "true".equals(body(b).getAttribute("data-live")));
            ((JavascriptExecutor) browser).executeScript("window.sameDocument = true; window.shardsShown = [];"
                    + "new MutationObserver(() => document.querySelectorAll('#runs .attacking').forEach(s =>"
                    + " window.shardsShown.push(s.textContent))).observe(document.getElementById('runs'),"
                    + " {childList: true, subtree: true});");

            new Select(browser.findElement(By.name("dataset"))).selectByVisibleText("synthetic");
            new Select(browser.findElement(By.name("model"))).selectByVisibleText("linear");
            fill(browser, "defense", "ls=0.5,gn=0.1");
            fill(browser, "epochs", "2");
            fill(browser, "trainLimit", "600");
            fill(browser, "eps", "0.1");
            fill(browser, "epsL2", "1");
            fill(browser, "attacks", "fgsm,pgd:steps=3,noise:draws=2");
            fill(browser, "limit", "40");
            fill(browser, "gapLimit", "10");
            browser.findElement(By.cssSelector("#submit button")).click();
            WebElement status = browser.findElement(By.id("submit-status"));
            wait.until(b -> status.getAttribute("data-run-id") != null);
            String runId = status.getAttribute("data-run-id");
            assertTrue(status.getText().contains(runId), status.getText());

            // Both checkpoints arrive over the live stream: the run's row counts them and the report draws them.
            new WebDriverWait(browser, Duration.ofMinutes(4)).until(b -> reportsOf(b, runId).equals("2"));
            assertEquals(true, ((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"),
                    "the page was not reloaded");
            Object shown = ((JavascriptExecutor) browser).executeScript("return window.shardsShown;");
            assertTrue(shown.toString().matches(".*epoch \\d: \\d+/\\d+ shards.*"),
                    "the attack's progress per checkpoint was shown while it ran: " + shown);
            assertTrue(browser.findElements(By.cssSelector("#runs .attacking")).isEmpty(), "and left with the report");
            assertTrue(browser.findElement(By.cssSelector("#report [data-part=summary] tr[data-run='" + runId + "']"))
                    .getText().contains("ls=0.5,gn=0.1"));
            List<WebElement> canvases = browser.findElements(By.cssSelector("#report canvas"));
            assertTrue(canvases.size() >= 8, "charts: " + canvases.size());
            assertTrue(canvases.stream().allMatch(c -> "true".equals(c.getAttribute("data-rendered"))), "every chart drawn");
            assertTrue(browser.findElement(By.cssSelector("#report [data-part=summary] thead")).getText()
                    .contains("ℓ2 ε=1"), "the ℓ2 budget has its own column");
            assertTrue(browser.findElement(By.cssSelector("#report [data-part=summary] tr[data-run='" + runId + "']"))
                    .getText().matches("(?s).*\\[0\\.\\d{3}, [01]\\.\\d{3}\\].*"), "every accuracy with its 95% interval");
            assertEquals("3", browser.findElement(By.cssSelector("#report canvas#accuracy")).getAttribute("data-error-bars"),
                    "an error bar on each of the run's bars: clean, ε=0.1 and ℓ2 ε=1");
            assertTrue(browser.findElements(By.cssSelector("#report [data-part=summary] tbody td.num")).stream()
                    .noneMatch(td -> td.getText().equals("–")), "gap statistics were measured (gapLimit from the form)");
            assertTrue(browser.findElements(By.cssSelector("#report [data-part=masking] tbody tr")).size() >= 10,
                    "the indicators with their evidence");
            // Its verdict names the best checkpoint, starred in the runs table; the leaderboard has the run.
            wait.until(b -> !b.findElements(By.cssSelector("#runs tr[data-run='" + runId + "'] option[data-best=true]"))
                    .isEmpty());
            wait.until(b -> !b.findElements(By.cssSelector("#leaderboard table.leaderboard tr[data-run='" + runId + "']"))
                    .isEmpty());
            String row = browser.findElement(By.cssSelector("#leaderboard tr[data-run='" + runId + "']")).getText();
            assertTrue(row.startsWith("1 ") && row.contains("ls=0.5,gn=0.1") && row.contains("["), row);
            assertTrue(!browser.findElement(By.cssSelector("#runs tr[data-run='" + runId + "'] td.verdict")).getText()
                    .isBlank(), "the shown checkpoint's verdict");

            // Another epoch's checkpoint, chosen in the runs table, redraws the report in place.
            new Select(browser.findElement(By.cssSelector("#runs tr[data-run='" + runId + "'] select"))).selectByValue("1");
            wait.until(b -> b.findElement(By.cssSelector("#report [data-part=summary] tr[data-run='" + runId + "']"))
                    .getText().contains("ls=0.5,gn=0.1 1 "));
            assertEquals(true, ((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"));

            // A model from another training loop, uploaded, is a run like the others, marked by where it came from.
            var upload = java.net.http.HttpRequest.newBuilder(java.net.URI.create(config.url("trainer")
                            + "/api/checkpoints?runId=ext-dash&step=1&dataset=synthetic&attacks=fgsm&limit=30&gaps=5"))
                    .header("Authorization", "Bearer " + stack.tokens().token("ci", Duration.ofMinutes(5), "submitter"))
                    .header("Content-Type", "application/octet-stream").POST(java.net.http.HttpRequest.BodyPublishers
                            .ofFile(config.repository().resolve("core/src/test/resources/torchscript/synthetic_linear.pt")))
                    .build();
            assertEquals(201, java.net.http.HttpClient.newHttpClient().send(upload,
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            new WebDriverWait(browser, Duration.ofMinutes(2)).until(b -> reportsOf(b, "ext-dash").equals("1"));
            assertEquals("external (TorchScript)", ((JavascriptExecutor) browser).executeScript("return document"
                    + ".querySelector(\"#runs tr[data-run='ext-dash'] td.status-cell\").textContent"));
            // Data from Kafka is text: a run event whose reason is markup shows the markup and runs nothing.
            String evil = "<img src=x onerror=\"window.pwned=1\">";
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(config.kafkaClient(),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.StringSerializer())) {
                // a well-formed run.failed (the analysis skips records that are not): its reason is the payload
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("logitlab.runs", "evil-run",
                        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                                dev.logitlab.events.RunEvent.failed("evil-run", "e".repeat(64), 0, evil))))
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            wait.until(b -> !b.findElements(By.cssSelector("#runs tr[data-run='evil-run']")).isEmpty());
            assertTrue(browser.findElement(By.cssSelector("#runs tr[data-run='evil-run']")).getText().contains(evil));
            assertEquals(true, ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined;"),
                    "the reason's markup must not run");
            Files.write(Path.of("target", "dashboard.png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (Exception | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nstack log:\n" + log, e);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            stack.down();
        }
    }

    /** Debian's chromium through Debian's chromium-driver, headless, sized like a laptop screen. */
    static ChromeDriver headlessChromium() {
        Path driver = Path.of("/usr/bin/chromedriver");
        if (!Files.isExecutable(driver)) {
            throw new AssertionError("this test needs Debian's chromium-driver (apt-get install chromium-driver); "
                    + "./lab test installs it when run as root");
        }
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1400,2400");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build(), options);
    }

    private static WebElement body(org.openqa.selenium.WebDriver browser) {
        return browser.findElement(By.tagName("body"));
    }

    /** Read in one step in the page: the row is redrawn with every event, so a found element may be gone a moment later. */
    private static String reportsOf(org.openqa.selenium.WebDriver browser, String runId) {
        return (String) ((JavascriptExecutor) browser).executeScript("const c = document.querySelector("
                + "\"#runs tr[data-run='" + runId + "'] td.reports\"); return c ? c.textContent.trim() : '';");
    }

    private static void fill(ChromeDriver browser, String name, String value) {
        WebElement input = browser.findElement(By.name(name));
        input.clear();
        input.sendKeys(value);
    }
}

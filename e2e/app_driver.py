"""Driving the page in tests: open it, run, read what it shows."""

ARTIFACTS = None  # set by conftest


class App:
    def __init__(self, page, url):
        self.page = page
        self.url = url

    def open(self, fragment=""):
        self.page.goto(self.url + "/" + fragment)
        self.page.wait_for_function("window.cracktrader !== undefined", timeout=30_000)
        return self.page.evaluate("window.cracktrader.ready")

    def pick_example(self, name):
        """Choose an example by its class name in the picker; waits for its code."""
        self.page.select_option("#examples", label=name)
        self.page.wait_for_function(f"document.querySelector('#strategy-class').value === '{name}'")

    def run_on_server(self, token):
        """Tick "on the server", give the token and run from the UI: the status state."""
        self.page.check("#on-server")
        self.page.fill("#token", token)
        return self.click_run()

    def set_strategy(self, source):
        self.page.evaluate("s => window.cracktrader.setStrategy(s)", source)

    def completed(self):
        return self.page.evaluate("window.cracktrader.completedRuns")

    def wait_run_after(self, before, timeout=60_000):
        """Waits for the run after the `before`-th to end; its status state ("done"/"error")."""
        self.page.wait_for_function(f"window.cracktrader.completedRuns > {before}", timeout=timeout)
        return self.status()

    def click_run(self, timeout=60_000):
        """Run from the UI; returns the status state when the run ended ("done" or "error")."""
        before = self.completed()
        self.page.click("#run")
        return self.wait_run_after(before, timeout)

    def status(self):
        return self.page.locator("#status").get_attribute("data-state")

    def run(self, config):
        """The automation API: resolves to the result JSON, or raises with the page's error."""
        return self.page.evaluate("c => window.cracktrader.run(c)", config)

    def run_error(self, config):
        return self.page.evaluate(
            "c => window.cracktrader.run(c).then(() => null, e => ({message: e.message, line: e.line ?? null, kind: e.kind ?? null}))",
            config)

    def error_text(self):
        box = self.page.locator("#error")
        return box.inner_text() if box.is_visible() else ""

    def error_line_marked(self):
        """The editor line numbers highlighted as the error line."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.cm-line')]
            .map((el, i) => el.classList.contains('cm-error-line') ? i + 1 : 0).filter(Boolean)""")

    def shows_results(self):
        """(canvases in the chart, stats rows, trade rows): the trades tab is opened to count."""
        self.page.click(".tabs [data-tab=trades]")
        trades = self.page.locator("#trades tbody tr").count()
        self.page.click(".tabs [data-tab=stats]")
        return self.page.locator("#chart canvas").count(), self.page.locator("#stats tr").count(), trades

    def last_result(self):
        return self.page.evaluate("window.cracktrader.lastResult()")

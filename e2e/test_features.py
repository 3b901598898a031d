"""What traders expect of the app (issue 16, features 11-19), in real Chromium.

Every test fails on any request outside 127.0.0.1 or any console error (see conftest.py).
"""

import json
import re

import pytest

from app_driver import App
from browser_env import ARTIFACTS, HOST_TOKEN
from cracktrader import runner, synthetic
from cracktrader.examples import source
from test_app import demo_candles
from test_defects import editor_lines

SETTINGS = {"cash": 10_000, "commission": 0.001}


def native_view(candles, name, view=None, src=None, **settings):
    engine = runner.run_view(src or source(name), candles, view or {}, settings={**SETTINGS, **settings})
    return json.loads(engine.result().to_json())


def test_11_prints_go_to_the_log_panel_and_errors_show_the_strategys_frames(page, static_url):
    app = App(page, static_url)
    app.open()
    talk = source("sma_cross").replace("    def next(self):\n", "    def next(self):\n"
                                        "        if len(self.data) % 5000 == 0:\n"
                                        "            print('close', self.data.close[0])\n", 1)
    app.set_strategy(talk)
    assert app.click_run() == "done", app.error_text()
    assert page.locator("#log-count").inner_text() == "(5)"
    page.click(".tabs [data-tab=log]")
    lines = page.locator("#log pre").inner_text().splitlines()
    assert len(lines) == 5 and re.fullmatch(r"2023-07-28 07:00  #5000  close [\d.]+", lines[0]), lines[0]
    failing = source("sma_cross").replace("    def next(self):\n", "    def next(self):\n"
                                          "        print('bar', len(self.data))\n"
                                          "        self.check(len(self.data))\n\n"
                                          "    def check(self, n):\n"
                                          "        if n == 50:\n"
                                          "            raise ValueError('no more')\n\n"
                                          "    def next_(self):\n", 1)
    app.set_strategy(failing)
    assert app.click_run() == "error"
    text = app.error_text()
    assert "ValueError: no more" in text and "failed on bar 50, 2023-01-03 01:00 UTC" in text
    assert "in next\n    self.check(len(self.data))" in text and "in check\n    raise ValueError('no more')" in text
    page.click(".tabs [data-tab=log]")  # what it printed until then
    assert page.locator("#log pre").inner_text().splitlines()[-1].endswith("#50  bar 50")


def test_12_buy_and_hold_is_the_benchmark_in_the_browser_on_the_server_and_the_cli(page, host_url, web_build):
    app = App(page, host_url)
    app.open()
    expected = native_view(demo_candles(web_build), "sma_cross")["stats"]
    in_browser = app.last_result()["stats"]
    for key in ("benchmark_return", "alpha", "beta"):
        assert in_browser[key] == expected[key] and in_browser[key] is not None
    rows = {r.get_attribute("data-key"): r.locator("td").inner_text() for r in page.locator("#stats tbody tr").all()}
    assert rows["benchmark_return"] == f"{expected['benchmark_return'] * 100:,.2f} %"
    assert "buy & hold" in page.locator(".chart-keys").inner_text()
    assert app.run_on_server(HOST_TOKEN) == "done", app.error_text()
    assert app.last_result()["stats"] == in_browser
    assert "buy & hold" in page.locator(".chart-keys").inner_text()


def test_13_the_run_settings_in_the_page_the_link_and_the_api(browser, page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    app.pick_example("AtrBracket")
    page.fill("#sizing", "50%")
    page.fill("#leverage", "2")
    page.select_option("#fill", "close")
    page.select_option("#intrabar", "favorable")
    page.select_option("#market-rules", "binance:BTC/USDT")
    page.select_option("#timeframe", "4h")
    page.check("#intrabar-data")
    assert app.click_run() == "done", app.error_text()
    settings = {"sizing": "50%", "leverage": 2, "fill": "close", "intrabar": "favorable",
                "market_rules": "binance:BTC/USDT", "intrabar_data": True}
    expected = native_view(demo_candles(web_build), "atr_bracket", {"timeframe": "4h"}, **settings)
    shown = app.last_result()
    assert shown == expected and len(shown["trades"]) > 20
    assert shown != native_view(demo_candles(web_build), "atr_bracket", {"timeframe": "4h"})  # the settings mattered
    other = browser.new_context().new_page()
    try:
        opened = App(other, static_url)
        opened.open(page.url[len(static_url) + 1:])
        values = [other.input_value(s) for s in ("#sizing", "#leverage", "#fill", "#intrabar", "#market-rules", "#timeframe")]
        assert values == ["50%", "2", "close", "favorable", "binance:BTC/USDT", "4h"] and other.is_checked("#intrabar-data")
        assert opened.last_result() == expected
    finally:
        other.context.close()
    automated = app.run({"strategy": source("atr_bracket"), "data": "demo", "timeframe": "4h", "sizing": "50%", "leverage": 2,
                         "fill": "close", "intrabar": "favorable", "marketRules": "binance:BTC/USDT", "intrabarData": True,
                         "commission": 0.001})
    assert automated == expected


def test_14_trades_have_their_detail_and_a_performance_summary(page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    app.pick_example("AtrBracket")
    assert app.click_run() == "done", app.error_text()
    doc = app.last_result()
    assert doc == native_view(demo_candles(web_build), "atr_bracket")
    reasons = {t["exit_reason"] for t in doc["trades"]}
    assert {"stop_loss", "take_profit"} <= reasons
    page.click(".tabs [data-tab=trades]")
    first = page.locator("#trades tbody tr").first
    cell = lambda key: first.locator(f"td[data-key={key}]").inner_text()  # noqa: E731
    t = doc["trades"][0]
    assert cell("bars") == str(t["bars"]) and cell("return") == f"{t['return'] * 100:.2f} %"
    assert cell("exit_reason") == t["exit_reason"].replace("_", "-") and cell("entry_reason") == "signal"
    assert float(cell("mae").replace(",", "")) == round(t["mae"], 4) and float(cell("mfe").replace(",", "")) == round(t["mfe"], 4)
    page.click(".tabs [data-tab=summary]")
    sides = page.locator(".summary-sides").inner_text()
    assert "Long" in sides and "Short" in sides and str(doc["summary"]["long"]["trades"]) in sides
    years = page.locator(".summary-monthly tbody th").all_inner_texts()
    assert years == ["2023", "2024", "2025"]
    jan = doc["summary"]["monthly"][0]["return"]
    assert page.locator(".summary-monthly tbody tr").first.locator("td").first.inner_text() == f"{jan * 100:.2f} %"


def test_15_runs_of_the_session_are_compared(page, static_url):
    app = App(page, static_url)
    app.open()
    page.fill("#params input[name=fast]", "20")
    assert app.click_run() == "done", app.error_text()
    page.click(".tabs [data-tab=compare]")
    assert page.locator("#runs tr").count() == 2
    headings = page.locator("#compare-stats thead th").all_inner_texts()
    assert headings[1:] == ["#1 SmaCross (fast=10 slow=30)", "#2 SmaCross (fast=20 slow=30)"]
    assert page.locator("#compare-chart canvas").count() >= 1
    assert "#2 SmaCross" in page.locator("#compare-chart .chart-keys").inner_text()
    page.locator("#runs input[type=checkbox]").first.uncheck()  # the latest run leaves the comparison
    assert page.locator("#compare-stats thead th").count() == 0  # one run: a plain column
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-runs.png"), full_page=True)


TREND = ("import cracktrader as ct\n\nclass Trend(ct.Strategy):\n    def init(self):\n"
         "        self.sma = ct.ind.SMA(self.data.close, 30)\n\n    def next(self):\n"
         "        if not self.position and self.data.close[0] > 0:\n            self.buy()\n")


def test_16_a_range_trades_from_its_first_bar(page, host_url, web_build):
    app = App(page, host_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    asked = []
    page.on("request", lambda r: "/candles" in r.url and asked.append(r.url))
    app.set_strategy(TREND)
    page.select_option("#dataset", "binance.E2E-USDT.1m")
    page.fill("#since", "2023-11-16")
    page.locator("#since").dispatch_event("change")
    assert app.click_run() == "done", app.error_text()
    since = 1_700_092_800_000  # 2023-11-16: the host's E2E minutes run from 2023-11-14 22:14 to 11-18
    assert any(f"until={since}" in u and "last=29" in u for u in asked), asked  # SMA(30): 29 bars before
    cached = synthetic.ohlcv(5000, seed=11, symbol="E2E/USDT")
    shown = app.last_result()
    assert shown == native_view(cached, "", {"since": since}, src=TREND) and shown["equity"][0][0] == since
    # it bought on the range's first bar (filled at the second's open), not 29 bars later
    assert shown["open_trades"][0]["entry_time"] == since + 60_000
    page.select_option("#dataset", "demo")  # the static demo: the same, from the loaded data
    page.fill("#since", "2024-03-01")
    page.locator("#since").dispatch_event("change")
    assert app.click_run() == "done", app.error_text()
    shown = app.last_result()
    assert shown == native_view(demo_candles(web_build), "", {"since": 1_709_251_200_000}, src=TREND)
    assert shown["open_trades"][0]["entry_time"] == 1_709_251_200_000 + 3_600_000


def test_17_the_editor_completes_and_explains_the_api(page, static_url):
    app = App(page, static_url)
    app.open()
    line = page.locator("#editor .cm-line", has_text="self.slow = ct.ind.SMA")
    line.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("self.bands = ct.ind.BBA")
    page.keyboard.press("Control+Space")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="BBANDS")
    option.wait_for()
    assert "(x, n, k_up=2.0, k_down=2.0)" in option.inner_text()
    page.wait_for_timeout(300)  # CodeMirror ignores Enter just after the list (re)opens (interactionDelay)
    page.keyboard.press("Enter")
    assert any(text.endswith("self.bands = ct.ind.BBANDS") for text in editor_lines(page))
    page.keyboard.press("Enter")
    page.keyboard.type("self.bu")
    page.keyboard.press("Control+Space")
    page.locator(".cm-tooltip-autocomplete li", has_text="buy").wait_for()
    page.keyboard.press("Escape")
    # hover the word SMA in "self.fast = ct.ind.SMA(...)"
    x, y = page.evaluate("""() => {
        const line = [...document.querySelectorAll('#editor .cm-line')].find(l => l.textContent.includes('self.fast = ct.ind.SMA'));
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.textContent.indexOf('SMA');
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at + 1);
                range.setEnd(node, at + 2);
                const box = range.getBoundingClientRect();
                return [box.x + box.width / 2, box.y + box.height / 2];
            }
        }
    }""")
    page.mouse.move(x, y)
    tip = page.locator(".cm-help")
    tip.wait_for()
    assert "ct.ind.SMA(x, n)" in tip.inner_text() and "warm-up n-1" in tip.inner_text()
    with page.context.expect_page() as docs:
        page.click("#docs-link")
    docs.value.wait_for_load_state()
    assert "BBANDS(x, n, k_up=2.0, k_down=2.0)" in docs.value.locator("body").inner_text()
    docs.value.close()


def test_18_dark_mode_keyboard_access_and_announcements(browser, static_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    try:
        app = App(page, static_url)
        app.open()
        page.wait_for_function("window.cracktrader.completedRuns >= 1")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(19, 23, 34)"
        pixels = page.evaluate("""() => [...document.querySelectorAll('#chart canvas')].map(c => {
            const d = c.getContext('2d').getImageData(5, 5, 1, 1).data; return [d[0], d[1], d[2], d[3]]; })""")
        opaque = [p for p in pixels if p[3] == 255]
        assert opaque and all(max(p[:3]) < 60 for p in opaque), pixels  # the chart is dark too
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dark-mode.png"))
        assert page.get_attribute("#status", "aria-live") == "polite"
        assert page.get_attribute("#error", "role") == "alert" and page.get_attribute("#data-error", "role") == "alert"
        page.click(".tabs [data-tab=stats]")
        page.keyboard.press("ArrowRight")  # the tabs follow the arrow keys
        assert page.locator("#tab-trades").is_visible()
        page.locator("#trades th[data-key=pnl] button").focus()
        page.keyboard.press("Enter")
        assert page.get_attribute("#trades th[data-key=pnl]", "aria-sort") == "ascending"
        first = page.locator("#trades tbody tr").first
        first.focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.locator("#trades tbody tr").nth(1).get_attribute("aria-selected") == "true"
        assert page.locator(".chart-selected").inner_text().startswith("Selected")
        page.screenshot(path=str(ARTIFACTS / "dark-mode-trade.png"))
        assert not problems, problems
    finally:
        context.close()


@pytest.mark.parametrize("site", ["static demo", "host"])
def test_19_start_up_cold_and_on_a_second_visit(playwright, request, site, tmp_path, startup):
    """window.cracktrader.ready (Python up, the demo run drawn) with a fresh browser profile,
    then again in it: printed at the end of the session (bench/web.py has the best-of figures)."""
    from browser_env import CHROMIUM, CHROMIUM_ARGS

    url = request.getfixturevalue("static_url" if site == "static demo" else "host_url")
    context = playwright.chromium.launch_persistent_context(tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        figures, fetched = [], []
        for _ in range(2):
            page = context.new_page()
            App(page, url).open()
            figures.append(page.evaluate("performance.getEntriesByName('cracktrader-ready')[0].startTime"))
            fetched.append([name for name, *_ in page.evaluate("window.cracktrader.startup.fetches")])
            page.close()
    finally:
        context.close()
    startup[site] = figures
    assert all(0 < ms < 120_000 for ms in figures)
    # The second visit restores Python from the snapshot the first one kept inflated (Cache API).
    assert "python.snapshot.gz" in fetched[0] and "python.snapshot.gz" not in fetched[1]
    # Python's WASM is read once, compiled early: loadPyodide gets that module, not a second copy.
    assert [names.count("pyodide.asm.wasm") for names in fetched] == [1, 1], fetched


def test_19_the_build_is_versioned_compressed_and_cacheable(web_build, host_url):
    import urllib.request

    build = json.loads((web_build / "build.json").read_text())
    for key in ("pyodide", "core", "kernels", "kernels_wasm", "snapshot"):
        assert re.match(r"v/[0-9a-f]{16}/", build[key]), build[key]  # named by the hash of the bytes
    assert (web_build / "_headers").read_text().startswith("/v/*\n  Cache-Control: public, max-age=31536000, immutable")
    assert (web_build / (build["pyodide"] + "pyodide.asm.wasm.gz")).is_file()

    def get(path, encoding="gzip"):
        with urllib.request.urlopen(urllib.request.Request(f"{host_url}/{path}", headers={"Accept-Encoding": encoding})) as r:
            return r.headers, r.read()

    headers, body = get(build["pyodide"] + "pyodide.asm.wasm")
    assert headers["Content-Type"] == "application/wasm" and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(body) < 0.5 * (web_build / (build["pyodide"] + "pyodide.asm.wasm")).stat().st_size
    headers, _ = get("index.html", "identity")
    assert headers["Cache-Control"] == "no-cache" and "Content-Encoding" not in headers

"""The app tried as a trader would (issue 16, defects 1-10): each test failed before its fix.

Every test fails on any request outside 127.0.0.1 or any console error (see conftest.py).
"""

import json
import re

import pytest

from app_driver import App
from browser_env import ARTIFACTS, HOST_TOKEN
from cracktrader import runner
from cracktrader.examples import source
from test_app import candles_csv, demo_candles, drop_file


@pytest.fixture(params=["host", "static"])
def app(request, page):
    url = request.getfixturevalue("host_url" if request.param == "host" else "static_url")
    return App(page, url)


def native(web_build, name, params=None, **settings):
    settings = {"cash": 10_000, "commission": 0.001, **settings}
    return json.loads(runner.run_source(source(name), demo_candles(web_build), params=params, settings=settings).result().to_json())


def editor_lines(page):
    return page.evaluate("() => [...document.querySelectorAll('#editor .cm-line')].map(l => l.textContent)")


def in_editor(page):
    return page.evaluate("() => document.activeElement?.closest('#editor') !== null")


def test_1_editor_indents_python_by_four_and_tab_stays_in_the_editor(page, static_url):
    app = App(page, static_url)
    app.open()
    page.locator("#editor .cm-line", has_text="self.buy()").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("print('bought')")
    lines = editor_lines(page)
    at = lines.index(" " * 12 + "self.buy()")
    assert lines[at + 1] == " " * 12 + "print('bought')"  # under self.buy(), not 10 spaces in
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # indents the line, the focus stays
    assert editor_lines(page)[at + 1] == " " * 16 + "print('bought')" and in_editor(page)
    page.keyboard.press("Shift+Tab")
    assert editor_lines(page)[at + 1] == " " * 12 + "print('bought')" and in_editor(page)
    assert app.click_run() == "done", app.error_text()
    page.locator("#editor .cm-content").focus()
    page.keyboard.press("Escape")  # the accessible way out: Escape, then Tab
    page.keyboard.press("Tab")
    assert not in_editor(page)


def test_2_the_parameters_form_follows_the_code(page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    page.fill("#params input[name=slow]", "40")  # the user's own value for slow
    app.set_strategy(source("sma_cross").replace("fast=10, slow=30", "fast=20, slow=30"))
    assert page.input_value("#params input[name=fast]") == "20"  # its default changed: the new one
    assert page.input_value("#params input[name=slow]") == "40"  # unchanged default: the typed value stays
    assert "code: 30" in page.locator("#params label", has_text="slow").inner_text()  # and says it differs
    assert app.click_run() == "done", app.error_text()
    assert app.last_result()["trades"] == native(web_build, "sma_cross", {"fast": 20, "slow": 40})["trades"]
    app.set_strategy(source("sma_cross").replace("fast=10, slow=30", "fast=20, slow=60"))
    assert page.input_value("#params input[name=slow]") == "60"
    assert app.click_run() == "done", app.error_text()
    assert app.last_result()["trades"] == native(web_build, "sma_cross", {"fast": 20, "slow": 60})["trades"]


def test_3_another_example_starts_from_its_own_defaults(app, web_build):
    app.open()
    page = app.page
    app.pick_example("RsiReversion")
    app.pick_example("BollingerBreakout")
    assert page.input_value("#params input[name=period]") == "20"  # not RSI's 14
    assert app.click_run() == "done", app.error_text()
    expected = native(web_build, "bollinger_breakout")
    assert app.last_result()["final_value"] == expected["final_value"]


def test_4_a_local_file_cannot_travel_in_a_link(browser, page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    before = app.completed()
    drop_file(page, "mine.csv", candles_csv(demo_candles(web_build), 3000))
    assert app.wait_run_after(before) == "done", app.error_text()
    page.click("#share")
    page.wait_for_function("document.querySelector('#status').textContent.includes('without the data')")
    assert "mine.csv is a local file" in page.locator("#notice").inner_text()
    assert "cannot travel in a link" in page.locator("#notice").inner_text()
    link = page.url
    other = browser.new_context().new_page()
    try:
        opened = App(other, static_url)
        opened.open(link[len(static_url) + 1:])
        assert opened.completed() == 0  # nothing ran: not the demo in the file's place
        assert "drop mine.csv" in other.locator("#notice").inner_text()
        assert other.locator("#stats tr").count() == 0
    finally:
        other.context.close()


def test_5_the_phone_layout_stacks_and_keeps_the_results_usable(page, static_url):
    page.set_viewport_size({"width": 390, "height": 844})
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    width = lambda sel: page.locator(sel).bounding_box()["width"]  # noqa: E731
    assert width("#right") >= 370 and width("#left") >= 370
    chart = page.locator("#chart").bounding_box()
    assert chart["width"] >= 360 and chart["height"] >= 360
    assert page.locator("#chart canvas").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page never scrolls sideways
    assert page.locator("#stats").bounding_box()["width"] <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-layout.png"), full_page=True)
    page.click(".tabs [data-tab=trades]")
    page.locator("#trades tbody tr").nth(3).click()  # the table scrolls inside its tab; a row still picks
    page.wait_for_function("document.querySelector('.chart-selected').textContent.startsWith('Selected')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#chart").screenshot(path=str(ARTIFACTS / "phone-chart.png"))
    page.locator("#tab-trades").screenshot(path=str(ARTIFACTS / "phone-trades.png"))


def test_6_after_stop_the_status_says_python_restarts_and_run_waits_for_it(page, static_url):
    app = App(page, static_url)
    app.open()
    app.set_strategy("import cracktrader as ct\n\nclass Spin(ct.Strategy):\n    def next(self):\n        while True:\n            pass\n")
    before = app.completed()
    page.click("#run")
    page.wait_for_function("document.querySelector('#status').dataset.state === 'running'")
    page.click("#stop")
    page.wait_for_function(f"window.cracktrader.completedRuns > {before}")
    assert app.status() == "booting" and "restarting" in page.locator("#status").inner_text()
    page.select_option("#examples", label="SmaCross")
    before = app.completed()
    page.click("#run")  # pressed while Python restarts: it waits, and says so
    assert "starts when it is ready" in page.locator("#status").inner_text()
    assert app.wait_run_after(before) == "done", app.error_text()


def test_7_a_bad_range_is_named_where_it_is_entered(page, static_url):
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    page.fill("#since", "2024-06-01")
    page.fill("#until", "2024-01-01")
    page.locator("#until").dispatch_event("change")
    box = page.locator("#data-error")
    assert box.is_visible() and "From is after To" in box.inner_text()  # said as soon as it is entered
    assert app.click_run() == "error"
    assert "From is after To" in box.inner_text() and not page.locator("#error").is_visible()
    page.fill("#until", "")
    page.fill("#since", "2030-01-01")
    page.locator("#since").dispatch_event("change")
    assert "the data spans 2023-01-01 to 2025-12-30" in box.inner_text()
    page.fill("#since", "2024-01-01")
    page.locator("#since").dispatch_event("change")
    assert not box.is_visible()
    assert app.click_run() == "done", app.error_text()


def test_8_server_runs_draw_the_indicators(page, host_url):
    app = App(page, host_url)
    app.open()
    assert app.run_on_server(HOST_TOKEN) == "done", app.error_text()
    assert "on the server" in page.locator("#status").inner_text()
    box = page.locator("#chart").bounding_box()
    for x in (0.5, 0.6):  # the crosshair follows the mouse
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + 150, steps=4)
    legend = page.locator(".chart-legend")  # under the crosshair: the bar and every line's value
    page.wait_for_function("document.querySelector('.chart-legend').textContent.includes(' C ')")
    assert "SMA(close, 10)" in legend.inner_text() and "SMA(close, 30)" in legend.inner_text()


def test_9_the_trades_csv_reads_as_a_trader_expects(page, static_url):
    app = App(page, static_url)
    app.open()  # SmaCross has run on the demo
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename == "SmaCross-demo-2023-01-01_2025-12-30-trades.csv"
    rows = open(download.value.path()).read().splitlines()
    head = rows[0].split(",")
    first = dict(zip(head, rows[1].split(",")))
    assert re.fullmatch(r"2023-\d\d-\d\dT\d\d:00:00Z", first["entry_time"])
    doc = app.last_result()
    prices = [row.split(",")[head.index("exit_price")] for row in rows[1:len(doc["trades"]) + 1]]
    assert prices == [repr(t["exit_price"]) for t in doc["trades"]]  # no market: the shortest exact text
    page.select_option("#market-rules", "binance:BTC/USDT")  # with the market's rules: its precision
    assert app.click_run() == "done", app.error_text()
    with page.expect_download() as download:
        page.click("#download-csv")
    rows = open(download.value.path()).read().splitlines()
    for row in rows[1:]:
        cells = dict(zip(head, row.split(",")))
        assert re.fullmatch(r"\d+\.\d\d", cells["entry_price"]) and re.fullmatch(r"0\.\d{1,5}", cells["size"])


def test_10_a_restored_link_picks_its_example_and_edits_are_kept(browser, page, static_url):
    app = App(page, static_url)
    app.open()
    app.pick_example("RsiReversion")
    assert app.click_run() == "done", app.error_text()
    link = page.url
    other = browser.new_context().new_page()
    try:
        opened = App(other, static_url)
        opened.open(link[len(static_url) + 1:])
        assert other.eval_on_selector("#examples", "s => s.options[s.selectedIndex].text") == "RsiReversion"
    finally:
        other.context.close()
    # an edit survives switching examples, and a reload
    edited = source("rsi_reversion").replace("import cracktrader as ct", "import cracktrader as ct  # mine")
    app.set_strategy(edited)
    app.pick_example("SmaCross")
    page.select_option("#examples", label="RsiReversion")
    assert "# mine" in editor_lines(page)[0]
    again = page.context.new_page()
    App(again, static_url).open()
    assert "# mine" in editor_lines(again)[0]
    again.close()


def test_10_every_dropped_file_stays_and_stop_is_called(page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    demo = demo_candles(web_build)
    for name in ("a.csv", "b.csv"):
        before = app.completed()
        drop_file(page, name, candles_csv(demo, 2000))
        assert app.wait_run_after(before) == "done", app.error_text()
    options = page.locator("#dataset option").all_inner_texts()
    assert "a.csv · local file" in options and "b.csv · local file" in options
    app.set_strategy("import cracktrader as ct\n\nclass S(ct.Strategy):\n    def stop(self):\n        raise RuntimeError('at the end')\n")
    assert app.click_run() == "error"
    assert "line 5: RuntimeError: at the end" in app.error_text()


def test_10_the_chart_and_tables_say_what_they_show(page, static_url):
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    keys = page.locator(".chart-keys").inner_text()
    for name in ("SMA(close, 10)", "SMA(close, 30)", "equity", "buy & hold", "long entry", "exit, won"):
        assert name in keys  # series named in a legend, not by titles over the candles
    rows = {r.get_attribute("data-key"): r.locator("td").inner_text() for r in page.locator("#stats tbody tr").all()}
    assert rows["annualization"] == "8,760 bars a year (365 days × 24 h)"
    assert re.fullmatch(r"-?\d+\.\d\d", rows["sharpe"]) and re.fullmatch(r"-?\d+\.\d\d %", rows["total_return"])
    assert re.fullmatch(r"[\d,]+\.\d\d", rows["final_value"]) and re.fullmatch(r"-?[\d,]+\.\d\d", rows["fees"])
    page.click(".tabs [data-tab=trades]")
    page.locator("#trades tbody tr").nth(5).click()
    assert page.locator(".chart-selected").inner_text().startswith("Selected: long")
    # the position still open at the end is in the table
    app.set_strategy("import cracktrader as ct\n\nclass Hold(ct.Strategy):\n    def next(self):\n        if not self.position:\n            self.buy()\n")
    assert app.click_run() == "done", app.error_text()
    assert page.locator("#trade-count").inner_text() == "(0 + 1 open)"
    row = page.locator("#trades tbody tr")
    assert row.count() == 1 and row.locator("td[data-key=exit_time]").inner_text() == "open"

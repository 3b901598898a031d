"""The browser backtester in real Chromium, served by the host and as the offline static demo.

Every test fails on any request outside 127.0.0.1 or any console error (see conftest.py).
"""

import json
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import cracktrader as ct
from app_driver import App
from browser_env import ARTIFACTS, HOST_TOKEN, demo_candles
from cracktrader import runner, synthetic
from cracktrader.examples import NAMES, source


@pytest.fixture(params=["host", "static"])
def app(request, page):
    url = request.getfixturevalue("host_url" if request.param == "host" else "static_url")
    return App(page, url)


def test_every_example_runs_and_shows_results(app, request):
    timings = app.open()
    assert set(timings) == {"pyodide", "core", "kernels"}
    assert app.page.locator("#backend").text_content() == "wasm"
    examples = app.page.locator("#examples option")
    assert examples.count() == len(NAMES) + 1  # and "Your code"
    for k in range(len(NAMES)):
        app.page.select_option("#examples", NAMES[k])
        app.page.wait_for_function(f"document.querySelector('#strategy-class').value !== ''")
        assert app.click_run() == "done", app.error_text()
        canvases, stats_rows, trade_rows = app.shows_results()
        assert canvases >= 2 and stats_rows >= 15 and trade_rows > 0
        count = app.page.locator("#trade-count").inner_text().strip("()")  # "(23)" or "(23 + 1 open)"
        trades = sum(int(n.removesuffix(" open")) for n in count.split(" + "))
        assert trade_rows == min(trades, 1000)  # the table shows at most 1,000 rows, the open one included
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        app.page.screenshot(path=str(ARTIFACTS / f"example-{NAMES[k]}-{request.node.callspec.id}.png"))


def test_browser_equals_server_and_native(page, host_url, web_build):
    app = App(page, host_url)
    app.open()
    config = {"strategy": source("atr_bracket"), "data": "demo", "cash": 10_000, "commission": 0.001, "slippage": 2}
    in_browser = app.run(config)
    body = json.dumps({"strategy": config["strategy"], "dataset": "demo", "cash": 10_000, "commission": 0.001, "slippage": 2})
    req = urllib.request.Request(host_url + "/api/backtests", data=body.encode(), method="POST",
                                 headers={"Authorization": f"Bearer {HOST_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        on_server = json.load(r)["result"]
    native = json.loads(runner.run_source(config["strategy"], demo_candles(web_build),
                                          settings={"cash": 10_000, "commission": 0.001, "slippage": 2}).result().to_json())
    assert len(in_browser["trades"]) > 50
    assert in_browser["trades"] == on_server["trades"] == native["trades"]
    assert in_browser["final_value"] == on_server["final_value"] == native["final_value"]
    assert in_browser == native  # stats and equity too, to the last bit


def test_a_signal_strategy_runs_on_the_wasm_kernel_in_the_browser(page, host_url, web_build):
    """The page's run path gives a SignalStrategy to the kernel (WASM here), as the server and
    CPython do; the event engine, when asked, gives the same document but for "engine"."""
    app = App(page, host_url)
    app.open()
    params = {"fast": 12, "slow": 48, "trail": 0.03}  # (the page keeps the shown example's fast and slow)
    config = {"strategy": source("signal_cross"), "data": "demo", "cash": 10_000, "commission": 0.001, "slippage": 2,
              "params": params}
    fast, slow = app.run(config), app.run({**config, "engine": "event"})
    native = json.loads(runner.run_source(config["strategy"], demo_candles(web_build), params=params,
                                          settings={"cash": 10_000, "commission": 0.001, "slippage": 2}).result().to_json())
    assert (fast["engine"], slow["engine"]) == ("vectorized", "event") and len(fast["trades"]) > 20
    assert fast == native and {**slow, "engine": "vectorized"} == fast
    assert page.locator("#stats tr[data-key=engine] td.num").inner_text() == "event"  # the last run's


def test_server_run_from_the_page(page, host_url):
    app = App(page, host_url)
    app.open()
    assert app.run_on_server(HOST_TOKEN) == "done", app.error_text()
    assert "on the server" in page.locator("#status").inner_text()
    assert app.shows_results()[2] > 0


@pytest.mark.parametrize(
    "src, line, text",
    [
        ("import cracktrader as ct\n\nclass S(ct.Strategy):\n    def next(self)\n        pass\n", 4, "SyntaxError"),
        ("import cracktrader as ct\n\nclass S(ct.Strategy):\n    def init(self):\n        self.sma = ct.ind.SMA(self.data.close, 5)\n\n"
         "    def next(self):\n        if self.sma[0] > 0:\n            raise RuntimeError('boom')\n", 9, "RuntimeError: boom"),
        ("import cracktrader as ct\n\nclass S(ct.Strategy):\n    def next(self):\n        x = self.data.close[1]\n", 5, "LookAheadError"),
    ],
    ids=["syntax-error", "raises", "look-ahead"],  # readable test names and screenshot files
)
def test_strategy_errors_show_the_line(page, static_url, src, line, text):
    app = App(page, static_url)
    app.open()
    app.set_strategy(src)
    assert app.click_run() == "error"
    assert f"line {line}:" in app.error_text() and text in app.error_text()
    assert app.error_line_marked() == [line]


def test_stop_ends_an_infinite_loop_and_the_page_stays_usable(page, static_url):
    app = App(page, static_url)
    app.open()
    app.set_strategy("import cracktrader as ct\n\nclass Spin(ct.Strategy):\n    def next(self):\n        while True:\n            pass\n")
    page.click("#run")
    page.wait_for_function("document.querySelector('#status').dataset.state === 'running'")
    page.wait_for_timeout(500)
    assert page.evaluate("1 + 1") == 2  # the page itself stays responsive
    page.click("#stop")
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('stopped')")
    app.page.select_option("#examples", "sma_cross")
    page.wait_for_function("window.cracktrader.ready")
    assert app.click_run() == "done", app.error_text()
    assert app.shows_results()[2] > 0


def candles_csv(candles, rows, bad_row=None):
    lines = ["timestamp,open,high,low,close,volume"]
    for i in range(rows):
        high = candles.high[i] if i + 2 != bad_row else candles.low[i] - 1  # file line i + 2
        lines.append(f"{candles.time[i]},{candles.open[i]},{high},{candles.low[i]},{candles.close[i]},{candles.volume[i]}")
    return ("\n".join(lines) + "\n").encode()


def drop_file(page, name, data):
    """A real drop event on the drop zone, carrying a File."""
    page.evaluate(
        """([name, bytes]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], name, {type: 'text/csv'}));
            document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));
        }""",
        [name, list(data)],
    )


def test_dropped_csv_runs_and_a_bad_one_names_the_row(page, static_url, web_build):
    app = App(page, static_url)
    app.open()
    demo = demo_candles(web_build)
    before = app.completed()
    drop_file(page, "mine.csv", candles_csv(demo, 3000))
    assert app.wait_run_after(before) == "done", app.error_text()
    assert "3,000 bars" in page.locator("#status").inner_text()
    assert "mine.csv" in page.locator("#dataset-info").inner_text()
    assert page.eval_on_selector("#dataset", "s => s.options[s.selectedIndex].text") == "mine.csv · local file"
    for choice, bars in (("demo", "26,280 bars"), ("file:mine.csv", "3,000 bars")):  # back and forth in the picker
        page.select_option("#dataset", choice)
        assert app.click_run() == "done", app.error_text()
        assert bars in page.locator("#status").inner_text()
    native = runner.run_source(source("sma_cross"), ct.data.read_csv_text(candles_csv(demo, 3000), "mine.csv"),
                               settings={"cash": 10_000, "commission": 0.001, "slippage": 0}).result()
    assert app.last_result()["final_value"] == native.final_value

    before = app.completed()
    page.set_input_files("#file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": candles_csv(demo, 500, bad_row=123)}])
    assert app.wait_run_after(before) == "error"
    message = page.locator("#data-error").inner_text()  # a data error is said in the Data box
    assert "bad.csv, row 123, high" in message and "high_below_open_close" in message


def test_url_sharing_restores_the_run(browser, page, static_url):
    app = App(page, static_url)
    app.open()
    app.page.select_option("#examples", "rsi_reversion")
    page.wait_for_function("document.querySelector('#strategy-class').value === 'RsiReversion'")
    page.fill("#params input[name=oversold]", "35")
    page.fill("#cash", "2500")
    assert app.click_run() == "done", app.error_text()
    first = app.last_result()
    link = page.url
    assert "#s=" in link

    other = browser.new_context().new_page()
    try:
        again = App(other, static_url)
        again.open(link[len(static_url) + 1:])  # ready: the shared run is on screen
        assert again.status() == "done"
        assert other.locator("#params input[name=oversold]").input_value() == "35"
        assert other.locator("#cash").input_value() == "2500"
        assert again.last_result() == first
    finally:
        other.context.close()


def test_trades_sort_and_downloads(page, static_url, tmp_path):
    app = App(page, static_url)
    app.open()  # the first example has run on the demo data
    page.click(".tabs [data-tab=trades]")
    page.click("#trades th[data-key=pnl]")
    pnl = [float(t.replace(",", "").replace("−", "-")) for t in page.locator("#trades tbody td[data-key=pnl]").all_inner_texts()]
    assert len(pnl) > 10 and pnl == sorted(pnl)
    page.click("#trades th[data-key=pnl]")
    assert page.locator("#trades th[data-key=pnl]").get_attribute("data-sort") == "desc"

    with page.expect_download() as download:
        page.click("#download-json")
    doc = json.loads(open(download.value.path()).read())
    assert doc == app.last_result() and set(doc) == {"final_value", "engine", "stats", "trades", "open_trades", "summary", "log", "equity"}
    with page.expect_download() as download:
        page.click("#download-csv")
    lines = open(download.value.path()).read().splitlines()
    assert lines[0] == ("entry_time,exit_time,side,size,entry_price,exit_price,pnl,commission,"
                        "bars,duration_ms,return,mae,mfe,entry_reason,exit_reason")
    assert len(lines) == len(doc["trades"]) + len(doc["open_trades"]) + 1


def test_host_dataset_is_picked_and_run(page, host_url):
    app = App(page, host_url)
    app.open()
    options = page.locator("#dataset option").all_inner_texts()
    assert any("E2E/USDT 1m · binance (5,000 bars)" in o for o in options)
    page.select_option("#dataset", "binance.E2E-USDT.1m")
    assert app.click_run() == "done", app.error_text()
    assert "5,000 bars" in page.locator("#status").inner_text()
    from cracktrader import synthetic

    cached = synthetic.ohlcv(5000, seed=11, symbol="E2E/USDT")
    native = runner.run_source(source("sma_cross"), cached, settings={"cash": 10_000, "commission": 0.001, "slippage": 0})
    assert app.last_result() == json.loads(native.result().to_json())


def test_dropped_parquet_runs(page, static_url, web_build, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    demo = demo_candles(web_build)
    n = 2000
    table = pa.table({"Timestamp": pa.array(demo.time[:n], pa.int64()), **{k.capitalize(): pa.array(getattr(demo, k)[:n]) for k in ("open", "high", "low", "close", "volume")}})
    path = tmp_path / "mine.parquet"
    pq.write_table(table, path, compression="zstd")
    app = App(page, static_url)
    app.open()
    before = app.completed()
    page.set_input_files("#file", str(path))
    assert app.wait_run_after(before) == "done", app.error_text()
    assert f"{n:,} bars" in page.locator("#status").inner_text()
    native = runner.run_source(source("sma_cross"), demo.slice(0, n), settings={"cash": 10_000, "commission": 0.001, "slippage": 0})
    assert app.last_result() == json.loads(native.result().to_json())


def test_chart_regroups_as_you_zoom(page, static_url):
    """26,280 demo bars are drawn as 3-bar groups; zoomed in, the chart shows every bar."""
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")  # the first example runs on load
    note = page.locator("#chart-note")
    assert note.get_attribute("data-groups") == "3" and "3-bar groups" in note.inner_text()
    box = page.locator("#chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 100)

    def wheel_until(delta, done):
        for _ in range(80):
            if page.evaluate(done):
                return True
            page.mouse.wheel(0, delta)
            page.wait_for_timeout(60)
        try:  # the regrouping follows the zoom once it settles: later on a loaded machine
            page.wait_for_function(done, timeout=10_000)
            return True
        except PlaywrightTimeout:
            return False

    groups = "() => document.querySelector('#chart-note').dataset.groups"
    assert wheel_until(-600, f"({groups})() === '1'")
    assert note.inner_text() == ""
    page.screenshot(path=str(ARTIFACTS / "chart-zoomed-in.png"))
    assert wheel_until(600, f"({groups})() === '3'")


def test_a_clicked_trade_is_shown_on_the_chart(page, static_url):
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    assert page.locator("#chart-note").get_attribute("data-groups") == "3"
    page.click(".tabs [data-tab=trades]")
    row = page.locator("#trades tbody tr").nth(10)
    row.click()
    assert row.get_attribute("class") == "selected"
    # A trade spans a few dozen hourly bars: the chart zooms to it and shows every bar.
    page.wait_for_function("document.querySelector('#chart-note').dataset.groups === '1'")
    box = page.locator("#chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 120)  # the legend reads the bar under the crosshair
    legend = page.locator(".chart-values")
    legend.wait_for()
    assert legend.inner_text().startswith("2023-") and " C " in legend.inner_text() and "SMA(close, 10)" in legend.inner_text()
    page.screenshot(path=str(ARTIFACTS / "trade-on-chart.png"))


def test_a_low_priced_coin_keeps_its_digits(page, static_url):
    """Prices around 0.0000123 (think of SHIB): the legend and the trades show them in full."""
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    candles = synthetic.ohlcv(2000, seed=3, start=0.0000123)
    before = app.completed()
    page.set_input_files("#file", files=[{"name": "tiny.csv", "mimeType": "text/csv", "buffer": candles_csv(candles, 2000)}])
    assert app.wait_run_after(before) == "done", app.error_text()
    box = page.locator("#chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 120)
    legend = page.locator(".chart-values")
    legend.wait_for()
    close = legend.inner_text().split(" · C ")[1].split(" ")[0]
    assert close.startswith("0.0000") and len(close.rstrip("0")) >= 10, legend.inner_text()
    page.click(".tabs [data-tab=trades]")
    entry_price = page.locator("#trades tbody tr").first.locator("td[data-key=entry_price]").inner_text()
    assert entry_price.startswith("0.0000") and len(entry_price) >= 11, entry_price


def test_long_trade_lists_page_in_a_thousand_rows_at_a_time(page, static_url):
    app = App(page, static_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    candles = synthetic.ohlcv(60_000, seed=4)  # 1m bars: the SMA crossover trades ~1,200 times
    before = app.completed()
    page.set_input_files("#file", files=[{"name": "long.csv", "mimeType": "text/csv", "buffer": candles_csv(candles, 60_000)}])
    assert app.wait_run_after(before) == "done", app.error_text()
    doc = app.last_result()
    total = len(doc["trades"]) + len(doc["open_trades"])  # the table shows the open position too
    assert total > 1000
    page.click(".tabs [data-tab=trades]")
    rows = page.locator("#trades tbody tr")
    assert rows.count() == 1000 and f"Showing 1,000 of {total:,} trades" in page.locator("#trades-note").inner_text()
    page.click("#trades-note button")
    assert rows.count() == min(total, 2000)
    page.click("#trades th[data-key=pnl]")  # sorting starts over from the first page, worst first
    assert rows.count() == 1000
    worst = min(t["pnl"] for t in doc["trades"] + doc["open_trades"])
    assert rows.first.locator("td[data-key=pnl]").inner_text() == page.evaluate("v => v.toLocaleString('en-US', {maximumFractionDigits: 4})", worst)


def test_a_date_range_at_a_longer_timeframe(browser, page, host_url, web_build):
    app = App(page, host_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    page.select_option("#dataset", "demo")
    page.select_option("#timeframe", "4h")
    page.fill("#since", "2024-01-01")
    page.fill("#until", "2024-12-31")
    before = page.evaluate("location.hash")
    assert app.click_run() == "done", app.error_text()
    assert "2,196 bars" in page.locator("#status").inner_text()  # 366 days of 4h bars
    page.wait_for_function("h => location.hash !== h", arg=before)  # the run is saved in the URL
    in_browser = app.last_result()
    since, until = 1_704_067_200_000, 1_735_689_600_000  # 2024-01-01 and 2025-01-01, UTC
    body = json.dumps({"strategy": source("sma_cross"), "dataset": "demo", "since": since, "until": until,
                       "timeframe": "4h", "cash": 10_000, "commission": 0.001})
    req = urllib.request.Request(host_url + "/api/backtests", data=body.encode(), method="POST",
                                 headers={"Authorization": f"Bearer {HOST_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        on_server = json.load(r)["result"]
    view = ct.data.select(demo_candles(web_build), since=since, until=until, timeframe="4h")
    native = json.loads(runner.run_source(source("sma_cross"), view, settings={"cash": 10_000, "commission": 0.001}).result().to_json())
    assert len(in_browser["trades"]) > 20
    assert in_browser["trades"] == on_server["trades"] == native["trades"]
    assert in_browser["final_value"] == on_server["final_value"] == native["final_value"]
    automated = app.run({"strategy": source("sma_cross"), "data": "demo", "since": since, "until": until, "timeframe": "4h"})
    assert automated["trades"] == native["trades"]

    shared = browser.new_page()  # the link keeps the range and the timeframe
    shared.goto(page.url)
    shared.wait_for_function("window.cracktrader !== undefined")
    shared.evaluate("window.cracktrader.ready")
    assert [shared.input_value(s) for s in ("#timeframe", "#since", "#until")] == ["4h", "2024-01-01", "2024-12-31"]
    shared.close()

    page.select_option("#timeframe", "30m")  # shorter than the data's 1h: named, not a crash
    assert app.click_run() == "error"
    assert "cannot build 30m bars from 1h bars" in app.error_text()
    assert page.get_attribute("#right", "class") == "stale"  # the results on screen are the last run's
    page.select_option("#timeframe", "1d")
    assert app.click_run() == "done", app.error_text()
    assert page.get_attribute("#right", "class") == ""


def test_the_host_cuts_and_aggregates_its_datasets_before_sending(page, host_url):
    app = App(page, host_url)
    app.open()
    page.wait_for_function("window.cracktrader.completedRuns >= 1")
    asked = []
    page.on("request", lambda r: "/candles" in r.url and asked.append(r.url))
    page.select_option("#dataset", "binance.E2E-USDT.1m")
    page.select_option("#timeframe", "15m")
    assert app.click_run() == "done", app.error_text()
    assert asked and asked[-1].endswith("/api/datasets/binance.E2E-USDT.1m/candles?timeframe=15m")
    cached = synthetic.ohlcv(5000, seed=11, symbol="E2E/USDT")  # what conftest put in the host's cache
    view = ct.data.select(cached, timeframe="15m")
    native = runner.run_source(source("sma_cross"), view, settings={"cash": 10_000, "commission": 0.001}).result()
    shown = app.last_result()
    assert len(view) == 335 and "335 bars" in page.locator("#status").inner_text()  # 5,000 minutes, epoch-aligned 15m
    assert shown["trades"] == json.loads(native.to_json())["trades"] and shown["final_value"] == native.final_value

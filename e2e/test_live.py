"""The Live view in real Chromium against a real `cracktrader serve` whose sessions trade on the
exchange simulator (127.0.0.1): a paper and an exchange session started from the page, their
fills on the chart and in the table equal to the journal's, the kill switch flattening with no
order left at the exchange, a host restart the page rides through, a wrong token refused, and
no key in any response, socket message or page."""

import json
import time

import pytest

from app_driver import App
from browser_env import ARTIFACTS, CLI, HOST_TOKEN
from support.live_host import serve_config
from support.live import KEY, SECRET, STRATEGIES, bar_time, sim_fixture, wait_until
from support.server_process import Server, request

from cracktrader.live import read_events


def serve(sim, folder, web_build, port=None):
    """`cracktrader serve` with a trading account and a data-only one on the simulator."""
    folder.mkdir(parents=True, exist_ok=True)
    config = serve_config(sim, folder, folder.parent / "live")
    server = Server(CLI, folder, config, args=["--web-dir", str(web_build), "--token", HOST_TOKEN,
                                                "--cache", str(folder.parent / "cache"),
                                                *(["--port", str(port)] if port else [])])
    if port:
        server.port, server.url = port, f"http://127.0.0.1:{port}"
    return server.wait_ready()


class Host:
    def __init__(self, server):
        self.server = server

    def session(self, sid):
        status, body, _ = request(f"{self.server.url}/api/live/{sid}", token=HOST_TOKEN)
        assert status == 200, body
        return body


def advance(sim, host, sids, first, bars):
    """Moves the exchange's clock bar by bar, waiting for every session to use each bar."""
    for k in range(first, first + bars):
        sim.clock.set(bar_time(k) + 1500)
        for sid in sids:
            wait_until(lambda k=k, sid=sid: (host.session(sid)["state"].get("last_bar_time") or 0) >= bar_time(k - 1),
                       60, f"session {sid} to use bar {k}")


def start_from_page(page, account, mode, name):
    page.select_option("#live-account", account)
    page.select_option("#live-mode", mode)
    page.fill("#live-name", name)
    before = page.evaluate("window.cracktrader.live.selected")
    page.click("#live-start-button")
    page.wait_for_function(f"window.cracktrader.live.selected && window.cracktrader.live.selected !== {json.dumps(before)}",
                           timeout=30_000)
    return page.evaluate("window.cracktrader.live.selected")


def open_live_view(page, url, strategy_class):
    """The page at `url` with the test strategies in the editor, `strategy_class` picked, in the
    Live view with the host's token given (its accounts listed)."""
    App(page, url).open()
    page.evaluate("s => window.cracktrader.setStrategy(s)", STRATEGIES.read_text())
    page.select_option("#strategy-class", strategy_class)
    page.click("#views button[data-view=live]")
    page.fill("#live-token", HOST_TOKEN)
    page.dispatch_event("#live-token", "change")
    page.wait_for_function("document.querySelectorAll('#live-account option').length === 2", timeout=30_000)


def leave(page):
    """Leaves the page before the host stops (it would try to reconnect); leaving cancels a list
    refresh in flight (ERR_ABORTED): that, nothing else, is let pass."""
    before = len(page.watch.problems)
    page.goto("about:blank")
    page.watch.problems[before:] = [p for p in page.watch.problems[before:] if "net::ERR_ABORTED" not in p]


def shown_fills(page):
    """The fills table: {trade id: (side, qty, price)}."""
    rows = page.eval_on_selector_all("#live-fills tbody tr", "rows => rows.map(r => [r.dataset.trade, "
                                                             "...[...r.cells].map(c => c.textContent)])")
    return {r[0]: (r[2], float(r[3]), float(r[4])) for r in rows}


def journal_fills(journal):
    sides = {e["data"]["cid"]: e["data"]["side"] for e in read_events(journal, kinds=["order"]) if "side" in e["data"]}
    return {e["data"]["trade_id"]: (sides[e["data"]["cid"]], e["data"]["qty"], e["data"]["price"])
            for e in read_events(journal, kinds=["fill"])}


def wait_until_or_false(predicate, timeout):
    try:
        return wait_until(predicate, timeout)
    except AssertionError:
        return False


sim = sim_fixture(fee_asset="quote")


def test_live_sessions_from_the_page(sim, web_build, page, tmp_path):
    server = serve(sim, tmp_path / "host1", web_build)
    host = Host(server)
    received = []  # every HTTP body and socket message the page got from the host
    page.on("response", lambda r: received.append(r.text()) if "/api/" in r.url else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(str(payload))))
    try:
        app = App(page, server.url)
        app.open()
        app.set_strategy(STRATEGIES.read_text())  # in the Backtest view's editor
        page.select_option("#strategy-class", "Every")
        page.click("#views button[data-view=live]")
        assert page.locator("#live-strategy").text_content().startswith("Every")
        page.fill("#live-token", HOST_TOKEN)
        page.dispatch_event("#live-token", "change")
        page.wait_for_function("document.querySelectorAll('#live-account option').length === 2", timeout=30_000)

        paper = start_from_page(page, "sim-data", "paper", "paper every")
        exchange = start_from_page(page, "sim", "exchange", "exchange every")
        for sid in (paper, exchange):
            wait_until(lambda sid=sid: host.session(sid)["state"].get("health") == "ok", 60, "the sessions to start")
        advance(sim, host, [paper, exchange], 1, 6)
        journals = {sid: tmp_path / "live" / sid / "journal.sqlite" for sid in (paper, exchange)}

        # The selected session (the exchange one) shows every fill the journal has, on the chart too.
        # The exchange really filled them: the simulator's trades are the journal's (once both settled).
        expected = wait_until(lambda: (j := journal_fills(journals[exchange])) and sorted(j) == sorted(
            str(t["id"]) for t in sim.exchange.my_trades(KEY, "BTCUSDT")) and j, 30, "the journal and the exchange to agree")
        assert len(expected) >= 4 and {v[0] for v in expected.values()} == {"buy", "sell"}
        page.wait_for_function(f"Object.keys(window.cracktrader.live.fillsShown()).length === {len(expected)}",
                               timeout=30_000)
        assert shown_fills(page) == expected
        assert set(page.evaluate("Object.keys(window.cracktrader.live.fillsShown())")) == set(expected)

        # The paper session, picked in the list.
        page.click(f"#live-sessions tr[data-id='{paper}']")
        page.wait_for_function(f"window.cracktrader.live.selected === '{paper}'")
        wait_until(lambda: shown_fills(page) == journal_fills(journals[paper]), 30, "the paper fills")
        assert len(journal_fills(journals[paper])) >= 3  # paper fills at the next bar's open

        # Kill switch on the exchange session while it holds a position (bought on an even bar).
        page.click(f"#live-sessions tr[data-id='{exchange}']")
        page.wait_for_function(f"window.cracktrader.live.selected === '{exchange}'")
        # Every buys on even bars (filled at once, booked from the exchange's answer) and sells
        # one bar later: after an even bar it holds a position and no order until the next bar.
        def holding():
            state = host.session(exchange)["state"]
            return state["position"]["size"] > 0 and not state["open_orders"]

        k = 7
        while not wait_until_or_false(holding, 15):
            assert k < 11, "the exchange session never held a position with no order out"
            advance(sim, host, [paper, exchange], k, 1)
            k += 1
        page.once("dialog", lambda d: d.accept())
        page.click("#live-kill")
        wait_until(lambda: host.session(exchange)["state"]["risk"]["state"] == "halted"
                   and not host.session(exchange)["state"]["position"]["size"], 60, "the kill switch to flatten")
        assert sim.open_orders(KEY) == []
        flatten = [e["data"] for e in read_events(journals[exchange], kinds=["order"]) if e["data"].get("origin") == "session"]
        assert flatten and flatten[0]["side"] == "sell", read_events(journals[exchange])[-20:]  # the kill switch's own order
        page.wait_for_function("document.getElementById('live-risk').textContent === 'halted'", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "live-session.png"), full_page=True)

        # The host restarts (same address): the page reconnects and shows what happened meanwhile.
        last_seq = page.evaluate("window.cracktrader.live.lastSeq")
        port = server.port
        problems = len(page.watch.problems)
        assert server.stop(timeout=60) == 0
        page.wait_for_function("document.getElementById('live-conn').dataset.ok === 'false'", timeout=30_000)
        server = serve(sim, tmp_path / "host2", web_build, port=port)
        host = Host(server)
        wait_until(lambda: all(host.session(s)["state"].get("health") == "ok" for s in (paper, exchange)), 60,
                   "the sessions to resume")
        advance(sim, host, [paper, exchange], k, 2)
        what = [e["data"]["what"] for e in read_events(journals[exchange], kinds=["session"])]
        assert "resumed" in what
        page.wait_for_function(f"window.cracktrader.live.lastSeq > {last_seq}", timeout=30_000)
        page.wait_for_function("document.getElementById('live-conn').textContent === 'live'", timeout=30_000)
        # While the host was down, the page's tries to reach it were refused: those, and nothing else.
        down = page.watch.problems[problems:]
        assert all("ERR_CONNECTION_REFUSED" in p for p in down), down
        del page.watch.problems[problems:]
        expected = journal_fills(journals[exchange])
        wait_until(lambda: shown_fills(page) == expected, 30, "the fills after the restart")

        # A wrong token is refused, and said so.
        problems = len(page.watch.problems)
        page.fill("#live-token", "not-the-token")
        page.dispatch_event("#live-token", "change")
        page.wait_for_function("document.getElementById('live-error').textContent.includes('token')", timeout=30_000)
        # The console's line for the refused request may come after the page has shown the error
        # (Playwright delivers console events only while it is called: wait in the page).
        for _ in range(100):
            if page.watch.problems[problems:]:
                break
            page.wait_for_timeout(100)
        refused = page.watch.problems[problems:]
        assert refused and all("401" in p for p in refused), refused
        del page.watch.problems[problems:]
        assert request(f"{server.url}/api/live", token="not-the-token")[0] == 401

        # No key anywhere the browser could see.
        page_text = page.content()
        for secret in (KEY, SECRET):
            assert secret not in page_text and not any(secret in r for r in received)
        assert any("fill" in r for r in received)  # the socket's messages were looked at
    finally:
        leave(page)
        server.stop(timeout=60)


def test_narrow_layout_keeps_the_state_and_kill_switch(sim, web_build, browser, tmp_path):
    server = serve(sim, tmp_path / "host", web_build)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        open_live_view(page, server.url, "Every")
        sid = start_from_page(page, "sim-data", "paper", "phone")
        wait_until(lambda: Host(server).session(sid)["state"].get("health") == "ok", 60, "the session")
        page.mouse.wheel(0, 2000)
        time.sleep(0.3)
        for element in ("#live-kill", "#live-health"):
            box = page.locator(element).bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= 844 and box["x"] + box["width"] <= 390, element
        page.screenshot(path=str(ARTIFACTS / "live-phone.png"))
    finally:
        context.close()
        server.stop(timeout=60)


def test_the_chart_draws_the_strategys_lines(sim, web_build, page, tmp_path):
    """Cross's two SMAs over the candles: the history from GET bars, then a point per bar from
    the "lines" events, equal to the host's (the journal's) values."""
    server = serve(sim, tmp_path / "host", web_build)
    host = Host(server)
    try:
        open_live_view(page, server.url, "Cross")
        sid = start_from_page(page, "sim-data", "paper", "lines")
        wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session")
        advance(sim, host, [sid], 1, 3)
        status, bars, _ = request(f"{server.url}/api/live/{sid}/bars", token=HOST_TOKEN)
        assert status == 200 and [o["name"] for o in bars["overlays"]] == ["SMA(close, 3)", "SMA(close, 8)"]
        last = bars["time"][-1] // 1000
        page.wait_for_function(f"(ls => Object.keys(ls).length === 2 && Object.values(ls).every(l => l.length && "
                               f"l[l.length - 1].time === {last}))(window.cracktrader.live.lines())", timeout=30_000)
        drawn = page.evaluate("window.cracktrader.live.lines()")
        for o in bars["overlays"]:
            want = [(t // 1000, v) for t, v in zip(bars["time"], o["values"]) if v is not None]
            assert [p["time"] for p in drawn[o["name"]]] == [t for t, _ in want]
            assert [p["value"] for p in drawn[o["name"]]] == pytest.approx([v for _, v in want])
            assert len(want) >= 30  # the warm-up's values too, not only the live bars'
    finally:
        leave(page)
        server.stop(timeout=60)


def test_the_static_demo_replays_a_paper_session(page, static_url):
    app = App(page, static_url)
    app.open()
    page.click("#views button[data-view=live]")
    assert "Replay" in page.locator("#live-replay").text_content()
    assert page.locator("#live-kill").is_hidden() and page.locator("#live-start").is_hidden()
    page.wait_for_function("document.getElementById('live-log').textContent.includes('replay ended')", timeout=60_000)
    result = app.last_result()
    # Every entry and exit of the backtest's trades in the replayed bars (the last 400) is a fill row.
    times = [t for t, _ in result["equity"]][-400:]
    expected = sum(times[0] <= t["entry_time"] for t in result["trades"]) + \
        sum(t["exit_time"] is not None and times[0] <= t["exit_time"] for t in result["trades"])
    assert expected > 0
    assert page.locator("#live-fills tbody tr").count() == expected

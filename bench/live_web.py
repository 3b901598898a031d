"""Live sessions on the host, seen from the browser:

- Fill to page: an exchange session (`cracktrader serve`, a real worker process) trades on the
  exchange simulator (in this process, real ccxt over HTTP on 127.0.0.1), one market order a
  bar; for each fill, the time from the simulator matching the order (its wall clock) to the
  Live view in headless Chromium drawing the fill (`window.cracktrader.live.fillsShown()`,
  the page's wall clock: same machine) — p50/p99; and from the fill's event committed to the
  session's journal (seen by a reader polling it every 2 ms) to the page: the host's part
  (journal poll, WebSocket, page). Target p99 < 100 ms. The session learns of a market order's
  fill when it next looks at its orders (the next bar, or within 10 s): the first figure
  includes that wait; this benchmark moves the exchange's clock to the next bar as soon as
  the session has used a bar.
- Idle sessions: N paper sessions on 1-minute bars (default 20) started on one host, then the
  CPU time of all their workers and of the server over a window of real time (the exchange's
  clock runs at real speed: a bar closes every minute), as a share of one core, and their
  memory (RSS). Target: 20 sessions under 5% of one core in total.

The machine may be shared: the figures are the best of `--rounds` (taking turns).
usage: python bench/live_web.py [--fills 100] [--sessions 20] [--idle-seconds 60] [--rounds 1]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "e2e"), str(ROOT / "scripts"), str(ROOT / "tests")]

import build_web  # noqa: E402
from browser_env import CHROMIUM, CHROMIUM_ARGS, CLI  # noqa: E402
from support.live_host import serve_config  # noqa: E402
from support.live import KEY, STRATEGIES, bar_time, trading_sim, wait_until  # noqa: E402
from support.server_process import Server, request  # noqa: E402

TOKEN = "bench-token"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def serve(sim, folder, web, poll, clock="exchange"):
    folder.mkdir(parents=True, exist_ok=True)
    config = serve_config(sim, folder, folder / "live", poll, clock=clock)
    return Server(CLI, folder, config, args=["--web-dir", str(web), "--token", TOKEN,
                                             "--cache", str(folder / "cache")]).wait_ready(60)


def api(server, method, path, body=None):
    status, answer, _ = request(server.url + path, body, token=TOKEN)
    assert 200 <= status < 300, (status, answer)
    return answer


def start_session(server, mode, account, market_data="auto", **params):
    body = {"market_data": market_data, "strategy": STRATEGIES.read_text(), "strategy_class": "Every", "account": account, "symbol": "BTC/USDT",
            "timeframe": "1m", "mode": mode, "warmup": 30, "cash": 10_000, "params": params}
    sid = api(server, "POST", "/api/live", body)["id"]
    wait_until(lambda: api(server, "GET", f"/api/live/{sid}")["state"].get("health") == "ok", 120, "the session")
    return sid


def stamp_fills(sim):
    """{trade id: wall-clock ms when the simulator made the trade}."""
    made = {}
    exchange = sim.exchange
    place = exchange.place

    def stamped(*args, **kwargs):
        before = len(exchange.trades)
        out = place(*args, **kwargs)
        now = time.time() * 1000
        for t in exchange.trades[before:]:
            made.setdefault(str(t["id"]), now)
        return out

    exchange.place = stamped
    return made


class JournalWatch:
    """{trade id: wall-clock ms when its fill event was first readable in the journal}."""

    def __init__(self, journal):
        import threading

        self.journal, self.seen, self.stop = journal, {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        from cracktrader.live.journal import read_events, reader

        db, last = None, 0
        while not self.stop.is_set():
            try:
                db = db or reader(self.journal)
                for e in read_events(db, after=last):
                    last = e["seq"]
                    if e["kind"] == "fill":
                        self.seen.setdefault(str(e["data"]["trade_id"]), time.time() * 1000)
            except Exception:  # noqa: BLE001 - not created yet
                db = None
            time.sleep(0.002)


def fill_to_page(web, fills):
    from playwright.sync_api import sync_playwright

    sim = trading_sim(fee_asset="quote")
    made = stamp_fills(sim)
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(sim, Path(tmp), web, poll=0.05)  # the tests' setting: a bar is taken 50 ms after it closes
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(server.url + "/")
                page.wait_for_function("window.cracktrader !== undefined")
                page.evaluate("window.cracktrader.ready")
                page.evaluate(f"sessionStorage.setItem('cracktrader.token', {json.dumps(TOKEN)})")
                page.click("#views button[data-view=live]")
                # A market buy every bar, sold the next: a fill a bar.
                sid = start_session(server, "exchange", "sim", every=1, hold=1)
                watch = JournalWatch(Path(tmp) / "live" / sid / "journal.sqlite")
                page.evaluate(f"window.cracktrader.live.select({json.dumps(sid)})")
                k = 1
                while len(made) < fills:
                    sim.clock.set(bar_time(k) + 1500)
                    wait_until(lambda k=k: (api(server, "GET", f"/api/live/{sid}")["state"].get("last_bar_time") or 0)
                               >= bar_time(k - 1), 60, f"bar {k}")
                    k += 1
                wait_until(lambda: set(made) <= set(page.evaluate("window.cracktrader.live.fillsShown()")), 30,
                           "every fill on the page")
                shown = page.evaluate("window.cracktrader.live.fillsShown()")
                watch.stop.set()
                browser.close()
        finally:
            server.stop(60)
            sim.stop()
    return sorted(shown[t] - made[t] for t in made), sorted(shown[t] - watch.seen[t] for t in made if t in watch.seen)


def percentile(values, q):
    return values[min(len(values) - 1, int(q * len(values)))]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle_sessions(web, n, seconds, market_data):
    sim = trading_sim()
    with tempfile.TemporaryDirectory() as tmp:
        # the default [live] poll_seconds, and the default local clock (measured at the start, then
        # hourly): the simulator's clock runs at real speed here
        server = serve(sim, Path(tmp), web, poll=1.0, clock="local")
        try:
            sids = [start_session(server, "paper", "sim-data", market_data) for _ in range(n)]
            pids = [api(server, "GET", f"/api/live/{s}")["worker"]["pid"] for s in sids]
            time.sleep(5)  # settled after the start
            procs = pids + [server.proc.pid]
            before = [cpu_seconds(p) for p in procs]
            t0 = time.monotonic()
            time.sleep(seconds)
            elapsed = time.monotonic() - t0
            used = [cpu_seconds(p) - b for p, b in zip(procs, before)]
            rss = sum(rss_mb(p) for p in pids)
            alive = sum(api(server, "GET", f"/api/live/{s}")["worker"]["running"] for s in sids)
        finally:
            server.stop(120)
            sim.stop()
    return {"workers_cpu": sum(used[:-1]) / elapsed, "server_cpu": used[-1] / elapsed, "workers_rss_mb": rss,
            "alive": alive}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fills", type=int, default=100)
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--idle-seconds", type=float, default=60)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--market-data", nargs="+", default=["trades", "klines", "rest"],
                   help="the idle sessions' bar sources compared (default: trades klines rest)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        web = build_web.build(Path(tmp) / "web")
        best_lat, best_host, best_idle = None, None, {}
        for _ in range(args.rounds):
            lat, host = fill_to_page(web, args.fills)
            if best_lat is None or percentile(lat, 0.99) < best_lat[1]:
                best_lat = (statistics.median(lat), percentile(lat, 0.99), len(lat), lat[-1])
            if best_host is None or percentile(host, 0.99) < best_host[1]:
                best_host = (statistics.median(host), percentile(host, 0.99), len(host), host[-1])
            for source in args.market_data:
                idle = idle_sessions(web, args.sessions, args.idle_seconds, source)
                if source not in best_idle or idle["workers_cpu"] < best_idle[source]["workers_cpu"]:
                    best_idle[source] = idle
    for what, (p50, p99, count, worst) in (("fill at the simulator", best_lat), ("fill in the journal", best_host)):
        print(f"{what} -> shown in the page: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms over {count} fills "
              "(target p99 < 100 ms)")
    for source, i in best_idle.items():
        print(f"{args.sessions} idle paper sessions (1m bars, market data {source}) over {args.idle_seconds:.0f} s: "
              f"workers {100 * i['workers_cpu']:.2f}% of one core in total ({100 * i['workers_cpu'] / args.sessions:.3f}% "
              f"each), server {100 * i['server_cpu']:.2f}%, workers' RSS {i['workers_rss_mb']:.0f} MB, {i['alive']} alive "
              f"(target: under 5% in total)")


if __name__ == "__main__":
    main()

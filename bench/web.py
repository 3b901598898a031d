"""The browser app in headless Chromium (Playwright), against `cracktrader serve`:

- page ready (Pyodide, core wheel and kernels loaded), cold (new browser profile) and warm
  (reload);
- the SMA(10)/SMA(30) crossover over 100k and 1M one-minute bars, in the browser (Pyodide +
  WASM, data fetched as Arrow IPC from the host's cache, results drawn) vs the same run on the
  server (CPython + native kernels: in-process, and through POST /api/backtests);
- the longest main-thread task during a browser run.

Targets: ready under 3 s cold; 100k bars in the browser under 1.5 s; no main-thread task over
200 ms during a run.

usage: python bench/web.py [BARS ...]     (default: 100000 1000000)
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "e2e"), str(ROOT / "scripts")]

import build_web  # noqa: E402
from browser_env import CHROMIUM, CHROMIUM_ARGS, free_port, wait_http  # noqa: E402

from cracktrader import runner, synthetic  # noqa: E402
from cracktrader.data import Cache  # noqa: E402
from cracktrader.examples import source  # noqa: E402

TOKEN = "bench"
SETTINGS = {"cash": 10_000, "commission": 0.001}
AUTOMATION = """async c => {
    const t0 = performance.now();
    const r = await window.cracktrader.run(c);
    const ms = performance.now() - t0;
    const equity = new Float64Array(r.equity.map(p => p[1]));
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', equity.buffer));
    return {ms, trades: r.trades, final_value: r.final_value, digest: [...hash].map(b => b.toString(16).padStart(2, '0')).join('')};
}"""
LONG_TASKS = """() => { window.__long = []; new PerformanceObserver(l => window.__long.push(...l.getEntries().map(e => e.duration)))
                         .observe({type: 'longtask', buffered: false}); }"""


def main(sizes):
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="ct-bench-web-"))
    cache = Cache(tmp / "cache")
    ids = {}
    for n in sizes:
        candles = synthetic.ohlcv(n, seed=n, symbol="BENCH/USDT")
        candles.exchange = f"bench{n}"
        cache.write(candles)
        ids[n] = f"bench{n}.BENCH-USDT.1m"
    web = build_web.build(tmp / "web")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CRACKTRADER_CACHE_DIR": str(tmp / "cache")}
    server = subprocess.Popen([str(Path(sys.executable).with_name("cracktrader")), "serve", "--port", str(port),
                               "--web-dir", str(web), "--token", TOKEN], stdout=subprocess.DEVNULL, env=env)
    rows = []
    try:
        wait_http(url + "/api/health", server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "/")
            page.wait_for_function("window.cracktrader !== undefined")
            page.evaluate("window.cracktrader.ready")
            cold = page.evaluate("performance.getEntriesByName('python-ready')[0].startTime")
            page.reload()
            page.wait_for_function("window.cracktrader !== undefined")
            page.evaluate("window.cracktrader.ready")
            warm = page.evaluate("performance.getEntriesByName('python-ready')[0].startTime")
            print(f"page ready (Python, core, kernels): cold {cold / 1000:.2f} s, warm {warm / 1000:.2f} s  (target < 3 s cold)")

            strategy = source("sma_cross")
            for n in sizes:
                config = {"strategy": strategy, "data": ids[n], **SETTINGS}
                page.select_option("#dataset", ids[n])
                page.evaluate("s => window.cracktrader.setStrategy(s)", strategy)
                ui_first = ui_run(page)  # includes fetching the candles (Arrow IPC) into the worker
                page.evaluate(LONG_TASKS)
                ui_again = ui_run(page)
                page.wait_for_timeout(300)  # let the last long task be reported
                longest = max(page.evaluate("window.__long"), default=0.0)
                auto = page.evaluate(AUTOMATION, config)

                candles = cache.read(ids[n])
                t0 = time.perf_counter()
                native = runner.run_source(strategy, candles, settings=SETTINGS).result()
                native.stats  # what the UI shows: the run and its stats, no JSON
                native_s = time.perf_counter() - t0
                native_doc = json.loads(native.to_json())
                json_s = time.perf_counter() - t0 - native_s

                body = json.dumps({"strategy": strategy, "dataset": ids[n], **SETTINGS}).encode()
                req = urllib.request.Request(url + "/api/backtests", data=body, method="POST",
                                             headers={"Authorization": f"Bearer {TOKEN}"})
                t0 = time.perf_counter()
                with urllib.request.urlopen(req, timeout=600) as r:
                    served = json.load(r)["result"]
                api_s = time.perf_counter() - t0
                digest = hashlib.sha256(native.equity.tobytes()).hexdigest()
                same = (auto["trades"] == native_doc["trades"] == served["trades"] and auto["digest"] == digest
                        and auto["final_value"] == native_doc["final_value"] == served["final_value"])
                rows.append((n, ui_first, ui_again, auto["ms"] / 1000, native_s, json_s, api_s, longest, len(native.trades), same))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"\n{'bars':>9} {'UI 1st s':>8} {'UI again s':>10} {'API() s':>7} {'native s':>8} {'+JSON s':>7} {'POST s':>6} "
          f"{'UI/native':>9} {'longest task ms':>15} {'trades':>6} same")
    for n, first, again, auto, nat, json_s, api, longest, trades, same in rows:
        print(f"{n:>9,} {first:>8.3f} {again:>10.3f} {auto:>7.3f} {nat:>8.3f} {json_s:>7.3f} {api:>6.3f} {again / nat:>8.1f}x "
              f"{longest:>15.0f} {trades:>6} {'yes' if same else 'NO'}")
    print("\nUI: Run pressed until results drawn (1st: candles fetched as Arrow IPC into the worker; again: already there)."
          "\nAPI(): window.cracktrader.run, resolving to the result JSON (equity included), timed in the page."
          "\nnative: CPython + native kernels in-process, run and stats (like UI); +JSON: then the result JSON written and parsed. POST: /api/backtests (spawns a process, reads the cache).")


def ui_run(page):
    """Seconds from pressing Run to results drawn, timed in the page."""
    before = page.evaluate("window.cracktrader.completedRuns")
    page.evaluate("() => { window.__t0 = performance.now(); document.querySelector('#run').click(); }")
    page.wait_for_function(f"window.cracktrader.completedRuns > {before}", timeout=600_000)
    state = page.evaluate("document.querySelector('#status').dataset.state")
    if state != "done":
        raise RuntimeError(page.locator("#error").inner_text())
    return page.evaluate("window.cracktrader.timing.total_ms") / 1000


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])

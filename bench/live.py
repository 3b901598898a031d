"""Live sessions: the order path's own overhead, and memory over a long paper session.

- Order path: 10,000 decisions of an exchange session against the exchange simulator (its own
  process, real ccxt over HTTP on 127.0.0.1): from a closed bar handed to the session to the
  request handed to ccxt — journal the bar, Engine.push, the strategy's next(), the market's
  rules (MarketRules), the risk limits, the order's journal record committed — p50/p99, with
  the journal's synchronous (durable) commits and without. Each decision is an IOC limit far
  under the market, which the exchange expires at once (nothing to follow up between bars).
  The peer is the original CrackTrader's measured 17 ms per order; the targets here are
  p99 < 2 ms durable and < 0.5 ms without the synchronous write.
- Memory: a paper session (SMA crossing) fed 100,000 one-minute bars, RSS at the start, every
  25,000 bars and at the end (the target: flat, as the engine keeps the last `keep_bars` bars
  and what the session holds per order goes with them); then the time a restart takes to
  replay that journal, and the peak of Python's allocations while restarting it, against a
  restart of a 1,000-bar journal (flat too: a restart reads the journal a page at a time).

Bars are handed to the session directly (the exchange's candle polling is not part of the
order path). The machine may be shared: figures are the best of `--rounds` runs, taking
turns. usage: python bench/live.py [--decisions 10000] [--bars 100000] [--rounds 2]
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

KEY, SECRET = "benchkey", "benchsecret"
START = 1_704_067_200_000 + 2 * 86_400_000
STRATEGY = '''
import cracktrader as ct

class Probe(ct.Strategy):
    """One IOC limit buy far under the market each bar: every bar is a decision."""

    def next(self):
        self.buy(size=0.001, limit=round(self.data.close[0] * 0.5, 2), tif="IOC")


class Cross(ct.Strategy):
    def init(self):
        self.fast, self.slow = ct.ind.SMA(self.data.close, 10), ct.ind.SMA(self.data.close, 30)

    def next(self):
        if not self.position and self.fast[0] > self.slow[0]:
            self.buy()
        elif self.position and self.fast[0] < self.slow[0]:
            self.close()
'''


def start_sim():
    proc = subprocess.Popen([sys.executable, "-m", "support.exchange_sim", "--now", str(START + 1500),
                             "--account", f"{KEY}:{SECRET}:USDT=1000000,BTC=100"],
                            cwd=ROOT / "tests", stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    return proc, url


def config(url, folder, strategy, mode, **settings):
    from cracktrader.live import SessionConfig

    return SessionConfig(
        strategy_source=STRATEGY, strategy_class=strategy, exchange="binance", symbol="BTC/USDT", timeframe="1m",
        mode=mode, sandbox=True, warmup=40, cash=10_000.0, clock="exchange", cache=str(folder / "cache"),
        exchange_config={"urls": {"test": {"public": f"{url}/api/v3", "private": f"{url}/api/v3", "v1": f"{url}/api/v1"}},
                         "options": {"fetchMarkets": {"types": ["spot"]}}, "timeout": 5000},
        risk={"max_order_notional": 1e9, "max_position_notional": 1e9, "max_open_orders": 1000,
              "max_orders_per_minute": 10**9}, **settings)


def bars(first, n, seed=1):
    rng = random.Random(seed)
    price = 42_000.0
    for k in range(n):
        o = price
        price = round(max(1.0, price * (1 + rng.gauss(0, 0.001))), 2)
        yield (first + k * 60_000, o, round(max(o, price) * 1.0005, 2), round(min(o, price) * 0.9995, 2), price,
               round(rng.random() * 10, 4))


def order_path(url, folder, decisions, durable):
    from cracktrader.live.session import Session

    s = Session(config(url, folder, "Probe", "exchange"), folder / f"bench-{durable}.journal",
                keys={"apiKey": KEY, "secret": SECRET}, durable=durable).start()
    s.timings = []
    first = s.engine.feeds[0].time.values[-1] + 60_000
    overheads = []
    for bar in bars(first, decisions):
        t0 = time.perf_counter_ns()
        s.take_bar(bar)
        overheads.append((s.timings[-1] - t0) / 1e6)
    expired = sum(o.status == "expired" for o in s.engine.broker.orders)
    s.close()
    assert expired == decisions, f"{expired} of {decisions} orders went through the exchange and back"
    overheads.sort()
    return overheads[len(overheads) // 2], overheads[int(len(overheads) * 0.99)]


def disk_flush(folder, n=300):
    """p50/p99 of one fdatasync of a small append on this disk: what a durable commit waits for."""
    fd = os.open(folder / "flush", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    times = []
    for _ in range(n):
        os.write(fd, b"x" * 300)
        t = time.perf_counter_ns()
        os.fdatasync(fd)
        times.append((time.perf_counter_ns() - t) / 1e6)
    os.close(fd)
    times.sort()
    return times[n // 2], times[int(n * 0.99)]


def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def memory(url, folder, n):
    from cracktrader.live.session import Session

    s = Session(config(url, folder, "Cross", "paper"), folder / "memory.journal").start()
    first = s.engine.feeds[0].time.values[-1] + 60_000
    marks = [(0, rss_mb())]
    for k, bar in enumerate(bars(first, n), 1):
        s.take_bar(bar)
        s.save_state()
        s.journal.commit()
        if k % 25_000 == 0:
            marks.append((k, rss_mb()))
    trades = s.engine.broker.account.closed
    size = sum(p.stat().st_size for p in folder.glob("memory.journal*"))
    s.close()
    t = time.perf_counter()
    Session(config(url, folder, "Cross", "paper"), folder / "memory.journal").start().close()  # a restart replays it all
    return marks, trades, size, time.perf_counter() - t


def restart_peak(url, journal):
    """Python's peak allocation (MB) while a process restarts the paper session of `journal`,
    above what it holds once started (tracemalloc: the process's RSS peak is its start-up's,
    the exchange's markets parsed, whatever the journal)."""
    code = ("import sys, tracemalloc; sys.path[:0] = sys.argv[3:]; import live; from pathlib import Path; "
            "from cracktrader.live.session import Session; j = Path(sys.argv[1]); tracemalloc.start(); "
            "s = Session(live.config(sys.argv[2], j.parent, 'Cross', 'paper'), j).start(); "
            "held, peak = tracemalloc.get_traced_memory(); s.close(); print((peak - held) / 1e6)")
    out = subprocess.run([sys.executable, "-c", code, str(journal), url, str(ROOT / "bench"), str(ROOT / "tests")],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def short_journal(url, folder, n=1_000):
    """A paper session of `n` bars like memory()'s, closed: the restart to compare with."""
    from cracktrader.live.session import Session

    folder.mkdir()
    s = Session(config(url, folder, "Cross", "paper"), folder / "memory.journal").start()
    first = s.engine.feeds[0].time.values[-1] + 60_000
    for bar in bars(first, n):
        s.take_bar(bar)
    s.close()
    return folder / "memory.journal"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=10_000)
    p.add_argument("--bars", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    sim, url = start_sim()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            best = {True: None, False: None}
            for r in range(args.rounds):
                for durable in (True, False):
                    round_dir = folder / f"r{r}-{durable}"
                    round_dir.mkdir()
                    got = order_path(url, round_dir, args.decisions, durable)
                    if best[durable] is None or got[1] < best[durable][1]:
                        best[durable] = got
            print(f"order path, {args.decisions:,} decisions against the simulator (bar in -> request handed to ccxt), "
                  f"best of {args.rounds}:")
            print(f"{'journal':<26}{'p50 ms':>10}{'p99 ms':>10}{'target p99':>12}{'vs 17 ms':>10}")
            for durable, target in ((True, 2.0), (False, 0.5)):
                p50, p99 = best[durable]
                name = "synchronous (durable)" if durable else "without synchronous write"
                print(f"{name:<26}{p50:>10.3f}{p99:>10.3f}{target:>12.1f}{17 / p99:>9.1f}x")
            flush = disk_flush(folder)
            print(f"(one fdatasync on this disk, the floor of a durable commit: p50 {flush[0]:.3f} ms, "
                  f"p99 {flush[1]:.3f} ms)")
            marks, trades, size, restart = memory(url, folder, args.bars)
            print(f"\nmemory, a paper session over {args.bars:,} bars ({trades} trades, journal {size / 1e6:.1f} MB):")
            print("  " + ", ".join(f"{k:,} bars {mb:.1f} MB" for k, mb in marks))
            from cracktrader.live.config import KEEP_BARS

            full = next(((k, mb) for k, mb in marks if k >= KEEP_BARS * 5 // 4), marks[-1])  # the window is full
            print(f"  start {marks[0][1]:.1f} MB -> end {marks[-1][1]:.1f} MB RSS "
                  f"({marks[-1][1] - marks[0][1]:+.1f} MB; the engine keeps the last {KEEP_BARS:,} bars (keep_bars) "
                  f"and the orders of those: from {full[0]:,} bars on, once they are held, "
                  f"{marks[-1][1] - full[1]:+.1f} MB)")
            print(f"  a restart replays the whole journal: {restart:.1f} s")
            peaks = [restart_peak(url, path) for path in (folder / "memory.journal", short_journal(url, folder / "short"))]
            print(f"  a restart's peak allocation above what it then holds: {peaks[0]:.1f} MB (restarting a 1,000-bar "
                  f"journal: {peaks[1]:.1f} MB)")
            print(f"(load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: the machine may be shared)")
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()

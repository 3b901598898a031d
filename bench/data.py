"""Historical data: CSV import and cache reads against pandas and bare pyarrow, and the peak
memory of streaming, on 1M and 5M one-minute candles (deterministic, generated here).

- import: `cracktrader data import` (read + validate + write to the cache) vs
  `pandas.read_csv` of the same file, in this process and as whole processes (start-up and
  imports included: the command a user runs vs `python -c "pandas.read_csv(...)"`);
- range load: the whole range from the cache as Candles (array columns, what the engine gets)
  and as an Arrow table, vs a bare `pyarrow.parquet.read_table` of the same partition files;
- peak memory (5M, each operation in a fresh process): import vs pandas.read_csv, range load vs
  bare pyarrow, and streaming the candles chunk by chunk as a backtest input.

Times are the best of several runs. The machine may be shared: the report ends with how busy
its CPUs were with other work during the run. usage: python bench/data.py [--sizes 1000000,5000000]
"""

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from cracktrader.data import Cache, import_file, read_file

ID = "binance.BTC-USDT.1m"
START = 1_500_000_000_000 // 60_000 * 60_000


def generate(n, path):
    """n one-minute candles, a seeded random walk, written as CSV (ms times, 2-decimal prices)."""
    rng = np.random.default_rng(42)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.001, n))), 2)
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.round(np.maximum(open_, close) + rng.random(n) * 0.05, 2)
    low = np.round(np.minimum(open_, close) - rng.random(n) * 0.05, 2)
    volume = np.round(rng.random(n) * 10, 4)
    time_ = START + np.arange(n, dtype=np.int64) * 60_000
    pcsv.write_csv(pa.table(dict(time=time_, open=open_, high=high, low=low, close=close, volume=volume)), path)


def interleaved(runs, before=None, **fns):
    """The best time of each function, calling them in turn each round (a noisy, shared
    machine slows the peer and ours alike, rather than one of them); `before()`, untimed,
    before each call."""
    times = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            if before:
                before()
            gc.collect()
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: min(ts) for name, ts in times.items()}


# Peak RSS is VmHWM of /proc/self/status (ru_maxrss would carry the benchmark's own peak over
# through fork and exec), measured in a fresh process per operation, above the RSS the
# interpreter has once the libraries are imported.
PEAK = """
import sys
import pandas, pyarrow.parquet as pq
from cracktrader.data import Cache, import_file
def status_mb(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key)) / 1e3
mode, path = sys.argv[1], sys.argv[2]
baseline = status_mb("VmRSS:")
ID = "binance.BTC-USDT.1m"
if mode == "stream":
    rows = sum(len(c) for c in Cache(path).stream_candles(ID))
elif mode == "candles":
    rows = len(Cache(path).read(ID))
elif mode == "bare":
    cache = Cache(path)
    m = cache.manifest(ID)
    rows = pq.read_table([str(cache.path(ID) / p.file) for p in m.partitions.values()]).num_rows
elif mode == "pandas":
    rows = len(pandas.read_csv(path))
else:
    rows = import_file(path, cache=sys.argv[3], exchange="binance", symbol="BTC/USDT").rows
print(rows, round(status_mb("VmHWM:") - baseline, 1), round(baseline, 1))
"""


def whole_processes(csv_path, root, runs):
    """The best times of `cracktrader data import` as a user runs it, into an empty cache, and
    of a Python process reading the same file with pandas.read_csv."""
    cli = Path(sys.executable).with_name("cracktrader")
    ours = [str(cli)] if cli.exists() else [sys.executable, "-m", "cracktrader.host.cli"]
    ours += ["data", "import", str(csv_path), "--exchange", "binance", "--symbol", "BTC/USDT", "--cache-dir", str(root)]
    peer = [sys.executable, "-c", "import sys, pandas; pandas.read_csv(sys.argv[1])", str(csv_path)]
    return interleaved(runs, before=lambda: shutil.rmtree(root, ignore_errors=True),
                       **{"process: pandas.read_csv": lambda: subprocess.run(peer, check=True),
                          "process: data import (ours)": lambda: subprocess.run(ours, check=True, stdout=subprocess.DEVNULL)})


def peak_memory(mode, *paths):
    """(rows, peak MB above baseline, baseline MB) of one operation in a fresh process."""
    out = subprocess.run([sys.executable, "-c", PEAK, mode, *map(str, paths)], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def cpu_seconds():
    """(seconds of CPU busy machine-wide, seconds used by this process and its children), or
    None where /proc/stat is missing: what others ran meanwhile is the difference."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    except (OSError, ValueError):
        return None
    t = os.times()
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK"), t.user + t.system + t.children_user + t.children_system


def run(sizes, runs):
    tmp = Path(tempfile.mkdtemp(prefix="ct-bench-data-"))
    results = {}
    start, began = cpu_seconds(), time.perf_counter()
    try:
        for n in sizes:
            csv_path = tmp / f"candles-{n}.csv"
            generate(n, csv_path)
            r = results[n] = {"csv MB": csv_path.stat().st_size / 1e6}
            k = runs if n <= 1_000_000 else max(3, runs - 2)
            roots = []

            def import_fresh():
                roots.append(tmp / f"cache-{n}-{len(roots)}")
                import_file(csv_path, cache=roots[-1], exchange="binance", symbol="BTC/USDT")

            r.update(interleaved(k, **{"pandas.read_csv": lambda: pd.read_csv(csv_path),
                                       "read + validate (ours)": lambda: read_file(csv_path, copy=False),
                                       "import (ours)": import_fresh}))
            root = roots[-1]
            for extra in roots[:-1]:
                shutil.rmtree(extra)
            r.update(whole_processes(csv_path, tmp / "cache-process", k))
            cache = Cache(root)
            m = cache.manifest(ID)
            files = [str(cache.path(ID) / m.partitions[key].file) for key in sorted(m.partitions)]
            r["cache MB"] = m.bytes / 1e6
            r["partitions"] = len(files)
            # Reads take a tenth of an import: more rounds, so a busy moment on a shared machine
            # weighs less on their best time.
            r.update(interleaved(2 * runs, **{"pyarrow read_table": lambda: pq.read_table(files),
                                       "range -> Arrow (ours)": lambda: cache.read_table(ID),
                                       "range -> Candles (ours)": lambda: cache.read(ID)}))
            if n == max(sizes):
                for key, args in (("stream peak MB", ("stream", root)), ("candles peak MB", ("candles", root)),
                                  ("bare peak MB", ("bare", root)), ("pandas peak MB", ("pandas", csv_path)),
                                  ("import peak MB", ("import", csv_path, tmp / "cache-peak"))):
                    rows, r[key], r["baseline MB"] = peak_memory(*args)
                    assert rows == n, (key, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    end = cpu_seconds()
    if start and end:
        results["other load"] = ((end[0] - start[0]) - (end[1] - start[1])) / (time.perf_counter() - began)
    return results


def report(results):
    other = results.pop("other load", None)
    sizes = list(results)
    head = f"{'':38s}" + "".join(f"{n / 1e6:>12.0f}M" for n in sizes)
    print(head)

    def line(label, key, fmt="{:>12.3f} s", ratio_to=None):
        cells = []
        for n in sizes:
            v = results[n].get(key)
            if v is None:
                cells.append(f"{'':>13s}")
                continue
            cell = fmt.format(v)
            if ratio_to:
                cell += f" ({v / results[n][ratio_to]:.2f}x)"
            cells.append(f"{cell:>13s}" if not ratio_to else f" {cell}")
        print(f"{label:38s}" + "".join(cells))

    line("CSV file size", "csv MB", "{:>10.1f} MB")
    line("pandas.read_csv", "pandas.read_csv")
    line("read + validate (ours) vs pandas", "read + validate (ours)", "{:.3f} s", "pandas.read_csv")
    line("import: read+validate+write vs pandas", "import (ours)", "{:.3f} s", "pandas.read_csv")
    line("process: python -c pandas.read_csv", "process: pandas.read_csv")
    line("process: cracktrader data import vs it", "process: data import (ours)", "{:.3f} s", "process: pandas.read_csv")
    line("cache size on disk", "cache MB", "{:>10.1f} MB")
    line("partition files", "partitions", "{:>12d}")
    line("bare pyarrow read_table (same files)", "pyarrow read_table")
    line("range -> Arrow table vs bare pyarrow", "range -> Arrow (ours)", "{:.3f} s", "pyarrow read_table")
    line("range -> Candles vs bare pyarrow", "range -> Candles (ours)", "{:.3f} s", "pyarrow read_table")
    print("peak RSS above the interpreter's baseline:")
    line("  pandas.read_csv", "pandas peak MB", "{:>10.1f} MB")
    line("  import (ours)", "import peak MB", "{:>10.1f} MB")
    line("  bare pyarrow read_table", "bare peak MB", "{:>10.1f} MB")
    line("  range -> Candles (ours)", "candles peak MB", "{:>10.1f} MB")
    line("  streaming Candles chunks (ours)", "stream peak MB", "{:>10.1f} MB")
    line("  (baseline: Python + pandas + pyarrow)", "baseline MB", "{:>10.1f} MB")
    big = results[sizes[-1]]
    print()
    print(f"targets at {sizes[-1] / 1e6:.0f}M: range from the cache < 0.5 s: {big['range -> Candles (ours)']:.3f} s; "
          f"within 1.3x of bare pyarrow: {big['range -> Candles (ours)'] / big['pyarrow read_table']:.2f}x (Candles), "
          f"{big['range -> Arrow (ours)'] / big['pyarrow read_table']:.2f}x (Arrow); "
          f"import no slower than pandas.read_csv: {big['import (ours)'] / big['pandas.read_csv']:.2f}x "
          f"(whole processes: {big['process: data import (ours)'] / big['process: pandas.read_csv']:.2f}x); "
          f"streaming peak < 100 MB: {big.get('stream peak MB', float('nan')):.1f} MB")
    if other is not None:
        print(f"other work on this machine during the run: {max(0.0, other):.1f} of {os.cpu_count()} CPUs busy on average")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report(run([int(s) for s in args.sizes.split(",")], args.runs))

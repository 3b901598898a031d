"""ct.optimize: the table equals backtests run by hand, on every executor; methods, objectives,
constraints, the guard, failures, the kernel memo, resume after an interruption."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

import cracktrader as ct
from cracktrader.optimize.executors import MappedCandles
from cracktrader.optimize.journal import NAME as JOURNAL
from support.optimize import (SMA_SOURCE, Direction, EventSignalSmaCross, Fragile, Killer, SignalSmaCross, SmaCross,
                              candles, table)

SPACE = dict(fast=[5, 10, 15], slow=[20, 40])
SETTINGS = dict(cash=5_000, commission=0.001)


@pytest.fixture(scope="module")
def data():
    return candles(2500)


@pytest.fixture(scope="module")
def grid(data):
    return ct.optimize(SmaCross, data, space=SPACE, jobs=1, **SETTINGS)


def test_grid_equals_each_backtest_by_hand(grid, data):
    assert [r["params"] for r in grid.trials] == [dict(fast=f, slow=s) for f in (5, 10, 15) for s in (20, 40)]
    for record in grid.trials:
        by_hand = ct.backtest(SmaCross, data, params=record["params"], **SETTINGS).stats
        assert record["stats"] == {k: v for k, v in by_hand.items() if k != "annualization"}
        assert record["objective"] == [by_hand["sharpe"]] and record["engine"] == "event"
    best = max(grid.trials, key=lambda r: r["stats"]["sharpe"])
    assert grid.best is best and grid.best_params == best["params"]


def test_the_local_pool_and_any_executor_give_the_same_table(grid, data):
    pooled = ct.optimize(SmaCross, data, space=SPACE, jobs=2, **SETTINGS)
    with ThreadPoolExecutor(2) as pool:
        threaded = ct.optimize(SmaCross, data, space=SPACE, executor=pool, **SETTINGS)
    assert table(pooled) == table(grid) == table(threaded)
    assert pooled.executor == "local pool" and pooled.overfitting == grid.overfitting


def test_a_signal_strategy_is_swept_on_the_vectorized_kernel_with_the_event_engines_table(grid, data):
    fast = ct.optimize(SignalSmaCross, data, space=SPACE, jobs=1, **SETTINGS)
    assert fast.engines == ["vectorized"] and {row["engine"] for row in fast.table()} == {"vectorized"}
    event = ct.optimize(EventSignalSmaCross, data, space=SPACE, jobs=1, **SETTINGS)
    assert event.engines == ["event"]
    pooled = ct.optimize(SignalSmaCross, data, space=SPACE, jobs=2, **SETTINGS)
    # the same trades as SmaCross's next(): the same table as the event engine's, on any executor
    same = [{k: v for k, v in row.items() if k != "engine"} for row in table(grid)]
    for result in (fast, event, pooled):
        assert [{k: v for k, v in row.items() if k != "engine"} for row in table(result)] == same
    assert fast.overfitting == grid.overfitting
    assert [t.to_dict() for t in fast.best_result().trades] == [t.to_dict() for t in grid.best_result().trades]


def test_a_walk_forward_test_window_runs_on_the_event_engine_and_says_so(data):
    from cracktrader.optimize.trial import Job, run_trial

    job = Job(SignalSmaCross, [data], SETTINGS)
    whole, window = run_trial(job, dict(fast=5, slow=20)), run_trial(job, dict(fast=5, slow=20), (data.time[1000], None))
    assert (whole["engine"], window["engine"]) == ("vectorized", "event")
    by_hand = ct.backtest(SignalSmaCross, data, params=dict(fast=5, slow=20), start=data.time[1000], **SETTINGS).stats
    assert window["stats"] == {k: v for k, v in by_hand.items() if k != "annualization"}


def test_a_strategy_from_source_runs_in_the_pool(data):
    cls = ct.strategy_from_source(SMA_SOURCE)
    result = ct.optimize(cls, data, space=SPACE, jobs=2, **SETTINGS)
    assert [r["stats"] for r in result.trials] == [r["stats"] for r in ct.optimize(SmaCross, data, space=SPACE, jobs=1,
                                                                                   **SETTINGS).trials]


def test_random_and_tpe_are_reproducible_on_any_executor(data):
    space = dict(fast=range(3, 30), slow=range(20, 80, 5))
    a = ct.optimize(SmaCross, data, space=space, method="random", max_trials=12, seed=3, jobs=1)
    b = ct.optimize(SmaCross, data, space=space, method="random", max_trials=12, seed=3, jobs=2)
    assert table(a) == table(b) and len({tuple(r["params"].values()) for r in a.trials}) == 12
    c = ct.optimize(SmaCross, data, space=space, method="tpe", max_trials=14, seed=3, batch=4, jobs=1)
    d = ct.optimize(SmaCross, data, space=space, method="tpe", max_trials=14, seed=3, batch=4, jobs=2)
    assert table(c) == table(d) and len(c.trials) == 14


def test_cmaes_runs_and_refuses_several_objectives(data):
    result = ct.optimize(SmaCross, data, space=dict(fast=(3, 30), slow=(20, 80)), method="cmaes", max_trials=6, jobs=1)
    assert len(result.trials) == 6 and all(isinstance(r["params"]["fast"], int) for r in result.trials)
    with pytest.raises(ValueError, match="cmaes.*one objective"):
        ct.optimize(SmaCross, data, space=SPACE, method="cmaes", objective=["sharpe", "-max_drawdown"], jobs=1)


def test_objectives_minimize_functions_and_pareto(grid, data):
    low = ct.optimize(SmaCross, data, space=SPACE, objective="max_drawdown", jobs=1, **SETTINGS)
    assert low.best["stats"]["max_drawdown"] == min(r["stats"]["max_drawdown"] for r in grid.trials)
    fn = ct.optimize(SmaCross, data, space=SPACE, objective=lambda result: -len(result.trades), jobs=1, **SETTINGS)
    assert fn.best["stats"]["trades"] == min(r["stats"]["trades"] for r in grid.trials)
    multi = ct.optimize(SmaCross, data, space=SPACE, objective=["total_return", "-max_drawdown"], jobs=1, **SETTINGS)
    points = [(r["stats"]["total_return"], -r["stats"]["max_drawdown"]) for r in grid.trials]
    front = [k for k, p in enumerate(points) if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for q in points)]
    assert [r["trial"] for r in multi.pareto] == front and multi.best is None


def test_constraint_guard_and_a_failing_trial_are_recorded(data):
    result = ct.optimize(Fragile, data, space=dict(fast=[5, 15, 25], slow=[10, 20, 40]),
                         constraint=lambda p: p["fast"] < p["slow"], min_trades=40, jobs=1)
    assert [(r["params"]["fast"], r["params"]["slow"]) for r in result.trials] == [(5, 10), (5, 20), (5, 40), (15, 20),
                                                                                   (15, 40), (25, 40)]
    failed = [r for r in result.trials if r["status"] == "failed"]
    assert [r["params"]["fast"] for r in failed] == [15, 15] and "fast=15 breaks me" in failed[0]["reason"]
    few = [r for r in result.trials if r["status"] == "too_few_trades"]
    assert few and all(r["stats"]["trades"] < 40 and "min_trades 40" in r["reason"] for r in few)
    assert result.best is None or result.best["status"] == "ok"


def test_a_worker_that_dies_fails_its_trial_and_the_search_goes_on(data):
    import os

    result = ct.optimize(Killer, data, space=dict(fast=[5, 10, 15, 20], slow=[30, 40]), params=dict(parent=os.getpid()),
                         jobs=2)
    assert len(result.trials) == 8
    for r in result.trials:
        if r["params"]["fast"] == 15:
            assert r["status"] == "failed" and "the worker running it died" in r["reason"]
        else:
            by_hand = ct.backtest(SmaCross, data, params=r["params"]).stats
            assert r["status"] == "ok" and r["stats"] == {k: v for k, v in by_hand.items() if k != "annualization"}


@pytest.mark.parametrize("kwargs,message", [
    (dict(space={}), "empty search space"),
    (dict(space=dict(fsat=[1, 2])), "has no parameter 'fsat'"),
    (dict(space=SPACE, constraint=lambda p: False), "constraint rejects all 6 points"),
    (dict(space=SPACE, method="random", constraint=lambda p: False), "constraint rejects every point"),
    (dict(space=dict(fast=(2.0, 9.0), slow=[20])), "grid search needs values or a step for fast"),
    (dict(space=SPACE, max_trials=3), "grid has 6 points, more than max_trials=3"),
    (dict(space=SPACE, objective="sharp"), None),
    (dict(space=SPACE, method="annealing"), "method must be one of"),
    (dict(space=SPACE, params=dict(fast=3)), "both searched"),
])
def test_bad_input_is_a_clear_error(data, kwargs, message):
    if message is None:  # an unknown statistic: each trial fails saying so, the search goes on
        result = ct.optimize(SmaCross, data, jobs=1, **kwargs)
        assert all(r["status"] == "failed" and "'sharp' is not a statistic" in r["reason"] for r in result.trials)
        return
    with pytest.raises(ValueError, match=message):
        ct.optimize(SmaCross, data, jobs=1, **kwargs)


def test_the_strategys_own_space_and_fixed_params(data):
    class Spaced(SmaCross):
        space = dict(fast=[5, 10])

    result = ct.optimize(Spaced, data, params=dict(slow=50), jobs=1)
    assert [r["params"] for r in result.trials] == [dict(fast=5), dict(fast=10)]
    assert result.trials[0]["stats"]["sharpe"] == ct.backtest(SmaCross, data, params=dict(fast=5, slow=50)).stats["sharpe"]
    assert result.best_params["slow"] == 50


def test_kernel_results_are_kept_for_values_already_seen(data):
    from cracktrader.optimize.trial import Job, run_trial

    job = Job(SmaCross, [data], {}, "sharpe")
    records = [run_trial(job, dict(fast=f, slow=s)) for f in (5, 10) for s in (20, 40)]
    assert (job.memo.misses, job.memo.hits) == (4, 4)  # SMA 5, 10, 20, 40 computed once each
    assert [r["stats"] for r in records] == [
        {k: v for k, v in ct.backtest(SmaCross, data, params=dict(fast=f, slow=s)).stats.items() if k != "annualization"}
        for f in (5, 10) for s in (20, 40)]


def test_mapped_candles_are_the_same_values(data):
    mapped = MappedCandles([data])
    try:
        (view,) = mapped.open()
        assert all(list(getattr(view, n)) == list(getattr(data, n)) for n in ("time", "open", "high", "low", "close", "volume"))
        assert isinstance(view.close, memoryview) and view.timeframe == data.timeframe
    finally:
        mapped.remove()


def test_an_interrupted_search_resumes_where_it_stopped(data, tmp_path):
    space = dict(fast=[4, 6, 8, 10], slow=[20, 30, 40])
    full = ct.optimize(SmaCross, data, space=space, jobs=1, blocks=8)

    def stop_after_five(done, total, records):
        if done == 5:
            raise KeyboardInterrupt

    part = ct.optimize(SmaCross, data, space=space, jobs=1, out=tmp_path, progress=stop_after_five, blocks=8)
    assert part.interrupted and len(part.trials) == 5
    assert len((tmp_path / JOURNAL).read_text().splitlines()) == 1 + 5
    seen = []
    rest = ct.optimize(SmaCross, data, space=space, jobs=1, out=tmp_path, progress=lambda d, t, r: seen.append(d), blocks=8)
    assert not rest.interrupted and seen == list(range(6, 13))  # only the seven missing trials ran
    assert table(rest) == table(full)
    assert json.loads((tmp_path / "results.json").read_text())["best_params"] == full.best_params
    with pytest.raises(ValueError, match="holds another search"):
        ct.optimize(SmaCross, data, space=dict(fast=[4]), jobs=1, out=tmp_path, blocks=8)


def test_an_interrupted_tpe_search_resumes_from_its_sqlite_study(data, tmp_path):
    space = dict(fast=range(3, 30), slow=range(20, 80, 5))

    def stop(done, total, records):
        if done == 6:
            raise KeyboardInterrupt

    part = ct.optimize(SmaCross, data, space=space, method="tpe", max_trials=12, batch=4, jobs=1, out=tmp_path,
                       progress=stop)
    assert part.interrupted and len(part.trials) == 6 and (tmp_path / "study.db").exists()
    rest = ct.optimize(SmaCross, data, space=space, method="tpe", max_trials=12, batch=4, jobs=1, out=tmp_path)
    assert [r["trial"] for r in rest.trials] == list(range(12))
    assert [r["params"] for r in rest.trials[:6]] == [r["params"] for r in part.trials]
    import optuna

    study = optuna.load_study(study_name="cracktrader", storage=f"sqlite:///{tmp_path / 'study.db'}")
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert sorted(t.user_attrs["cracktrader_index"] for t in complete) == [r["trial"] for r in rest.trials if r["status"] == "ok"]


def test_report_files(grid, tmp_path):
    paths = grid.write(tmp_path)
    assert {p.name for p in paths.values()} >= {"results.json", "trials.csv", "report.html", "heatmap.png", "equity.png"}
    page = (tmp_path / "report.html").read_text()
    assert "PBO" in page and "heatmap.png" in page and f"trial {grid.best['trial']}" in page
    assert (tmp_path / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (tmp_path / "trials.csv").read_text().splitlines()
    assert len(rows) == 1 + len(grid.trials) and rows[0].startswith("trial,fast,slow,status,objective")


def test_direction_strategy_runs(data):
    result = ct.optimize(Direction, data, space=dict(side=[-1, 1]), jobs=1, objective="total_return")
    assert {r["params"]["side"] for r in result.trials} == {-1, 1}


def test_trials_in_threads_leave_no_memo_behind():
    """Two threads' trials overlapping (a thread pool running two searches): each memo stays in
    its thread, and none is left installed after them to answer a later backtest on other data."""
    import threading

    from cracktrader import synthetic
    import cracktrader.kernels as k
    from cracktrader.optimize.memo import KernelMemo, installed

    class Uses(ct.Strategy):
        def init(self):
            self.sma = ct.ind.SMA(self.data.close, 5)

    first, second = synthetic.ohlcv(60, seed=1), synthetic.ohlcv(60, seed=2)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with installed(KernelMemo()):
            ct.Engine(Uses, first)
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def b():
        a_in.wait(10)
        with installed(KernelMemo()):
            b_in.set()
            a_out.wait(10)

    threads = [threading.Thread(target=f) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ct.Engine(Uses, second).strategy.sma.values.tobytes() == k.sma(second.close, 5).tobytes()

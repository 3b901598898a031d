"""The live chart's indicator lines: journaled at each start and after each bar, they are the
lines a backtest of the same bars draws, also across a restart."""

import math

import cracktrader as ct
from cracktrader.live import read_bars, read_events
from cracktrader.live.chart import merge
from cracktrader.runner import overlays
from support.live import config, drive, journal_candles, session, sim_fixture
from support.live_strategies import Cross


sim = sim_fixture()


def test_the_lines_are_the_backtests_across_a_restart(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper", params=dict(fast=3, slow=8))
    journal = tmp_path / "s.journal"
    s = session(cfg, journal)
    drive(sim, [s], 6)
    s.close()
    s = session(cfg, journal)  # resumed: its start writes the lines over the bars it holds again
    drive(sim, [s], 4, first=7)
    s.close()

    times = [row[0] for row in read_bars(journal)]
    got = merge([e["data"] for e in read_events(journal, kinds=["lines"])], times)
    engine = ct.Engine(Cross, journal_candles(journal), params=dict(fast=3, slow=8))
    engine.run()
    want = overlays(engine)
    assert len(times) == 30 + 10 and [(o["name"], o["pane"]) for o in got] == [(n, p) for n, p, _ in want]
    for line, (_, _, values) in zip(got, want):
        expect = [None if math.isnan(v) else v for v in values]
        assert line["values"] == expect  # every bar: warm-up, before and after the restart
        assert sum(v is not None for v in expect) >= 30

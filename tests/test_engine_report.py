"""What a run reports beyond the fills: per-trade detail (bars, duration, return, MAE/MFE,
entry and exit reasons), the open position at the end, the trades summary, the buy-and-hold
benchmark with alpha and beta, the log of what the strategy printed, where a strategy failed,
stop() at the end, and the warm-up from history before a run's start."""

import json
import statistics

import pytest

import cracktrader as ct
from cracktrader import kernels, log, markets, runner, stats, synthetic
from cracktrader.candles import to_array
from cracktrader.examples import source as example
from support.engine import MINUTE, T0, candles, run

FLAT = (100, 100, 100, 100)
DAY = 86_400_000


def trade_dicts(result):
    return json.loads(result.to_json())["trades"]


@pytest.mark.parametrize("action, rows, reason, price", [
    (lambda s: s.buy(size=1, stop_loss=98, take_profit=104), [(100, 101, 97, 98)], "stop_loss", 98),
    (lambda s: s.buy(size=1, stop_loss=98, take_profit=104), [(100, 105, 99, 104)], "take_profit", 104),
    (lambda s: (s.buy(size=1), s.sell(size=1, trail=2)), [(100, 103, 99.5, 102.5), (102, 102, 100, 100)], "trailing", 101),
])
def test_a_trade_says_why_it_ended(action, rows, reason, price):
    result, _ = run([FLAT, FLAT, *rows], {0: action}, intrabar="adverse")
    trade = trade_dicts(result)[0]
    assert (trade["entry_reason"], trade["exit_reason"], trade["exit_price"]) == ("signal", reason, price)


def test_trade_detail_long_and_short_by_hand():
    rows = [FLAT, (100, 103, 98, 101), (101, 106, 100, 105), (104, 104, 104, 104), (104, 104, 104, 104),
            (104, 108, 96, 100), (99, 99, 99, 99)]
    plan = {0: lambda s: s.buy(size=2), 2: lambda s: s.close(), 3: lambda s: s.sell(size=1), 5: lambda s: s.close()}
    result, _ = run(rows, plan)
    long, short = trade_dicts(result)
    # long: in at bar 1's open (100), out at bar 3's open (104); it saw bars 1-2 (low 98, high 106) and 104
    assert long == {**long, "bars": 2, "duration_ms": 2 * MINUTE, "mae": -4.0, "mfe": 12.0, "return": 8 / 200,
                    "entry_reason": "signal", "exit_reason": "signal"}
    # short: in at bar 4's open (104), out at bar 6's open (99); it saw bars 4-5 (high 108, low 96) and 99
    assert short == {**short, "bars": 2, "mae": -4.0, "mfe": 8.0, "return": 5 / 104}


def test_the_open_position_at_the_end_is_reported_marked_at_the_last_close():
    rows = [FLAT, (100, 102, 95, 101), (101, 110, 100, 107)]
    result, _ = run(rows, {0: lambda s: s.buy(size=2)}, commission=0.001)
    doc = json.loads(result.to_json())
    assert doc["trades"] == [] and doc["stats"]["open_trades"] == 1
    (trade,) = doc["open_trades"]
    fee = 0.001 * 200
    assert trade == {
        "entry_time": T0 + MINUTE, "exit_time": None, "side": "long", "size": 2.0, "entry_price": 100.0,
        "exit_price": None, "pnl": 2 * 7 - fee, "commission": fee, "bars": 2, "duration_ms": 2 * MINUTE,
        "return": (14 - fee) / 200, "mae": -10.0, "mfe": 20.0, "entry_reason": "signal", "exit_reason": None,
        "mark_price": 107.0}
    assert doc["final_value"] == 10_000 - fee + 2 * 7


def test_summary_splits_long_and_short_and_returns_by_month():
    n = 24 * 75  # hourly bars from 2023-01-01 over 75 days: January, February, half of March
    data = synthetic.ohlcv(n, seed=2, start=100.0)
    data = ct.Candles(to_array([1_672_531_200_000 + k * 3_600_000 for k in range(n)], "q"),
                      data.open, data.high, data.low, data.close, data.volume, timeframe="1h")

    class Flip(ct.Strategy):
        def next(self):
            if len(self.data) % 50 == 0:
                self.close()
            elif len(self.data) % 50 == 25:
                (self.buy if len(self.data) % 100 == 25 else self.sell)(size=1)

    result = ct.backtest(Flip, data, cash=1_000)
    summary = json.loads(result.to_json())["summary"]
    longs = [t.pnl for t in result.trades if t.side == "long"]
    shorts = [t.pnl for t in result.trades if t.side == "short"]
    assert longs and shorts and summary["long"]["trades"] == len(longs) and summary["short"]["trades"] == len(shorts)
    assert summary["long"]["pnl"] == pytest.approx(sum(longs)) and summary["short"]["best"] == max(shorts)
    assert summary["long"]["win_rate"] == sum(p > 0 for p in longs) / len(longs)
    months = summary["monthly"]
    assert [m["month"] for m in months] == ["2023-01", "2023-02", "2023-03"]
    jan, feb = 31 * 24 - 1, (31 + 28) * 24 - 1  # the last bar of each month
    eq = result.equity
    expected = [eq[jan] / 1_000 - 1, eq[feb] / eq[jan] - 1, eq[-1] / eq[feb] - 1]
    assert [m["return"] for m in months] == pytest.approx(expected, rel=1e-12)


def test_benchmark_alpha_and_beta_follow_their_definitions():
    data = synthetic.ohlcv(3000, seed=5)

    class Sometimes(ct.Strategy):
        def next(self):
            if len(self.data) % 200 == 1:
                self.buy()
            elif len(self.data) % 200 == 120:
                self.close()

    result = ct.backtest(Sometimes, data)
    s = result.stats
    close = list(data.close)
    eq = list(result.equity)
    r = [b / a - 1 for a, b in zip(eq, eq[1:])]
    m = [b / a - 1 for a, b in zip(close, close[1:])]
    beta = statistics.covariance(r, m) / statistics.variance(m)
    per_year = 365 * 24 * 60
    assert s["benchmark_return"] == pytest.approx(close[-1] / close[0] - 1, rel=1e-12)
    assert s["beta"] == pytest.approx(beta, rel=1e-9) and 0.2 < s["beta"] < 0.9
    assert s["alpha"] == pytest.approx((statistics.fmean(r) - beta * statistics.fmean(m)) * per_year, rel=1e-9)
    assert result.benchmark_equity()[-1] == pytest.approx(10_000 * close[-1] / close[0])
    flat = [100.0, 100.0, 100.0]
    assert stats.versus(flat, flat, 60_000) == {"benchmark_return": 0.0, "alpha": None, "beta": None}


def test_prints_and_log_lines_are_kept_with_their_bar():
    class Talk(ct.Strategy):
        def init(self):
            print("setting up")

        def next(self):
            if len(self.data) in (2, 4):
                print("bar", len(self.data), end="")
                print(" seen")
                self.log("close", self.data.close[0])

    result = ct.backtest(Talk, candles([FLAT, FLAT, (101, 101, 101, 101), FLAT]))
    assert result.log == [
        {"time": None, "bar": None, "text": "setting up"},
        {"time": T0 + MINUTE, "bar": 2, "text": "bar 2 seen"}, {"time": T0 + MINUTE, "bar": 2, "text": "close 100.0"},
        {"time": T0 + 3 * MINUTE, "bar": 4, "text": "bar 4 seen"}, {"time": T0 + 3 * MINUTE, "bar": 4, "text": "close 100.0"}]
    assert json.loads(result.to_json())["log"] == result.log


def test_the_log_keeps_its_first_lines_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(log, "LIMIT", 3)

    class Chatty(ct.Strategy):
        def next(self):
            print(len(self.data))

    entries = ct.backtest(Chatty, candles([FLAT] * 10)).log
    assert [e["text"] for e in entries] == ["1", "2", "3", "... 7 more lines not kept (the log keeps 3)"]


def test_a_runtime_error_shows_the_strategys_frames_and_the_bar():
    source = ("import cracktrader as ct\n\nclass S(ct.Strategy):\n    def next(self):\n"
              "        print('at', len(self.data))\n        self.decide(len(self.data))\n\n"
              "    def decide(self, n):\n        if n == 3:\n            return 1 / 0\n")
    with pytest.raises(ct.StrategyError) as e:
        runner.run_source(source, candles([FLAT] * 5))
    info = runner.describe_error(e.value)
    assert info["line"] == 10 and info["bar"] == 3 and info["time"] == T0 + 2 * MINUTE
    assert info["traceback"] == [{"line": 6, "function": "next", "code": "self.decide(len(self.data))"},
                                 {"line": 10, "function": "decide", "code": "return 1 / 0"}]
    assert [x["text"] for x in info["log"]] == ["at 1", "at 2", "at 3"]
    assert e.value.where() == "bar 3, 2023-11-14 22:16 UTC"


def test_stop_is_called_once_at_the_end_of_a_backtest():
    class Stops(ct.Strategy):
        calls = []

        def stop(self):
            Stops.calls.append((len(self.data), self.position.size))

    rows = [FLAT] * 4
    ct.backtest(Stops, candles(rows))
    assert Stops.calls == [(4, 0.0)]
    engine = ct.Engine(Stops, candles(rows))
    engine.run()
    assert len(Stops.calls) == 1  # a run fed bar by bar has no end until told
    engine.finish().finish()
    assert len(Stops.calls) == 2


def test_an_error_in_stop_names_its_line():
    source = "import cracktrader as ct\n\nclass S(ct.Strategy):\n    def stop(self):\n        raise RuntimeError('at the end')\n"
    with pytest.raises(ct.StrategyError, match="line 5: RuntimeError: at the end"):
        runner.run_source(source, candles([FLAT] * 3))


class Recorder(ct.Strategy):
    params = dict(n=5)

    def init(self):
        self.sma = ct.ind.EMA(self.data.close, self.p.n)
        self.seen = []

    def prenext(self):
        self.seen.append(("prenext", len(self.data)))

    def next(self):
        self.seen.append((len(self.data), self.sma[0]))
        if len(self.seen) == 1:
            self.buy(size=1)


def test_history_before_start_warms_the_indicators_up_and_is_not_traded():
    data = candles([(100 + k, 101 + k, 99 + k, 100.5 + k) for k in range(20)])
    start = data.time[8]
    engine = ct.Engine(Recorder, data, start=start)
    engine.run()
    s = engine.strategy
    full = kernels.ema(data.close, 5)
    assert s.seen[0] == (9, full[8]) and len(s.seen) == 12  # next() from the start's bar, no prenext
    result = engine.result()
    assert result.times[0] == start and len(result.equity) == 12 and result.equity[0] == 10_000
    assert result.trades == [] and result.open_trades[0].entry_time == data.time[9]
    assert result.stats["exposure"] == 11 / 12  # entered at the second bar of the run, held to its end
    assert result.to_dict()["open_trades"][0]["bars"] == 11


def test_a_range_runs_on_the_warm_up_history_it_needs():
    data = synthetic.ohlcv(3000, seed=8)
    source = "import cracktrader as ct\n\nclass S(ct.Strategy):\n    def init(self):\n        self.m = ct.ind.SMA(self.data.close, 40)\n" \
             "    def next(self):\n        if not self.position and self.data.close[0] > self.m[0]: self.buy()\n" \
             "        elif self.position and self.data.close[0] < self.m[0]: self.close()\n"
    since, until = data.time[1000], data.time[2000]
    assert runner.warmup_bars(source, ct.data.select(data, since=since, until=until)) == [39]
    view = runner.run_view(source, data, {"since": since, "until": until}).result()
    cut = ct.data.select(data, since=since - 39 * MINUTE, until=until)  # exactly the warm-up before
    expected = ct.backtest(ct.strategy_from_source(source), cut, start=since)
    assert view.to_json() == expected.to_json()
    assert view.times[0] == since and len(view.times) == 1000
    assert view.trades[0].entry_step - 39 < 3  # it trades from the first bars of the range
    assert runner.history_before(lambda a, b: ct.data.select(data, since=a, until=b), since, 39, "1m", data.time[0]).time[0] \
        == since - 39 * MINUTE


def test_an_empty_or_backwards_range_names_the_data_span():
    data = synthetic.ohlcv(3 * 1440, seed=8, start=100.0)
    src = "import cracktrader as ct\nclass S(ct.Strategy):\n    pass\n"
    with pytest.raises(ct.data.DataError, match=r"no candles from 2030-01-01 to the end: the data spans \d{4}-\d\d-\d\d to") as e:
        runner.run_view(src, data, {"since": 1_893_456_000_000})
    assert e.value.rule == "empty_range"
    with pytest.raises(ct.data.DataError, match="since .From. must be before until .To."):
        runner.run_view(src, data, {"since": data.time[100], "until": data.time[50]})


def test_saved_market_rules_and_intrabar_data_as_json_settings():
    data = synthetic.ohlcv(4000, seed=4, start=30_000.0)
    src = example("atr_bracket")
    engine = runner.run_view(src, data, {"timeframe": "15m"}, settings={"market_rules": "binance:BTC/USDT",
                                                                        "intrabar_data": True, "commission": 0.001})
    result = engine.result()
    assert result.trades and all(round(t.size / 0.00001, 6).is_integer() for t in result.trades)
    cls = ct.strategy_from_source(src)
    rules = markets.rules("binance:BTC/USDT")
    direct = ct.backtest(cls, ct.data.select(data, timeframe="15m"), market_rules=rules, intrabar_data=data, commission=0.001)
    assert result.to_json() == direct.to_json()
    with pytest.raises(ValueError, match="intrabar_data: these bars were not aggregated"):
        runner.run_view(src, data, {}, settings={"intrabar_data": True})
    with pytest.raises(ValueError, match="no saved market 'nope'"):
        runner.run_view(src, data, {}, settings={"market_rules": "nope"})


def test_a_result_pickles_with_its_feeds_lines_and_positions():
    """(Sweeps on other machines, caches.) Feeds, lines and positions have compiled bases on
    CPython whose members the default pickling would not see."""
    import pickle

    from cracktrader import synthetic
    from cracktrader.accounting import Position

    class Cross(ct.Strategy):
        def init(self):
            self.fast, self.slow = ct.ind.SMA(self.data.close, 5), ct.ind.SMA(self.data.close, 20)

        def next(self):
            if not self.position and self.fast[0] > self.slow[0]:
                self.buy(size=1)
            elif self.position and self.fast[0] < self.slow[0]:
                self.close()

    engine = ct.Engine(Cross, synthetic.ohlcv(500, seed=4, step=0.004), commission=0.001).run()
    result = engine.result()
    again = pickle.loads(pickle.dumps(result))
    assert again.to_json() == result.to_json() and len(result.trades) > 3
    feed = again.feeds[0]
    assert feed.i == 499 and feed.close[0] == result.feeds[0].close[0] and feed.close.clock is feed
    position = engine.broker.position()
    position.size, position.price = -2.0, 101.5
    copy = pickle.loads(pickle.dumps(position))
    assert isinstance(copy, Position) and (copy.size, copy.price, bool(copy)) == (-2.0, 101.5, True)

"""A strategy that raises: the error names the strategy's file and line, wherever it raised."""

import pytest

import cracktrader as ct
from support.engine import candles

ROWS = [(100.0, 100.0, 100.0, 100.0)] * 5


def line_of(fn, text):
    """The line number of `text` inside function `fn`'s source."""
    import inspect

    lines, first = inspect.getsourcelines(fn)
    return first + next(k for k, line in enumerate(lines) if text in line)


class RaisesInNext(ct.Strategy):
    def next(self):
        if len(self.data) == 3:
            {}["missing"]


class RaisesInInit(ct.Strategy):
    def init(self):
        self.x = int("seven")


class RaisesInNotify(ct.Strategy):
    def next(self):
        if len(self.data) == 1:
            self.buy(size=1)

    def notify_order(self, order):
        raise RuntimeError(f"order {order.id} {order.status}")


@pytest.mark.parametrize("cls, method, text, error", [
    (RaisesInNext, "next", '{}["missing"]', KeyError),
    (RaisesInInit, "init", 'int("seven")', ValueError),
    (RaisesInNotify, "notify_order", "raise RuntimeError", RuntimeError),
])
def test_strategy_errors_name_file_and_line(cls, method, text, error):
    with pytest.raises(ct.StrategyError) as e:
        ct.backtest(cls, candles(ROWS))
    assert e.value.file == __file__ and e.value.line == line_of(getattr(cls, method), text)
    assert isinstance(e.value.__cause__, error) and isinstance(e.value.error, error)
    assert str(e.value).startswith(f"{__file__}, line {e.value.line}: {error.__name__}")


def test_bad_options_are_clear_errors():
    data = candles(ROWS)
    for options, message in [
        (dict(cash=0), "cash must be a positive number"),
        (dict(commission=-0.1), "commission must be a finite number >= 0"),
        (dict(slippage="lots"), "slippage 'lots'"),
        (dict(intrabar="random"), "intrabar must be one of"),
        (dict(fill="mid"), "fill must be 'open' or 'close'"),
        (dict(sizing="all"), "sizing 'all'"),
        (dict(leverage=0), "leverage must be a positive number"),
        (dict(params=dict(nope=1)), "RaisesInNext has no parameter 'nope'"),
    ]:
        with pytest.raises(ValueError, match=message):
            ct.backtest(RaisesInNext, data, **options)
    with pytest.raises(TypeError, match="expected a ct.Strategy subclass"):
        ct.backtest(object, data)
    with pytest.raises(TypeError, match="expected Candles, a file path or a dataset id"):
        ct.backtest(RaisesInNext, [1, 2, 3])


def test_strategy_from_source_names_the_file_and_line_of_errors():
    source = "import cracktrader as ct\n\nclass S(ct.Strategy):\n    def next(self):\n        1 / 0\n"
    cls = ct.strategy_from_source(source, filename="mine.py")
    with pytest.raises(ct.StrategyError) as e:
        ct.backtest(cls, candles(ROWS))
    assert str(e.value) == "mine.py, line 5: ZeroDivisionError: division by zero"
    with pytest.raises(ct.StrategyError, match=r"^mine.py, line 1: NameError: name 'boom' is not defined$"):
        ct.strategy_from_source("boom()\n", filename="mine.py")
    with pytest.raises(ct.StrategyError, match=r"^mine.py, line 1: SyntaxError: "):
        ct.strategy_from_source("def (:\n", filename="mine.py")
    with pytest.raises(ValueError, match="defines 0 Strategy classes"):
        ct.strategy_from_source("x = 1\n")
    with pytest.raises(ValueError, match="has no Strategy class 'T'"):
        ct.strategy_from_source(source, name="T")

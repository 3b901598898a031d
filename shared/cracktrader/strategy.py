"""The Strategy API: subclass `ct.Strategy`, declare `params`, build indicators in `init()`,
trade in `next()`.

    class SmaCross(ct.Strategy):
        params = dict(fast=10, slow=30)

        def init(self):
            self.fast = ct.ind.SMA(self.data.close, self.p.fast)
            self.slow = ct.ind.SMA(self.data.close, self.p.slow)

        def next(self):
            if not self.position and self.fast[0] > self.slow[0]:
                self.buy()
            elif self.position and self.fast[0] < self.slow[0]:
                self.close()

`next()` runs once per bar from the first bar where every line built in `init()` has a value
(`prenext()` runs on the bars before). Orders placed in `next()` work from the next bar.
"""

import sys
from types import SimpleNamespace

from .orders import BUY, SELL


class Params(SimpleNamespace):
    """`self.p`: the strategy's parameters (class defaults, overridden per run)."""


def resolve_params(cls, overrides):
    """The class's params with `overrides` applied; unknown names are an error. Strings (from
    the command line) are converted to the default's type."""
    defaults = dict(getattr(cls, "params", None) or {})
    values = dict(defaults)
    for name, value in (overrides or {}).items():
        if name not in defaults:
            known = ", ".join(defaults) or "none"
            raise ValueError(f"{cls.__name__} has no parameter {name!r} (its parameters: {known})")
        values[name] = _convert(name, value, defaults[name])
    return Params(**values)


def _convert(name, value, default):
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    try:
        if isinstance(default, bool):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        return type(default)(value)
    except ValueError:
        raise ValueError(f"parameter {name}: cannot read {value!r} as {type(default).__name__}") from None


class Strategy:
    """Base class of strategies. The engine sets `data`, `datas`, `p`, `broker` and
    `position` before calling `init()`."""

    params = {}

    def init(self):
        """Build indicators here (computed once over the whole data)."""

    def prenext(self):
        """Called on the bars before every indicator has a value."""

    def next(self):
        """Called on every bar once the indicators have values: trade here."""

    def notify_order(self, order):
        """An order changed status: accepted, filled, canceled, rejected (see order.reason) or expired."""

    def notify_trade(self, trade):
        """A trade opened (trade.is_open) or closed."""

    def stop(self):
        """Called once at the end of the run (a backtest's last bar)."""

    def log(self, *args):
        """A line in the run's log, stamped with the bar's time (as print() is)."""
        print(*args)

    # --- reading the account ---------------------------------------------------------------
    @property
    def orders(self):
        """The open orders (working, or bracket exits waiting for their entry)."""
        return self.broker.open_orders

    def getposition(self, data=None):
        """The position in `data` (default: the first feed)."""
        return self.broker.position(data)

    # --- orders -----------------------------------------------------------------------------
    def buy(self, size=None, **kwargs):
        """Buy `size` units (or `cash=` quote currency, or `percent=` of equity; default: the
        run's sizing). `limit=`, `stop=`, both (stop-limit), `trail=`/`trail_percent=` choose the
        type; `stop_loss=`/`take_profit=` make it a bracket; `tif="IOC"`; `fill="close"`;
        `data=` the feed. Returns the Order."""
        return self._engine.place(BUY, size, **kwargs)

    def sell(self, size=None, **kwargs):
        """Sell (or go short): the same arguments as `buy`."""
        return self._engine.place(SELL, size, **kwargs)

    def close(self, data=None, **kwargs):
        """Close the position in `data` with a market order (None when flat)."""
        pos = self.broker.position(data)
        if not pos.size:
            return None
        side = SELL if pos.size > 0 else BUY
        return self._engine.place(side, abs(pos.size), data=data, reduce_only=True, **kwargs)

    def cancel(self, order):
        """Cancel a working order; False if it had already filled or ended."""
        return self.broker.cancel(order)


class StrategyError(Exception):
    """The strategy raised: names its file and line. The original error is `__cause__`.
    Raised while running: `frames` the strategy's own frames, outermost first, as (line,
    function, code); `bar` (1-based, in the run) and `time` (UTC ms) of the bar it failed on."""

    def __init__(self, file, line, error, frames=(), bar=None, time=None):
        self.file, self.line, self.error = file, line, error
        self.frames, self.bar, self.time = list(frames), bar, time
        self.log = []  # the run's log up to the error
        text = error.msg if isinstance(error, SyntaxError) else str(error)  # without "(file, line)"
        super().__init__(f"{file}, line {line}: {type(error).__name__}: {text}")

    def where(self):
        """"bar 50, 2023-01-03 01:00 UTC" (None outside the bars: in init)."""
        if self.bar is None:
            return None
        from time import gmtime, strftime

        return f"bar {self.bar:,}, {strftime('%Y-%m-%d %H:%M', gmtime(self.time // 1000))} UTC"


def _files(cls):
    """The files the strategy's own code comes from (not base classes the framework provides:
    those marked `framework = True` in their own body)."""
    own = [c for c in cls.__mro__ if c not in (Strategy, object) and not vars(c).get("framework")]
    files = {getattr(f, "__code__", None) and f.__code__.co_filename for c in own for f in vars(c).values()}
    files |= {getattr(sys.modules.get(c.__module__), "__file__", None) for c in own}
    files.discard(None)
    return files


def locate(error, cls):
    """(file, line) of the innermost frame of the traceback in the strategy's own code."""
    files = _files(cls)
    found, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def frames(error, cls):
    """The traceback's frames in the strategy's own files, outermost first: (line, function,
    code)."""
    import linecache

    files = _files(cls)
    out, tb = [], error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in files:
            out.append((tb.tb_lineno, code.co_name, linecache.getline(code.co_filename, tb.tb_lineno).strip()))
        tb = tb.tb_next
    return out


def strategies_from_source(source, filename="strategy.py"):
    """The Strategy classes defined by Python `source`, by name, in definition order. Errors
    while running the source are StrategyErrors naming `filename` and the line."""
    import linecache

    # Tracebacks quote the source's lines (it is no file on disk).
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = {"__name__": "cracktrader_strategy", "__file__": filename}
    try:
        exec(compile(source, filename, "exec"), module)
    except SyntaxError as e:
        raise StrategyError(filename, e.lineno, e) from None
    except Exception as e:
        line = next((tb.tb_lineno for tb in _frames(e) if tb.tb_frame.f_code.co_filename == filename), None)
        raise StrategyError(filename, line, e) from e
    found = {k: v for k, v in module.items()
             if isinstance(v, type) and issubclass(v, Strategy) and v.__module__ == "cracktrader_strategy"}
    for cls in found.values():
        cls.__cracktrader_source__ = (source, filename)  # to rebuild it in another process (sweeps)
    return found


def from_source(source, filename="strategy.py", name=None):
    """The Strategy class defined by Python `source` (its only one, or the one called `name`).
    Errors while running the source are StrategyErrors naming `filename` and the line."""
    found = strategies_from_source(source, filename)
    if name is not None:
        if name not in found:
            raise ValueError(f"{filename} has no Strategy class {name!r} (found: {', '.join(found) or 'none'})")
        return found[name]
    if len(found) != 1:
        raise ValueError(f"{filename} defines {len(found)} Strategy classes ({', '.join(found) or 'none'}): "
                         f"name the one to run")
    return next(iter(found.values()))


def _frames(error):
    """The traceback's entries, innermost first."""
    tb, out = error.__traceback__, []
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return reversed(out)


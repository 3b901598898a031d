"""Trading costs: commission (percent maker/taker, fixed per order) and slippage.

A limit fill (and a stop-limit's fill, which is a limit fill) pays the maker rate; market, stop
and trailing-stop fills pay the taker rate and suffer slippage. Slippage moves the fill price
against the order — by fixed basis points, or by a fraction of the bar's high-low range — and
never beyond the bar's range (no fill at a price that did not trade).
"""

import math


def _rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


class Commission:
    """Fees per fill: `size * rate * price + fixed`; rates are fractions (0.001 = 0.1%)."""

    __slots__ = ("maker", "taker", "fixed")

    def __init__(self, maker=0.0, taker=None, fixed=0.0):
        self.maker = _rate("commission maker", maker)
        self.taker = self.maker if taker is None else _rate("commission taker", taker)
        self.fixed = _rate("commission fixed", fixed)

    @classmethod
    def of(cls, value):
        """A Commission from a rate (both sides), or a Commission as is."""
        if isinstance(value, Commission):
            return value
        if value is None:
            return cls()
        return cls(_rate("commission", value))

    def fee(self, size, price, maker):
        # size * rate * price: the order backtrader uses, so oracle comparisons match to the bit
        return size * (self.maker if maker else self.taker) * price + self.fixed

    def to_dict(self):
        return {"maker": self.maker, "taker": self.taker, "fixed": self.fixed}


class Slippage:
    """Adverse price move for taker fills: `bps` basis points of the price, or `range` times
    the bar's high-low range (one of them), capped at the bar's high/low."""

    __slots__ = ("bps", "range")

    def __init__(self, bps=0.0, range=0.0):
        self.bps = _rate("slippage bps", bps)
        self.range = _rate("slippage range", range)
        if self.bps and self.range:
            raise ValueError("slippage: give bps or range, not both")

    @classmethod
    def of(cls, value):
        """A Slippage from basis points, a string ("5bps", "0.1range"), or a Slippage as is."""
        if isinstance(value, Slippage):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            text = value.strip().lower()
            try:
                return cls(bps=float(text))
            except ValueError:
                pass
            for suffix, key in (("bps", "bps"), ("range", "range")):
                if text.endswith(suffix):
                    try:
                        return cls(**{key: float(text[: -len(suffix)])})
                    except ValueError:
                        break
            raise ValueError(f"slippage {value!r}: expected basis points (e.g. 5 or '5bps') or a fraction of the bar's range (e.g. '0.1range')")
        return cls(bps=value)

    def __bool__(self):
        return bool(self.bps or self.range)

    def apply(self, price, buy, high, low):
        move = price * (self.bps / 10_000) if self.bps else (high - low) * self.range
        return min(price + move, high) if buy else max(price - move, low)

    def to_dict(self):
        return {"bps": self.bps, "range": self.range}

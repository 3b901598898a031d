"""The simulated spot exchange behind the signed endpoints: accounts, orders, a matching engine
over the bars the simulator serves, trades and fees. No HTTP here (binance.py speaks it).

Matching, on the bars of `interval_ms` (1m by default), on the simulator's clock:
- An order placed during a bar meets that bar's open at once: a market order fills there, a
  limit the open satisfies fills there (a gap), a stop the open is beyond triggers there.
- When a bar closes (the clock passes its end), every working order placed before it closed
  meets it: those placed before it opened first meet its open (the rest of a market order fills
  there), then its range: a buy limit fills at its price if the low reaches it (a sell: the
  high), a stop triggers if the range crosses its stop price and then fills as a limit.
- With `volume_share`, an order fills at most that share of a bar's volume per bar (whole
  steps of the market's LOT_SIZE, as every quantity here is an exact decimal), the rest keeps
  working (PARTIALLY_FILLED); it fills once per bar at most.
- Fees: `maker` on limit fills, `taker` on market fills, charged in the asset received (as
  Binance does without BNB) or, with `fee_asset="quote"`, in the quote asset (as the backtest
  counts them), computed as qty * rate * price.
These are the backtest's rules for one order at a time, so a strategy gives the same fills here
and in `ct.backtest` (the parity test). Orders match in placement order, independently.
"""

import re
import threading
from decimal import Decimal

from .market import period_start

CID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")
OPEN = ("NEW", "PARTIALLY_FILLED")
TRIGGERS = {("STOP_LOSS_LIMIT", "SELL"): -1, ("STOP_LOSS_LIMIT", "BUY"): 1,
            ("TAKE_PROFIT_LIMIT", "SELL"): 1, ("TAKE_PROFIT_LIMIT", "BUY"): -1}


class BinanceError(Exception):
    def __init__(self, code, msg, status=400):
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


def D(x):
    return Decimal(repr(float(x))) if not isinstance(x, (str, Decimal)) else Decimal(x)


def num(x):
    """A float as Binance sends numbers: a decimal string, exact (the float's shortest repr)."""
    return format(D(x), "f") if x == x else "0"


class Account:
    def __init__(self, key, secret, balances):
        self.key, self.secret = key, secret
        self.free = {a: D(v) for a, v in balances.items()}
        self.locked = {a: Decimal(0) for a in balances}

    def move(self, asset, free=0, locked=0):
        self.free[asset] = self.free.get(asset, Decimal(0)) + D(free)
        self.locked[asset] = self.locked.get(asset, Decimal(0)) + D(locked)

    def balances(self):
        return [{"asset": a, "free": format(self.free[a], "f"), "locked": format(self.locked.get(a, Decimal(0)), "f")}
                for a in sorted(self.free)]


class SimOrder:
    def __init__(self, id, cid, account, market, side, type, tif, qty, price, stop, placed_at):
        self.id, self.cid, self.account, self.market = id, cid, account, market
        self.side, self.type, self.tif, self.qty, self.price, self.stop = side, type, tif, qty, price, stop
        self.status, self.executed, self.quote = "NEW", Decimal(0), 0.0
        self.placed_at = self.updated = placed_at
        self.triggered = type not in ("STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
        self.last_bar = None  # open time of the bar it last filled on
        self.lock_asset, self.lock_left = None, Decimal(0)
        self.fills = []

    @property
    def buy(self):
        return self.side == "BUY"

    def to_json(self, full=False):
        out = {"symbol": self.market.id, "orderId": self.id, "orderListId": -1, "clientOrderId": self.cid,
               "price": num(self.price or 0), "origQty": num(self.qty), "executedQty": num(self.executed),
               "cummulativeQuoteQty": num(self.quote), "status": self.status, "timeInForce": self.tif,
               "type": self.type, "side": self.side, "stopPrice": num(self.stop or 0), "icebergQty": "0.00000000",
               "time": self.placed_at, "updateTime": self.updated, "isWorking": self.triggered,
               "workingTime": self.placed_at, "origQuoteOrderQty": "0.00000000", "selfTradePreventionMode": "EXPIRE_MAKER"}
        if full:
            out["transactTime"] = self.updated
            out["fills"] = [{"price": num(t["price"]), "qty": num(t["qty"]), "commission": num(t["commission"]),
                             "commissionAsset": t["commissionAsset"], "tradeId": t["id"]} for t in self.fills]
        return out


class Exchange:
    def __init__(self, data, clock, interval_ms=60_000, maker=0.001, taker=0.001, fee_asset="received",
                 volume_share=None):
        self.data, self.clock, self.interval = data, clock, interval_ms
        self.maker, self.taker, self.fee_asset, self.volume_share = maker, taker, fee_asset, volume_share
        self.lock = threading.RLock()
        self.accounts = {}
        self.orders = []  # by id - 1
        self.working = []  # orders that may still be open, in placement order
        self.by_cid = {}  # (account, client order id) -> its latest order
        self.trades = []
        self.next_bar = {}  # market id -> open time of the next bar to match

    def add_account(self, key, secret, balances):
        with self.lock:
            self.accounts[key] = Account(key, secret, balances)
            return self.accounts[key]

    # --- the clock moves: match every bar that closed --------------------------------------
    def sync(self):
        with self.lock:
            now = self.clock.now()
            for market in self.data.markets:
                t = self.next_bar.get(market.id)
                if t is None:
                    continue
                while t + self.interval <= now:
                    self._match_bar(market, t)
                    t += self.interval
                self.next_bar[market.id] = t

    def _working(self, market):
        self.working = [o for o in self.working if o.status in OPEN]
        return [o for o in self.working if o.market is market]

    def _match_bar(self, market, t):
        bar = self.data.bar_at(market, self.interval, t)
        if bar is None:
            return
        _, o, h, low, _, v = (x / 100 if k in (1, 2, 3, 4) else x for k, x in enumerate(bar))
        for order in self._working(market):
            if order.last_bar == t:
                continue
            if order.placed_at < t:  # it was there at the open
                if self._at_open(order, o, bar):
                    continue
            if not order.triggered and self._crossed(order, low, h):
                order.triggered = True
            if order.triggered and order.type != "MARKET":
                touched = low <= order.price if order.buy else h >= order.price
                if touched:
                    self._fill(order, order.price, bar, maker=True)

    def _at_open(self, order, open_, bar):
        """Meet the bar's open; True if the order filled there."""
        if not order.triggered and self._crossed(order, open_, open_):
            order.triggered = True
        if order.type == "MARKET":
            self._fill(order, open_, bar, maker=False)
            return True
        if order.triggered and (open_ <= order.price if order.buy else open_ >= order.price):
            self._fill(order, open_, bar, maker=True)
            return True
        return False

    @staticmethod
    def _crossed(order, low, high):
        direction = TRIGGERS[(order.type, order.side)]
        return high >= order.stop if direction > 0 else low <= order.stop

    def _fill(self, order, price, bar, maker):
        t, v = bar[0], bar[5] / 64
        exact = D(order.qty) - order.executed
        if self.volume_share is not None:
            step = Decimal(order.market.step)
            cap = D(self.volume_share * v) // step * step
            if cap <= 0:
                return
            exact = min(exact, cap)
        qty = float(exact)
        rate = self.maker if maker else self.taker
        base, quote = order.market.base, order.market.quote
        acct = self.accounts[order.account]
        cost = qty * price
        if self.fee_asset == "quote" or not order.buy:
            fee, fee_asset = qty * rate * price, quote
        else:
            fee, fee_asset = qty * rate, base
        if order.buy:
            spend = D(cost) + (D(fee) if fee_asset == quote else 0)
            if order.lock_asset is None and acct.free.get(quote, 0) < spend:
                order.status = "EXPIRED"  # a market order the account can no longer pay for
                return
            self._spend(acct, order, quote, spend)
            acct.move(base, free=exact - (D(fee) if fee_asset == base else 0))
        else:
            if order.lock_asset is None and acct.free.get(base, 0) < exact:
                order.status = "EXPIRED"
                return
            self._spend(acct, order, base, exact)
            acct.move(quote, free=D(cost) - D(fee))
        when = max(t, order.placed_at)
        trade = {"id": len(self.trades) + 1, "orderId": order.id, "account": order.account, "symbol": order.market.id,
                 "price": price, "qty": qty, "quoteQty": cost, "commission": fee, "commissionAsset": fee_asset,
                 "time": when, "isBuyer": order.buy, "isMaker": maker}
        self.trades.append(trade)
        order.fills.append(trade)
        order.executed += exact
        order.quote += cost
        order.last_bar, order.updated = t, when
        done = order.executed >= D(order.qty)
        order.status = "FILLED" if done else "PARTIALLY_FILLED"
        if done:
            self._unlock(acct, order)

    def _spend(self, acct, order, asset, amount):
        if order.lock_asset == asset:
            used = min(amount, order.lock_left)
            order.lock_left -= used
            acct.move(asset, free=-(amount - used), locked=-used)
        else:
            acct.move(asset, free=-amount)

    def _unlock(self, acct, order):
        if order.lock_asset is not None and order.lock_left:
            acct.move(order.lock_asset, free=order.lock_left, locked=-order.lock_left)
            order.lock_left = Decimal(0)

    # --- requests ----------------------------------------------------------------------------
    def place(self, key, params):
        with self.lock:
            self.sync()
            market = self.data.market(params.get("symbol", ""))
            if "symbol" not in params:
                raise BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
            if market is None:
                raise BinanceError(-1121, "Invalid symbol.")
            side, kind = params.get("side"), params.get("type")
            if side not in ("BUY", "SELL"):
                raise BinanceError(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.")
            if kind not in ("MARKET", "LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"):
                raise BinanceError(-1116, "Invalid orderType.")
            cid = params.get("newClientOrderId") or f"sim{len(self.orders) + 1}"
            if not CID.match(cid):
                raise BinanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                                          "'^[a-zA-Z0-9-_]{1,36}$'.")
            qty = _decimal_param(params, "quantity")
            price = _decimal_param(params, "price") if kind != "MARKET" else None
            stop = _decimal_param(params, "stopPrice") if kind in TRIGGERS_TYPES else None
            tif = params.get("timeInForce", "GTC")
            if kind != "MARKET" and "timeInForce" not in params:
                raise BinanceError(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.")
            if tif not in ("GTC", "IOC", "FOK"):
                raise BinanceError(-1115, "Invalid timeInForce.")
            now = self.clock.now()
            bar_open = period_start(now, self.interval)
            bar = self.data.bar_at(market, self.interval, bar_open)
            ref = price if price is not None else (D(bar[1]) / 100 if bar else None)
            _check_filters(market, kind, qty, price, stop, ref)
            acct = self.accounts[key]
            same = self.by_cid.get((key, cid))
            if same is not None and same.status in OPEN:
                raise BinanceError(-2010, "Duplicate order sent.")
            order = SimOrder(len(self.orders) + 1, cid, key, market, side, kind, tif, float(qty),
                             None if price is None else float(price), None if stop is None else float(stop), now)
            self._reserve(acct, order, ref)
            self.orders.append(order)
            self.working.append(order)
            self.by_cid[(key, cid)] = order
            self.next_bar.setdefault(market.id, bar_open)
            if bar is not None:
                self._at_open(order, bar[1] / 100, bar)
            if tif in ("IOC", "FOK") and order.status in OPEN:
                order.status = "EXPIRED"
                self._unlock(acct, order)
            return order

    def _reserve(self, acct, order, ref):
        base, quote = order.market.base, order.market.quote
        if order.buy:
            need = D(order.qty) * (D(order.price) if order.price is not None else D(ref or 0))
            if self.fee_asset == "quote":
                need += need * D(self.maker if order.type != "MARKET" else self.taker)
            asset = quote
        else:
            need, asset = D(order.qty), base
        if acct.free.get(asset, Decimal(0)) < need:
            raise BinanceError(-2010, "Account has insufficient balance for requested action.")
        if order.type != "MARKET":
            acct.move(asset, free=-need, locked=need)
            order.lock_asset, order.lock_left = asset, need

    def find(self, key, params, missing):
        with self.lock:
            self.sync()
            market = self.data.market(params.get("symbol", ""))
            if market is None:
                raise BinanceError(-1121, "Invalid symbol.")
            if "orderId" in params:
                k = int(params["orderId"]) if params["orderId"].isdigit() else 0
                found = [o for o in self.orders[k - 1:k] if k > 0 and o.account == key]
            elif "origClientOrderId" in params:
                found = [o for o in [self.by_cid.get((key, params["origClientOrderId"]))] if o is not None]
            else:
                raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
            found = [o for o in found if o.market is market]
            if not found:
                raise BinanceError(*missing)
            return found[-1]

    def cancel(self, key, params):
        with self.lock:
            order = self.find(key, params, (-2011, "Unknown order sent."))
            if order.status not in OPEN:
                raise BinanceError(-2011, "Unknown order sent.")
            order.status, order.updated = "CANCELED", self.clock.now()
            self._unlock(self.accounts[key], order)
            return order

    def open_orders(self, key, symbol=None):
        with self.lock:
            self.sync()
            return [o for o in self.working if o.account == key and o.status in OPEN and (symbol is None or o.market.id == symbol)]

    def all_orders(self, key, symbol):
        with self.lock:
            self.sync()
            return [o for o in self.orders if o.account == key and o.market.id == symbol]

    def my_trades(self, key, symbol):
        with self.lock:
            self.sync()
            return [t for t in self.trades if t["account"] == key and t["symbol"] == symbol]


TRIGGERS_TYPES = ("STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")


def _decimal_param(params, name):
    if name not in params or params[name] == "":
        raise BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
    text = params[name]
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.")
    if "." in text and len(text.split(".")[1].rstrip("0")) > 8:
        raise BinanceError(-1111, f"Parameter '{name}' has too much precision.")
    return Decimal(text)


def _check_filters(market, kind, qty, price, stop, ref):
    """Binance's filters, named as Binance names them (-1013 "Filter failure: NAME")."""
    lot_max = Decimal("100") if kind == "MARKET" else Decimal(market.max_qty)
    min_qty, step = Decimal(market.min_qty), Decimal(market.step)
    if qty < min_qty or qty > lot_max or (qty - min_qty) % step:
        raise BinanceError(-1013, "Filter failure: " + ("MARKET_LOT_SIZE" if kind == "MARKET" and qty > lot_max else "LOT_SIZE"))
    tick = Decimal(market.tick)
    for p in (price, stop):
        if p is not None and (p < tick or p > Decimal("1000000") or (p - tick) % tick):
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
    if ref is not None and qty * D(ref) < Decimal(market.min_notional):
        raise BinanceError(-1013, "Filter failure: NOTIONAL")

"""The order path, in this order for every order: the exchange's rules (the broker's MarketRules
check), the risk limits (`gate`), a journal record committed to disk, then the request
(`send`). Also the way back: what the exchange says about an order (`settle`: fills, endings),
and cancels.

Every order gets its client order id here (ids.py). In an exchange session an order the
exchange may or may not have (a timeout, a 5xx, -1006/-1007, or a restart after the record)
is looked up by that id, never sent again: found, it is followed; proven absent (not found
once the exchange could no longer accept the request: its recvWindow and the client's timeout
have passed) it ends rejected with the rule `not_placed`.

While the session replays its journal after a restart, nothing is sent: an order the strategy
places again is matched to its journal record by id, and what the exchange said about it at
the time (`inline` updates and fills) is applied at the same point as then.
"""

import time

from . import crash
from .client import Rejected, Unknown
from .ids import SESSION, STRATEGY, client_order_id
from .risk import HALTED
from ..fills import denoise
from ..orders import BUY, CANCELED, FILLED, LIMIT, REJECTED

TRACKED = ("sending", "unknown", "open", "partial")  # exchange states that may still change
QTY_TOLERANCE = 1e-9  # relative: quantities as floats of the exchange's decimals


class OrderPath:
    def __init__(self, session):
        self.s = session
        self.cids = {}  # engine order id -> client order id
        self.orders = {}  # client order id -> Order
        self.records = {}  # client order id -> its journal record (the latest)
        self.tracking = {}  # the ids of `tracked()`, in the order they were first tracked
        self.sent = set()  # ids the exchange may have (a request left, or left in the journal)
        self.cancels = set()  # ids whose cancel was requested
        self.cancel_again = {}  # id -> (rule, reason): a cancel without an answer, asked again at the next look
        self.deferred = []  # orders placed again while replaying that the journal does not know
        self.answered = {}  # client order id -> the exchange's answer to its request, when it filled
        self.origin = STRATEGY

    # --- ids -------------------------------------------------------------------------------------
    def name(self, order, kind):
        bar = order.created if order.created is not None else 0
        cid = client_order_id(self.s.session_id, bar, self.s.sequencer.next(bar, kind), kind)
        self.cids[order.id] = cid
        self.orders[cid] = order
        return cid

    def cid(self, order):
        return self.cids.get(order.id)

    def at_exchange(self, order):
        return self.cids.get(order.id) in self.sent

    # --- the gate: risk, then the record ---------------------------------------------------------
    def gate(self, order, children):
        kind = SESSION if self.origin == "session" else STRATEGY
        cid = self.name(order, kind)
        for child in children:
            self.name(child, kind)
        s = self.s
        if s.replaying:
            known = s.replay.submission(cid)
            if known is not None:
                s.replay.check_same(cid, order)
                return (known["rule"], known["reason"]) if known["status"] == REJECTED else None
        if kind == SESSION:
            return None  # the kill switch: exempt from the limits it enforces
        position = s.engine.broker.position(order.feed).size
        price = order.limit if order.limit is not None else (order.stop if order.stop is not None else order.feed.close[0])
        others = [o for o in s.engine.broker.open_orders if o is not order and o.parent is not order]
        return s.risk.check(order, position, others, price, s.clock.now())

    def observe(self, order, fill=None):
        """Every change of an order in the engine goes to the journal as an "order" event (and,
        in a paper session, each fill as a "fill" event)."""
        s = self.s
        cid = self.cids.get(order.id)
        if cid is None:  # refused by the market's rules before the gate: named here, in the same order
            cid = self.name(order, SESSION if self.origin == "session" else STRATEGY)
        if s.replaying and cid in s.replay.known:
            return
        first = "status" not in self.records.get(cid, {})
        record = self.records.setdefault(cid, {"cid": cid, "exchange": {}})
        if first:
            record.update(id=order.id, origin=self.origin, side=order.side, type=order.type, size=order.size,
                          limit=order.limit, stop=order.stop, trail=order.trail, trail_percent=order.trail_percent,
                          tif=order.tif, reduce_only=order.reduce_only, bar=order.created,
                          parent=self.cids.get(order.parent.id) if order.parent else None)
        record.update(status=order.status, filled=order.filled, price=order.price, commission=order.commission,
                      rule=order.rule, reason=order.reason)
        changes = ("cid", "status", "filled", "price", "commission", "rule", "reason")
        s.journal.put_order(cid, record)
        s.event("order", {k: v for k, v in record.items() if k != "exchange" and (first or k in changes)})
        if fill is not None and s.config.mode == "paper":
            price, size, fee = fill
            fills = s.fills_by_cid.setdefault(cid, [])
            trade = {"cid": cid, "trade_id": f"{cid}f{len(fills) + 1}", "price": price, "qty": size, "fee": fee,
                     "fee_asset": s.config.quote, "fee_quote": fee, "booked": size, "time": order.time}
            fills.append(trade)
            s.journal.put_fill(trade["trade_id"], cid, trade)
            s.event("fill", trade)

    # --- to the exchange -------------------------------------------------------------------------
    def send(self, order, kind):
        """Sends an accepted order (or a triggered held one) as `kind` (market or limit)."""
        s = self.s
        cid = self.cids[order.id]
        if s.replaying:
            if s.replay.was_sent(cid):
                self.sent.add(cid)
                s.replay.apply_inline(cid, "send")
            else:
                self.deferred.append((order, kind))
            return
        if s.risk.state == HALTED and self.origin != "session":
            s.engine.broker.end(order, REJECTED, "halted", f"the session is halted ({s.risk.rule}): nothing is sent")
            return
        amount = order.size - order.filled
        if order.reduce_only:
            held = s.engine.broker.position(order.feed).size
            if held == 0 or (held > 0) == (order.side == BUY):
                s.engine.broker.end(order, CANCELED, "nothing_to_reduce", "reduce-only: no position to reduce")
                return
            amount = min(amount, denoise(abs(held)))
        price = order.limit if kind == LIMIT else None
        now = s.clock.now()
        self._exchange(cid, status="sending", sent_at=now, amount=amount, kind=kind)
        s.event("order", {"cid": cid, "status": "sending", "amount": amount, "kind": kind, "price": price})
        s.risk.sending(now)
        s.journal.commit(durable=True)  # on disk before the request leaves
        crash.point("order_journaled")
        self.sent.add(cid)
        if s.timings is not None:
            s.timings.append(time.perf_counter_ns())  # the request is handed to ccxt (bench/live.py)
        try:
            answer = s.venue.create(cid, order.side, kind, amount, price, order.tif)
        except Rejected as e:
            self.update(cid, "rejected", inline="send", rule=e.rule, reason=s.redact(e.reason))
            s.engine.broker.end(order, REJECTED, e.rule, s.redact(e.reason))
            return
        except Unknown as e:
            self.update(cid, "unknown", inline="send", reason=s.redact(str(e)))
            s.log(f"order {cid}: outcome unknown ({s.redact(str(e))}): looking it up")
            return
        status, exchange_id = answer["status"], answer["id"]
        if status in ("canceled", "expired") and not answer["filled"]:  # an IOC that found nothing: over at once
            self.update(cid, status, inline="send", exchange_id=exchange_id, rule=status, reason=f"{status} at the exchange")
            s.engine.broker.end(order, status, status, f"{status} at the exchange (nothing filled)")
            return
        self.update(cid, "open", inline="send", exchange_id=exchange_id)
        if status != "open" or answer["filled"]:
            self.answered[cid] = answer  # filled at once (a market order): booked when the step is over

    def cancel(self, order, rule, reason, settle=False, again=False):
        """Asks the exchange to cancel; True if it did (the order then ends canceled with
        `rule`). `settle`: book its fills at once (before a bracket's other exit leaves).
        A cancel without an answer (or refused, as during a ban) is asked `again` at each look
        until the order is over: a cancel is safe to repeat."""
        s = self.s
        cid = self.cids[order.id]
        if s.replaying:
            self.cancels.add(cid)
            return s.replay.apply_inline(cid, "cancel")
        if cid in self.cancels and not (settle or again):
            return False
        self.cancels.add(cid)
        if self.origin != "session" and not again:  # (the session journals its own cancels: they are replayed)
            s.event("cancel", {"cid": cid, "origin": self.origin, "rule": rule})
        s.journal.commit()
        try:
            canceled = s.venue.cancel(cid)
        except (Unknown, Rejected) as e:
            self.cancel_again[cid] = (rule, reason)
            s.log(f"cancel of {cid}: no answer ({s.redact(str(e))}): the next look settles it or asks again")
            return False
        inline = None if again else "cancel"  # a repeated cancel's answers replay where they came
        if canceled:
            if settle:
                self.settle(order, inline=inline, end=False)
            if order.alive:
                self.update(cid, "canceled", inline=inline, rule=rule, reason=reason)
                s.engine.broker.end(order, CANCELED, rule, reason)
        else:  # not open any more: it filled or ended meanwhile
            self.settle(order, inline=inline)
        return canceled

    # --- from the exchange -------------------------------------------------------------------------
    def update(self, cid, status, inline=None, **fields):
        """Records what the exchange said about an order ("update" events are its facts)."""
        self._exchange(cid, status=status, exchange_id=fields.get("exchange_id"))
        data = {"cid": cid, "status": status, **fields}
        if inline:
            data["inline"] = inline
        self.s.event("update", data)

    def _exchange(self, cid, **fields):
        record = self.records.setdefault(cid, {"cid": cid, "exchange": {}})
        record["exchange"].update({k: v for k, v in fields.items() if v is not None})
        self._track(cid, record)
        self.s.journal.put_order(cid, record)

    def track(self, cids):
        """The orders the exchange may still change, by id (a restart, before the replay: what
        the replay's window must not forget)."""
        self.tracking.update(dict.fromkeys(cids, True))

    def load(self, records):
        """The journal's records of the orders it holds (a restart, after the replay; a record
        made during the replay, of an order the journal did not know, stays)."""
        for cid, record in records.items():
            self._track(cid, self.records.setdefault(cid, record))

    def forget(self, kept):
        """Drops what it holds about the orders the engine forgot (over, and older than its window:
        the journal keeps them), unless the exchange may still change them. `kept`: the engine's
        orders."""
        ids = {o.id for o in kept}
        busy = {*self.tracking, *self.cancel_again, *self.answered, *(self.cids.get(o.id) for o, _ in self.deferred)}
        s = self.s
        for oid, cid in list(self.cids.items()):
            if oid in ids or cid in busy:
                continue
            del self.cids[oid]
            self.orders.pop(cid, None)
            self.records.pop(cid, None)
            self.sent.discard(cid)
            self.cancels.discard(cid)
            for fill in s.fills_by_cid.pop(cid, ()):
                s.fill_ids.discard(fill.get("trade_id"))

    def _track(self, cid, record):
        if record.get("exchange", {}).get("status") in TRACKED:
            self.tracking[cid] = True
        else:
            self.tracking.pop(cid, None)

    def tracked(self):
        """Orders whose state at the exchange may still change (kept as they change: a look
        costs the open orders, not every order the session ever placed)."""
        return list(self.tracking)

    def sync(self, urgent_only=False):
        """Settles the tracked orders (`urgent_only`: those whose fate is unsure: a request or a
        cancel without an answer)."""
        for cid in self.tracked():
            if urgent_only and cid not in self.cancels and \
                    self.records[cid]["exchange"].get("status") not in ("sending", "unknown"):
                continue
            order = self.orders.get(cid)
            if order is not None:
                self.settle(order)
        for cid, (rule, reason) in list(self.cancel_again.items()):
            order = self.orders.get(cid)
            if order is None or not order.alive:
                del self.cancel_again[cid]
            elif not self.s.caller.blocked():
                del self.cancel_again[cid]
                self.cancel(order, rule, reason, again=True)

    def settle_answered(self):
        """Books the fills the exchange reported in its answers to this step's requests (a
        market order's, at once: no lookup). Called between steps, where fills are booked, so a
        restart's replay applies them at the same point."""
        answered, self.answered = self.answered, {}
        for cid, answer in answered.items():
            order = self.orders.get(cid)
            if order is not None and order.alive:
                self.settle(order, answer=answer)

    def settle(self, order, inline=None, end=True, answer=None):
        """Looks the order up by its id (or takes the exchange's `answer` to its request) and
        books what is new: fills, then (`end`) its ending."""
        s = self.s
        cid = self.cids[order.id]
        ex = self.records.get(cid, {}).get("exchange", {})
        info = answer if answer is not None else s.venue.lookup(cid)
        if info is None:
            if ex.get("status") in ("sending", "unknown") and self.proven_absent(ex):
                self.update(cid, "not_placed", inline=inline, rule="not_placed",
                            reason="the exchange has no such order: the request never reached it")
                if order.alive:
                    s.engine.broker.end(order, REJECTED, "not_placed", "the exchange never received the order")
            return
        if ex.get("status") in ("sending", "unknown") or ex.get("exchange_id") != info["id"]:
            self.update(cid, "open", inline=inline, exchange_id=info["id"])
        known = sum(f["qty"] for f in s.fills_by_cid.get(cid, ()))
        if info["filled"] > known * (1 + QTY_TOLERANCE) + 1e-15:
            listed = info.get("trades") or ()
            if sum(t["qty"] for t in listed) < info["filled"] * (1 - QTY_TOLERANCE):
                listed = s.venue.trades(info["id"])  # the answer did not list every fill
            trades = [t for t in listed if t["id"] not in s.fill_ids]
            for k, trade in enumerate(trades):
                known += trade["qty"]
                final = info["status"] == "filled" and k == len(trades) - 1 and known >= info["filled"] * (1 - QTY_TOLERANCE)
                crash.point("fill_seen")
                self.book(order, trade, final, inline)
        if info["status"] == "open" or not end:
            if known and info["status"] == "open" and ex.get("status") != "partial":
                self.update(cid, "partial", inline=inline)
            return
        if info["status"] == "filled":
            if known >= info["filled"] * (1 - QTY_TOLERANCE):
                self.update(cid, "filled", inline=inline)
            return
        self.update(cid, info["status"], inline=inline, rule=info["status"], reason=f"{info['status']} at the exchange")
        if order.alive:
            s.engine.broker.end(order, info["status"] if info["status"] != "rejected" else REJECTED,
                                info["status"], f"{info['status']} at the exchange")

    def book(self, order, trade, final, inline=None):
        """Books one fill the exchange reported; its fee in the quote asset, or in the base asset
        (the position gets what was bought less that fee), or another asset (kept aside)."""
        s = self.s
        cid = self.cids[order.id]
        price, qty, fee = trade["price"], trade["qty"], trade["fee"]
        booked, fee_quote = qty, 0.0
        if trade["fee_asset"] == s.config.quote:
            fee_quote = fee
        elif trade["fee_asset"] == s.config.base:
            booked = qty - fee if order.side == BUY else qty + fee
            fee_quote = fee * price
        data = {"cid": cid, "trade_id": trade["id"], "price": price, "qty": qty, "fee": fee, "fee_asset": trade["fee_asset"],
                "fee_quote": fee_quote, "booked": booked, "time": trade["time"], "final": final}
        if inline:
            data["inline"] = inline
        if not s.journal.put_fill(trade["id"], cid, data):
            return
        s.fill_ids.add(trade["id"])
        s.fills_by_cid.setdefault(cid, []).append(data)
        s.event("fill", data)
        self.apply_fill(order, data)
        s.event("account", s.account())

    def apply_fill(self, order, data):
        if order.status == FILLED:
            return
        self.s.engine.broker.fill(order, data["price"], data["qty"], data["fee_quote"], data["booked"], data["time"],
                                  data["final"])

    def proven_absent(self, ex):
        """The exchange can no longer accept the request: its time is past the request's time
        plus the receive window plus the client's timeout."""
        return self.s.clock.now() > ex.get("sent_at", 0) + self.s.absent_after_ms

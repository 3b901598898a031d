"""A restarted session rebuilds itself from its journal: the engine runs the journaled bars
again, and what came from outside is applied at the point it came then: the exchange's fills
and order updates (an exchange session), the commands (kill switch, resume), the risk state's
changes, the session's own orders and cancels. The strategy places its orders again; each is
matched to its journal record by client order id and nothing is sent. A paper session's fills
are not inputs: its simulated broker makes them again from the same bars.

If the strategy now places an order that differs from its record, the replay stops: the code
or its inputs changed, and the session's state would not be what the journal says.
"""

from .config import LiveError
from ..orders import CANCELED, REJECTED

ENDINGS = {"canceled": CANCELED, "expired": "expired", "rejected": REJECTED, "not_placed": REJECTED}
FIRST = ("side", "type", "size", "status", "rule", "reason")  # of an order's first event: what matching needs
ORDERS = ("order", "update", "fill")  # read first: the orders placed, sent, and the exchange's answers
REPLAYED = ("bar", *ORDERS, "cancel", "control", "risk", "adopt")  # (not log, account, lines, session: outputs)


class Replay:
    def __init__(self, session, journal):
        """Reads the journal's events about orders (keeping of each order what matching it needs);
        `run` then reads the events it replays one at a time (a journal of months of bars is
        never held in memory at once)."""
        self.s = session
        self.journal = journal
        self.first, self.first_seq, self.sent, self.inline = {}, {}, set(), {}
        for ev in journal.each_event(ORDERS):
            data = ev["data"]
            if ev["kind"] == "order":
                if data["cid"] not in self.first:
                    self.first[data["cid"]] = {k: data.get(k) for k in FIRST}
                self.first_seq.setdefault(data["cid"], ev["seq"])
                if data.get("status") == "sending":
                    self.sent.add(data["cid"])
            if data.get("inline"):
                self.inline.setdefault((data["cid"], data["inline"]), []).append(ev)
        self.known = set(self.first)

    # --- asked by the order path ---------------------------------------------------------------
    def submission(self, cid):
        return self.first.get(cid)

    def was_sent(self, cid):
        return cid in self.sent

    def check_same(self, cid, order):
        known = self.first[cid]
        same = known.get("side") == order.side and known.get("type") == order.type and \
            abs(known.get("size", 0) - order.size) <= 1e-12 * max(1.0, abs(order.size))
        if not same:
            raise LiveError(f"the replay diverged at order {cid}: the journal has {known.get('side')} {known.get('size')} "
                            f"{known.get('type')}, the strategy now places {order.side} {order.size} {order.type} "
                            "(was the strategy, its parameters or the data changed?)")

    def apply_inline(self, cid, during):
        """Applies what the exchange answered to this send or cancel at the time; for a cancel,
        whether it canceled."""
        canceled = False
        for ev in self.inline.pop((cid, during), []):
            if ev["kind"] == "fill":
                self._fill(ev["data"])
            else:
                canceled |= ev["data"]["status"] == "canceled"
                self._update(ev["data"])
        return canceled

    # --- the run -------------------------------------------------------------------------------
    def run(self):
        s = self.s
        exchange = s.config.mode == "exchange"
        for ev in self.journal.each_event(REPLAYED):
            kind, data = ev["kind"], ev["data"]
            if kind == "bar":
                s.push((data["time"], data["open"], data["high"], data["low"], data["close"], data["volume"]))
            elif kind == "order":
                if data.get("status") == "sending":
                    s.risk.sending(ev["time"])
                if data.get("origin") == "session" and self.first_seq.get(data["cid"]) == ev["seq"]:
                    s.session_order(data["side"], data["size"])
            elif kind == "cancel" and data.get("origin") == "session":
                order = s.orders.orders.get(data["cid"])
                if order is not None:
                    s.session_cancel(order, data.get("rule", "kill_switch"))
            elif kind in ("update", "fill") and exchange and not data.get("inline"):
                (self._fill if kind == "fill" else self._update)(data)
            elif kind == "control":
                s.apply_control(data)
            elif kind == "risk":
                s.risk.set(data["state"], data.get("rule"))
            elif kind == "adopt":
                s.apply_adopt(data)
        left = [cid for cid, _ in self.inline]
        if left:
            raise LiveError(f"the replay diverged: the journal has exchange answers for {', '.join(sorted(set(left))[:5])} "
                            "that the strategy did not ask for again (was the strategy or its parameters changed?)")

    def _update(self, data):
        s, cid = self.s, data["cid"]
        if data["status"] in ("open", "unknown", "partial", "filled"):
            s.orders.sent.add(cid)
            return
        order = s.orders.orders.get(cid)
        if order is not None and order.alive and data["status"] in ENDINGS:
            s.engine.broker.end(order, ENDINGS[data["status"]], data.get("rule") or data["status"], data.get("reason") or "")

    def _fill(self, data):
        order = self.s.orders.orders.get(data["cid"])
        if order is not None:
            self.s.orders.apply_fill(order, data)

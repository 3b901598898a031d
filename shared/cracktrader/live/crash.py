"""Named points on the order path where a test's session kills itself with SIGKILL, so crash
tests are deterministic: CRACKTRADER_CRASH_AT="point" (or "point:n", the n-th time it is
reached). Unset, a point costs one dictionary lookup.

Points: "order_journaled" (an order's record is on disk, its request not sent),
"fill_seen" (the exchange reported a fill the journal does not have yet),
"kill_canceled" (the kill switch canceled the open orders, before flattening).
"""

import os
import signal

_SPEC = os.environ.get("CRACKTRADER_CRASH_AT", "")
_POINT, _, _NTH = _SPEC.partition(":")
_COUNT = {"n": 0}


def point(name):
    if name != _POINT:
        return
    _COUNT["n"] += 1
    if _COUNT["n"] >= int(_NTH or 1):
        os.kill(os.getpid(), signal.SIGKILL)

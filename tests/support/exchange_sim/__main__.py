"""The simulator as a process of its own (bench/live.py): prints its URL, serves until killed.

    python -m support.exchange_sim --account KEY:SECRET:USDT=100000,BTC=10 [--now MS]
(run with tests/ on sys.path)."""

import argparse
import sys
import threading

from .server import ExchangeSim

DAY = 86_400_000


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--start", type=int, default=1_704_067_200_000)
    p.add_argument("--now", type=int, default=1_704_067_200_000 + 2 * DAY + 1500)
    p.add_argument("--account", action="append", default=[], metavar="KEY:SECRET:ASSET=AMOUNT,...")
    args = p.parse_args(argv)
    sim = ExchangeSim(start=args.start, now=args.now, horizon=args.now + DAY, rate=1.0).start()
    for spec in args.account:
        key, secret, balances = spec.split(":", 2)
        sim.add_account(key, secret, **dict(b.split("=") for b in balances.split(",")))
    print(sim.url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())

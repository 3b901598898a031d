"""The process running one session: `python -m cracktrader.host.live.worker FOLDER`.

It reads the session's settings from FOLDER/session.json, its keys (exchange mode) from the
key file they name, and runs `cracktrader.live.Session` on FOLDER/journal.sqlite until it is
stopped (a `stop` command, or SIGTERM: the session ends after its current step and closes its
journal). The strategy's print() goes to stdout, the session's messages to stderr: the
supervisor sends both to FOLDER/worker.log. Exit status: 0 stopped, 2 the session cannot
start or go on (one line says why; it may next time: the exchange was down), 3 the strategy
raised (it would again: not restarted), 1 anything else.
"""

import json
import os
import signal
import sys
import traceback
from pathlib import Path

from .. import oom

STRATEGY_FAILED = 3


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m cracktrader.host.live.worker SESSION_FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    # Code runs first, then the server, a session holding open orders last.
    oom.worker_last(int(os.environ.get(oom.GIVEN_ENV, "0")))
    from cracktrader import StrategyError
    from cracktrader.live import LiveError, SessionConfig
    from cracktrader.live.keys import Redactor, load_keys
    from cracktrader.live.session import Session

    keys = None
    redact = Redactor()
    try:
        config = SessionConfig.from_dict(json.loads((folder / "session.json").read_text())["config"])
        if config.mode == "exchange":
            keys = load_keys(config.exchange, config.key_file)
            redact = Redactor(keys)
        Session(config, folder / "journal.sqlite", keys=keys, out=sys.stderr).run()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopped already: a late SIGTERM must not kill the exit
    except LiveError as e:
        print(f"cracktrader live: {redact(e)}", file=sys.stderr, flush=True)
        return 2
    except StrategyError as e:
        print(f"cracktrader live: the strategy failed: {redact(e)}", file=sys.stderr, flush=True)
        return STRATEGY_FAILED
    except KeyboardInterrupt:
        return 0
    except BaseException as e:  # noqa: BLE001 - the supervisor restarts it; the log says why, keys removed
        print(redact(f"cracktrader live: {type(e).__name__}: {e}\n{traceback.format_exc()}"), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

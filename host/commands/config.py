"""`cracktrader config check [FILE]`: read the server's configuration file (docs/config.md)
as `cracktrader serve --config FILE` would, and name each bad key with its line."""

import sys

from . import CommandError


def run_check(args):
    from ..config import ConfigError, load

    path = args.file
    if not path:
        import os

        path = os.environ.get("CRACKTRADER_CONFIG")
        if not path:
            raise CommandError("no file given (and CRACKTRADER_CONFIG is not set)")
    try:
        config = load(path)
    except ConfigError as e:
        for line in e.lines():
            print(line, file=sys.stderr)
        raise CommandError(f"{path}: {len(e.problems)} problem(s)") from None
    server = config["server"]
    accounts = ", ".join(config["accounts"]) or "none"
    print(f"{path}: ok (serves http://{server['host']}:{server['port']}, accounts: {accounts})")


def register(commands):
    p = commands.add_parser("config", help="check the server's configuration file", description=__doc__)
    sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    a = sub.add_parser("check", help="check a configuration file (default: $CRACKTRADER_CONFIG)")
    a.add_argument("file", nargs="?", metavar="FILE")
    a.set_defaults(run=run_check)

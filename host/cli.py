"""The `cracktrader` command. Every subcommand has --help and exits non-zero with a one-line
reason on bad input."""

import argparse
import sys

import cracktrader


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


def cmd_serve(args):
    from .server import UnsafeBind, serve
    from .web_assets import WebAppNotBuilt

    try:
        serve(host=args.host, port=args.port, web_dir=args.web_dir, token=args.token)
    except (UnsafeBind, WebAppNotBuilt) as e:
        raise CommandError(str(e)) from None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="cracktrader", description="Backtest and trade crypto strategies written in Python."
    )
    parser.add_argument("--version", action="version", version=f"cracktrader {cracktrader.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="serve the web app and the API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--web-dir", help="built web app to serve (default: the checkout's build/web)")
    serve.add_argument("--token", help="API token (default: $CRACKTRADER_TOKEN); required off loopback")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CommandError as e:
        print(f"cracktrader {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

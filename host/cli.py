"""The `cracktrader` command. Every subcommand has --help and exits non-zero with a one-line
reason on bad input."""

import argparse
import sys

import cracktrader

from .commands import CommandError, backtest, build_static, config, data, live, optimize, serve

COMMANDS = [backtest, data, live, serve, build_static, config, optimize]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="cracktrader", description="Backtest and trade crypto strategies written in Python."
    )
    parser.add_argument("--version", action="version", version=f"cracktrader {cracktrader.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(commands)
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

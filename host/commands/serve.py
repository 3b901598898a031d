"""`cracktrader serve`: the web app and the API. Settings come from the config file
(--config or $CRACKTRADER_CONFIG, see docs/config.md); flags and environment variables
override it: flag, then environment, then file, then default."""

import os

from . import CommandError


def settings(args):
    """The server's settings: the config file's, overridden by environment and flags."""
    from ..code_runs import Limits
    from ..config import ConfigError, load, read_secret

    try:
        config = load(args.config)
        server, logging = config["server"], config["logging"]
        token = args.token or os.environ.get("CRACKTRADER_TOKEN")
        if not token and server["token_file"]:
            token = read_secret(server["token_file"])
    except ConfigError as e:
        raise CommandError(" ".join(e.lines()) if len(e.problems) == 1 else
                           f"{e.path}: {len(e.problems)} problems, `cracktrader config check {e.path}` lists them") from None
    return dict(
        host=args.host or server["host"], port=server["port"] if args.port is None else args.port, token=token,
        web_dir=args.web_dir or os.environ.get("CRACKTRADER_WEB_DIR") or server["web_dir"],
        cache_dir=args.cache or os.environ.get("CRACKTRADER_CACHE_DIR") or config["data"]["cache_dir"],
        limits=Limits(**config["runs"]), allowed_hosts=server["allowed_hosts"],
        stop_timeout=server["stop_timeout_seconds"], accounts=config["accounts"], risk=config["risk"],
        live_dir=args.live_dir or os.environ.get("CRACKTRADER_LIVE_DIR") or config["live"]["dir"],
        live_poll=config["live"]["poll_seconds"],
    ), {**logging, "format": args.log_format or logging["format"], "file": args.log_file or logging["file"]}


def run(args):
    from .. import logs
    from ..server import StartupError, serve
    from ..web_assets import WebAppNotBuilt

    options, log_options = settings(args)
    try:
        logs.setup(**log_options)
    except OSError as e:
        raise CommandError(f"cannot write the log file {log_options['file']}: {e.strerror}") from None
    try:
        serve(**options)
    except (StartupError, WebAppNotBuilt) as e:
        logs.file_only.error(str(e))
        raise CommandError(str(e)) from None


def register(commands):
    p = commands.add_parser("serve", help="serve the web app and the API", description=__doc__)
    p.add_argument("--config", metavar="FILE", help="configuration file (default: $CRACKTRADER_CONFIG)")
    p.add_argument("--host", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: 8000)")
    p.add_argument("--web-dir", help="built web app to serve (default: the installed one, or the checkout's build/web)")
    p.add_argument("--cache", help="candle cache to serve (default: $CRACKTRADER_CACHE_DIR or the user cache)")
    p.add_argument("--live-dir", help="live sessions' folder (default: $CRACKTRADER_LIVE_DIR, else [live] dir, else "
                   "~/.local/share/cracktrader/live)")
    p.add_argument("--token", help="API token (default: $CRACKTRADER_TOKEN, else [server] token_file); required off loopback")
    p.add_argument("--log-format", choices=["auto", "json", "text"],
                   help="stderr log format (default: text on a terminal, else one JSON object per line)")
    p.add_argument("--log-file", metavar="FILE", help="also log to FILE (JSON lines, rotated by size)")
    p.set_defaults(run=run)

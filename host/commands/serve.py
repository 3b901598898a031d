"""`cracktrader serve`: the web app and the API."""

from . import CommandError


def run(args):
    from ..server import UnsafeBind, serve
    from ..web_assets import WebAppNotBuilt

    try:
        serve(host=args.host, port=args.port, web_dir=args.web_dir, token=args.token, cache_dir=args.cache)
    except (UnsafeBind, WebAppNotBuilt) as e:
        raise CommandError(str(e)) from None


def register(commands):
    p = commands.add_parser("serve", help="serve the web app and the API")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--web-dir", help="built web app to serve (default: the checkout's build/web)")
    p.add_argument("--cache", help="candle cache to serve (default: $CRACKTRADER_CACHE_DIR or the user cache)")
    p.add_argument("--token", help="API token (default: $CRACKTRADER_TOKEN); required off loopback")
    p.set_defaults(run=run)

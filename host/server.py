"""`cracktrader serve`: run the app under uvicorn, on loopback unless told otherwise."""

import ipaddress
import os

LOOPBACK_NAMES = {"localhost"}


class UnsafeBind(ValueError):
    pass


def is_loopback(host):
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host, token):
    """A public bind exposes the API to the network: refuse it unless a token protects it."""
    if not is_loopback(host) and not token:
        raise UnsafeBind(
            f"refusing to listen on {host} without a token: set CRACKTRADER_TOKEN or pass "
            "--token (or bind 127.0.0.1)"
        )


def serve(host="127.0.0.1", port=8000, web_dir=None, token=None, cache_dir=None):
    import uvicorn

    from .app import create_app
    from .web_assets import web_dir as find_web_dir

    from .auth import new_token

    token = token or os.environ.get("CRACKTRADER_TOKEN")
    check_bind(host, token)
    generated = not token
    token = token or new_token()
    from .app import LOOPBACK_HOSTS

    # Off loopback the server answers whatever name clients use; on loopback only loopback names.
    allowed = LOOPBACK_HOSTS if is_loopback(host) else ["*"]
    app = create_app(find_web_dir(web_dir), token=token, cache_dir=cache_dir, allowed_hosts=allowed)
    print(f"CrackTrader serving on http://{host}:{port}", flush=True)
    if generated:
        # Like Jupyter: a fresh token per start when none is configured, shown once on the terminal.
        print(f"API token for this session (runs on the server): {token}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

"""`cracktrader serve`: run the app under uvicorn, on loopback unless told otherwise.

Built to run unattended: settings from the config file (command-line flags override it),
structured logs, a clear one-line error and a non-zero status on any start-up failure, and on
SIGTERM a clean stop: new work is refused, the background services (code runs; live sessions)
stop, and the process exits 0.
"""

import ipaddress
import logging
import os
import signal
import socket

LOOPBACK_NAMES = {"localhost"}
log = logging.getLogger("cracktrader.host")


class StartupError(RuntimeError):
    """The server cannot start: one line saying why (exit status 2)."""


class UnsafeBind(StartupError):
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


def listen(host, port):
    """The listening socket, bound before anything else starts, so a busy port is reported
    as such rather than after the app is up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _exit_cleanly(signum, frame):
    # uvicorn re-raises the signal that stopped it once it has shut down: exit 0, not "killed".
    log.info("stopped")
    raise SystemExit(0)


def serve(host="127.0.0.1", port=8000, web_dir=None, token=None, cache_dir=None, limits=None,
          allowed_hosts=(), stop_timeout=20, accounts=None, risk=None, live_dir=None, live_poll=1.0):
    import uvicorn

    from .app import LOOPBACK_HOSTS, create_app
    from .auth import new_token
    from .web_assets import web_dir as find_web_dir

    check_bind(host, token)
    generated = not token
    token = token or new_token()
    # Off loopback the server answers whatever name clients use; on loopback only loopback
    # names and those configured (the public name a reverse proxy forwards).
    allowed = [*LOOPBACK_HOSTS, *allowed_hosts] if is_loopback(host) else ["*"]
    app = create_app(find_web_dir(web_dir), token=token, cache_dir=cache_dir, limits=limits,
                     allowed_hosts=allowed, stop_timeout=stop_timeout, accounts=accounts, risk=risk,
                     live_dir=live_dir, live_poll=live_poll)
    sock = listen(host, port)
    port = sock.getsockname()[1]  # the one the system chose for port 0
    services = app.state.services

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            if not self.should_exit:
                log.info("stopping", extra={"fields": {"signal": signal.Signals(sig).name}})
                services.begin_stop()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_config=None, timeout_graceful_shutdown=stop_timeout, lifespan="on")
    signal.signal(signal.SIGTERM, _exit_cleanly)
    print(f"CrackTrader serving on http://{host}:{port}", flush=True)
    log.info("serving", extra={"fields": {"url": f"http://{host}:{port}", "pid": os.getpid()}})
    if generated:
        # Like Jupyter: a fresh token per start when none is configured, shown on the terminal
        # only (never in a log).
        if os.isatty(1):
            print(f"API token for this session (runs on the server): {token}", flush=True)
        else:
            log.warning("no token configured: server runs are disabled (set [server] token_file)")
    Server(config).run(sockets=[sock])

"""Where the built web app lives: in an installed wheel, `cracktrader/host/web` (put there by
setup.py); in a checkout, build/web (the output of `make web`)."""

import os
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "web"
REPO_BUILD = Path(__file__).resolve().parent.parent / "build" / "web"


class WebAppNotBuilt(RuntimeError):
    pass


def web_dir(explicit=None):
    """The built web app: `explicit`, else $CRACKTRADER_WEB_DIR, else the installed one, else
    the checkout's build/web."""
    chosen = explicit or os.environ.get("CRACKTRADER_WEB_DIR")
    path = Path(chosen) if chosen else PACKAGED if PACKAGED.is_dir() else REPO_BUILD
    if not (path / "index.html").is_file():
        raise WebAppNotBuilt(
            f"no built web app at {path} (index.html missing): run `make web`, or pass --web-dir"
        )
    return path

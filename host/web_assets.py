"""Where the built web app lives (the output of `make web`)."""

import os
from pathlib import Path

REPO_BUILD = Path(__file__).resolve().parent.parent / "build" / "web"


class WebAppNotBuilt(RuntimeError):
    pass


def web_dir(explicit=None):
    """The built web app: `explicit`, else $CRACKTRADER_WEB_DIR, else the checkout's build/web."""
    chosen = explicit or os.environ.get("CRACKTRADER_WEB_DIR")
    path = Path(chosen) if chosen else REPO_BUILD
    if not (path / "index.html").is_file():
        raise WebAppNotBuilt(
            f"no built web app at {path} (index.html missing): run `make web`, or pass --web-dir"
        )
    return path

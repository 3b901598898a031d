"""The server's log: one JSON object per line (for journald, Loki, jq) or plain text on a
terminal, to stderr and, when asked, to a file that rotates by size. uvicorn's records go
through it too (its access log as fields: client, method, path, status)."""

import json
import logging
import logging.handlers
import sys
import time

log = logging.getLogger("cracktrader")
# Only to the log file: a fatal start-up error, which stderr gets as the command's one line.
file_only = logging.getLogger("cracktrader-file")
file_only.propagate = False


def _fields(record):
    fields = dict(getattr(record, "fields", {}))
    if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
        client, method, path, _, status = record.args
        fields.update(client=client, method=method, path=path, status=status)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        entry = {"time": stamp, "level": record.levelname.lower(), "logger": record.name,
                 "message": record.getMessage(), **_fields(record)}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record):
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items() if record.name != "uvicorn.access")
        text = f"{time.strftime('%H:%M:%S')} {record.levelname.lower():7} {record.getMessage()}"
        text += f"  {fields}" if fields else ""
        return text + ("\n" + self.formatException(record.exc_info) if record.exc_info else "")


def setup(format="auto", level="info", file=None, max_mb=10, backups=5, stream=None):
    """Send the cracktrader and uvicorn loggers to stderr (and `file`, always JSON)."""
    stream = stream or sys.stderr
    if format == "auto":
        format = "text" if stream.isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if format == "text" else JsonFormatter())
    handlers = [handler]
    file_only.handlers[:] = [logging.NullHandler()]
    if file:
        rotating = logging.handlers.RotatingFileHandler(file, maxBytes=int(max_mb * 1_000_000), backupCount=backups)
        rotating.setFormatter(JsonFormatter())
        handlers.append(rotating)
        file_only.handlers[:] = [rotating]
    for name in ("cracktrader", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers if name in ("cracktrader", "uvicorn") else []
        logger.propagate = name not in ("cracktrader", "uvicorn")
        logger.setLevel(level.upper())

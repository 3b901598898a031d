"""A search's output folder keeps every finished trial as it finishes (`trials.jsonl`, one JSON
record a line after a header naming the search), so Ctrl+C or a crash loses only the trials
running; the same search run again with the same folder resumes from there. A different search
is refused, not mixed in.
"""

import json
from pathlib import Path

from .result import _clean

NAME = "trials.jsonl"


class Journal:
    def __init__(self, folder, identity):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / NAME
        self.identity = _clean(json.loads(json.dumps(identity, default=repr)))
        self.done = {}
        if self.path.exists() and self.path.stat().st_size:
            self._load()
        else:
            self.path.write_text(json.dumps({"search": self.identity}) + "\n")
        self.file = open(self.path, "a")

    def _load(self):
        lines = self.path.read_text().splitlines()
        try:
            head = json.loads(lines[0])["search"]
        except (ValueError, KeyError, IndexError):
            raise ValueError(f"{self.path}: not a CrackTrader search journal") from None
        if head != self.identity:
            changed = sorted(k for k in set(head) | set(self.identity) if head.get(k) != self.identity.get(k))
            raise ValueError(f"{self.folder} holds another search (different {', '.join(changed)}): "
                             "use another output folder, or delete it to start over")
        for line in lines[1:]:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the line being written when the process died
            self.done[record["trial"]] = record

    def append(self, record):
        self.file.write(json.dumps(_clean(record), allow_nan=False) + "\n")
        self.file.flush()

    def close(self):
        self.file.close()

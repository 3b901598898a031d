"""The search loop: the method proposes, the runner runs, each finished trial is recorded (and
journaled), the method is told, progress is reported with the best so far. Ctrl+C stops it and
keeps what finished."""

import math
import sys

IN_FLIGHT = 2  # chunks queued per worker: enough to keep them busy, few to drop on Ctrl+C


def run_search(method, runner, *, window=None, progress=None, journal=None):
    """Run the method's proposals on `runner` (started with the job); returns (records in trial
    order, interrupted). On Ctrl+C the trials still running are dropped: close the runner with
    cancel=True."""
    records = dict(journal.done) if journal else {}
    queue, pending = [], {}
    isolating = False  # after a worker died in a local pool: one trial at a time, to know which one kills
    interrupted = False
    try:
        while True:
            if not queue and not pending:
                queue = list(method.next_batch())
                if not queue:
                    break
            while queue and len(pending) < (1 if isolating else IN_FLIGHT * runner.workers):
                index, params = queue.pop(0)
                pending[runner.submit([(params, window)])] = [(index, params)]
            for future in runner.wait(pending):
                tasks = pending.pop(future)
                try:
                    results = future.result()
                except Exception as e:  # noqa: BLE001 - a dead worker fails its trials, not the search
                    if _worker_died(e) and hasattr(runner, "restart"):
                        runner.restart()  # a broken pool fails every task it held: run them again
                        if not isolating:
                            isolating = True
                            queue[:0] = [t for held in [tasks, *pending.values()] for t in held]
                            pending.clear()
                            break
                    results = [_failed(p, e) for _, p in tasks]
                for (index, _), record in zip(tasks, results):
                    record = {"trial": index, **record}
                    records[index] = record
                    method.tell(index, record)
                    if journal:
                        journal.append(record)
                if progress:
                    progress(len(records), method.total, records)
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted: keeping the {len(records)} finished trials", file=sys.stderr)
    finally:
        method.close()
        if journal:
            journal.close()
    return [records[k] for k in sorted(records)], interrupted


def _worker_died(error):
    return type(error).__name__ in ("BrokenProcessPool", "KilledWorker")


def _failed(params, error):
    reason = f"{type(error).__name__}: {error}"
    if _worker_died(error):
        reason = f"the worker running it died ({reason})"
    return {"params": dict(params), "status": "failed", "reason": reason, "objective": None, "stats": None,
            "engine": None, "seconds": None}


def best_index(records, objective):
    """The index (in `records`) of the best "ok" trial by the (single) objective; the first
    among ties; None if no trial is ok."""
    best, top = None, -math.inf
    for k, r in enumerate(records):
        if r["status"] != "ok":
            continue
        score = objective.score(r["objective"])
        if score is not None and score > top:
            best, top = k, score
    return best

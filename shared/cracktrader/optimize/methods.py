"""How a search proposes parameters: `grid` (every point), `random` (a seeded sample), `tpe` and
`cmaes` (Optuna's samplers, which learn from the trials told so far).

A method hands out batches (`next_batch()`, a list of (index, params); empty when done) and is
told each finished trial (`tell`). The next batch is asked only once the previous one has
finished, so the proposals depend on the seed and the results, never on which worker finished
first: the same search gives the same table on any executor.
"""

import math
import random

METHODS = ("grid", "random", "tpe", "cmaes")
DEFAULT_TRIALS = 100
MAX_REJECTED = 1000  # proposals in a row the constraint may reject before the search gives up


def method_for(name, space, *, max_trials=None, seed=0, constraint=None, batch=8, storage=None,
               directions=("maximize",), done=None):
    """The method `name` over `space`; `done` {index: record} are trials a resumed search has."""
    if name not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {name!r}")
    if max_trials is not None and (isinstance(max_trials, bool) or not isinstance(max_trials, int) or max_trials < 1):
        raise ValueError(f"max_trials must be an int >= 1, got {max_trials!r}")
    if constraint is not None and not callable(constraint):
        raise TypeError(f"constraint: expected a function of the params returning True to run them, got {constraint!r}")
    if name == "grid":
        return Points(_grid(space, constraint, max_trials), done)
    if name == "random":
        return Points(_random(space, constraint, max_trials or DEFAULT_TRIALS, seed), done)
    from .optuna_method import OptunaMethod

    return OptunaMethod(name, space, max_trials or DEFAULT_TRIALS, seed, constraint, batch, storage, directions, done)


def allowed(constraint, params):
    if constraint is None:
        return True
    try:
        return bool(constraint(dict(params)))
    except Exception as e:  # noqa: BLE001 - say which params broke it
        raise ValueError(f"constraint raised {type(e).__name__}: {e} (params {params})") from None


class Points:
    """A fixed list of points (grid, random): one batch, less those already done."""

    def __init__(self, points, done=None):
        self.points, self.done, self.given = points, done or {}, False
        for k, record in self.done.items():
            if k >= len(points) or record["params"] != points[k]:
                raise ValueError(f"the saved trial {k} ({record['params']}) is not this search's point {k}: "
                                 "use another output folder")

    @property
    def total(self):
        return len(self.points)

    def next_batch(self):
        if self.given:
            return []
        self.given = True
        return [(k, p) for k, p in enumerate(self.points) if k not in self.done]

    def tell(self, index, record):
        pass

    def close(self):
        pass


def _grid(space, constraint, max_trials):
    points = space.grid()
    kept = [p for p in points if allowed(constraint, p)]
    if not kept:
        raise ValueError(f"the constraint rejects all {len(points)} points of the grid: nothing to run")
    if max_trials is not None and len(kept) > max_trials:
        raise ValueError(f"the grid has {len(kept)} points, more than max_trials={max_trials}: "
                         "raise max_trials, narrow the space or use method='random'")
    return kept


def _random(space, constraint, count, seed):
    rng = random.Random(seed)
    if space.discrete() and space.size() <= 1_000_000:
        kept = [p for p in space.grid() if allowed(constraint, p)]
        if not kept:
            raise ValueError("the constraint rejects every point of the space: nothing to run")
        return rng.sample(kept, min(count, len(kept)))
    out, rejected = [], 0
    while len(out) < count:
        p = {name: _draw(rng, dim) for name, dim in space.dims.items()}
        if allowed(constraint, p):
            out.append(p)
            rejected = 0
        else:
            rejected += 1
            if rejected >= MAX_REJECTED:
                if not out:
                    raise ValueError(f"the constraint rejected {MAX_REJECTED} random points in a row: nothing to run")
                break
    return out


def _draw(rng, dim):
    values = dim.values
    if values is not None:
        return values[rng.randrange(len(values))]
    if dim.log:
        return math.exp(rng.uniform(math.log(dim.lo), math.log(dim.hi)))
    return rng.randint(dim.lo, dim.hi) if dim.integer else rng.uniform(dim.lo, dim.hi)


SAFE = {"abs": abs, "min": min, "max": max, "round": round}


def constraint_from_text(text, names):
    """A constraint written as a Python expression over the parameters' names ("fast < slow",
    "slow >= 2 * fast"), for the command line and the browser; None for empty text."""
    if text is None or not str(text).strip():
        return None
    import ast

    try:
        tree = ast.parse(str(text).strip(), "<constraint>", "eval")
    except SyntaxError as e:
        raise ValueError(f"constraint {text!r}: not an expression ({e.msg})") from None
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(SAFE)
    unknown = sorted(used - set(names))
    if unknown:
        raise ValueError(f"constraint {text!r}: {', '.join(unknown)} is not a parameter (parameters: {', '.join(names)})")
    if any(isinstance(n, (ast.Attribute, ast.Lambda, ast.Subscript)) for n in ast.walk(tree)):
        raise ValueError(f"constraint {text!r}: only names, numbers, comparisons and arithmetic")
    code = compile(tree, "<constraint>", "eval")

    def constraint(params):
        return eval(code, {"__builtins__": {}, **SAFE}, dict(params))  # only the names checked above

    constraint.__name__ = constraint.__qualname__ = str(text).strip()
    return constraint

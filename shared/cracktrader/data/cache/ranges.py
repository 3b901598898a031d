"""Sets of time ranges: sorted, disjoint, non-adjacent [start, end) pairs of UTC ms.

The cache records which ranges it has fetched ("covered") and which of those the exchange has
no bars for ("gaps"); what to fetch next is the wanted range minus the covered ones.
"""


def normalize(ranges):
    """Sorted, merged, without empty ranges."""
    out = []
    for start, end in sorted((int(a), int(b)) for a, b in ranges if b > a):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [tuple(r) for r in out]


def union(a, b):
    return normalize([*a, *b])


def subtract(a, b):
    """The parts of ranges `a` outside all ranges `b`."""
    out = []
    b = normalize(b)
    for start, end in normalize(a):
        for bs, be in b:
            if be <= start or bs >= end:
                continue
            if bs > start:
                out.append((start, bs))
            start = max(start, be)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def intersect(a, b):
    return subtract(a, subtract(a, b))


def total(ranges):
    return sum(end - start for start, end in ranges)

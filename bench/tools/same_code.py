"""Which functions two builds of the kernels compile to the same code: the evidence that a change
to the bindings or the module layout leaves the kernels' speed alone, where timings on a loaded
machine drift more than the change could move them.

Native builds (.so): each function's instructions, disassembled by objdump, with addresses and
symbol hashes left out. WASM builds (.wasm): each function's body, by the names in the name
section; bodies that differ only in the function indices and data addresses they refer to
(which shift with any change elsewhere in the crate) have the same length and are counted apart. Paths that only moved (`indicators::drivers::check` for
`indicators::check`) are matched by --moved.

    python bench/tools/same_code.py /tmp/before.so shared/cracktrader/_native.abi3.so
    python bench/tools/same_code.py /tmp/before.wasm build/kernels/cracktrader_kernels_bg.wasm

usage: python bench/tools/same_code.py A B [--only REGEX] [--moved REGEX]
"""

import argparse
import re
import subprocess

HASH = re.compile(r"(::)?h[0-9a-f]{16}E?$")


def native(path):
    """Symbol -> its instructions, addresses and the disassembler's comments left out (the
    bodies of symbols sharing a name, such as a function's closures, in sorted order)."""
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", path], capture_output=True, text=True,
                          check=True).stdout
    bodies, body = {}, None
    for line in text.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if head:
            body = []
            bodies.setdefault(HASH.sub("", head.group(1)), []).append(body)
        elif body is not None and "\t" in line:
            instruction = line.split("\t", 1)[1].split("#")[0]
            body.append(re.sub(r"\b(0x)?[0-9a-f]{4,}\b|<[^>]*>", "", instruction).strip())
    return {name: sum(sorted(same_name), []) for name, same_name in bodies.items()}


def _leb(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def wasm(path):
    """Function name -> its body's bytes (of functions sharing a name, in sorted order)."""
    data = open(path, "rb").read()
    imported, bodies, names, i = 0, [], {}, 8
    while i < len(data):
        section, (size, i) = data[i], _leb(data, i + 1)
        end, k = i + size, i
        if section == 2:  # imports: functions among them take the first indices
            count, k = _leb(data, k)
            for _ in range(count):
                for _ in range(2):  # module and field names
                    length, k = _leb(data, k)
                    k += length
                kind, k = data[k], k + 1
                if kind == 0:
                    imported += 1
                    _, k = _leb(data, k)
                elif kind == 3:
                    k += 2
                else:  # table or memory: limits
                    k += kind == 1
                    flags, k = _leb(data, k)
                    _, k = _leb(data, k)
                    if flags & 1:
                        _, k = _leb(data, k)
        elif section == 10:  # code
            count, k = _leb(data, k)
            for _ in range(count):
                length, k = _leb(data, k)
                bodies.append(data[k:k + length])
                k += length
        elif section == 0 and data[k + 1:k + 5] == b"name":
            k += 5
            while k < end:
                sub, (length, k) = data[k], _leb(data, k + 1)
                if sub == 1:  # function names
                    count, m = _leb(data, k)
                    for _ in range(count):
                        index, m = _leb(data, m)
                        n, m = _leb(data, m)
                        names[index] = data[m:m + n].decode(errors="replace")
                        m += n
                k += length
        i = end
    grouped = {}
    for j, body in enumerate(bodies):
        grouped.setdefault(HASH.sub("", names.get(imported + j, f"#{j}")), []).append(body)
    return {name: b"".join(sorted(same_name)) for name, same_name in grouped.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--only", default="indicators", help="functions whose name matches (default: indicators)")
    parser.add_argument("--moved", default=r"::(drivers|float)(?=::)",
                        help="path parts to drop before matching names (default: the indicators' split modules)")
    args = parser.parse_args()
    read = wasm if args.a.endswith(".wasm") else native
    a, b = ({re.sub(args.moved, "", name): code for name, code in read(path).items() if re.search(args.only, name)}
            for path in (args.a, args.b))
    both = sorted(set(a) & set(b))
    same = [n for n in both if a[n] == b[n]]
    same_length = [n for n in both if a[n] != b[n] and len(a[n]) == len(b[n])]
    print(f"{len(a)} functions in A, {len(b)} in B, {len(both)} in both: {len(same)} the same code"
          + (f", {len(same_length)} of the same length" if read is wasm else ""))
    for name in both:
        if name not in same and (read is native or name not in same_length):
            print(f"  differs: {name} ({len(a[name])} / {len(b[name])})")
    for name in sorted(set(a) ^ set(b)):
        print(f"  only in {'A' if name in a else 'B'}: {name}")


if __name__ == "__main__":
    main()

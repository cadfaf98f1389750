#!/usr/bin/env python3
"""A/B of two policy-diff builds, command by command, runs alternating.

    benches/ab.py OLD_BIN OLD_CORPUS OLD_INDEX NEW_BIN NEW_CORPUS NEW_INDEX [ROUNDS]

Each binary reads its own corpus and index (indexes of different schema
versions cannot be shared). For every command below: one warm-up each, then
ROUNDS rounds (default 21), old/new order alternating, and the medians of
wall time (perf_counter) and CPU time (user + system of the child, from
getrusage), which is the steadier figure on a shared machine. Prints a
Markdown table and the load average before and after.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ["search", "人才", "--limit", "10"],
    ["search", "土地", "出让", "--limit", "10"],
    ["search", "财政", "资金", "--limit", "10"],
    ["search", "财政", "--limit", "10"],
    ["search", "人才", "公寓", "--limit", "10"],
    ["search", '"高质量发展"', "--limit", "10"],
    ["search", '"人民代表大会常务委员会"', "--limit", "10"],
    ["search", '"知识产权"', "--limit", "10"],
    ["search", '"一级财政"', "--limit", "10"],
    ["show", "lyg-2022-32:3"],
]


def run(side, args):
    binary, corpus, index = side
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [binary, "--corpus", corpus, "--index", index, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    sides = {"old": sys.argv[1:4], "new": sys.argv[4:7]}
    rounds = int(sys.argv[7]) if len(sys.argv) == 8 else 21
    print("load average", os.getloadavg())
    print("| command | old wall | new wall | new/old wall | old CPU | new CPU | new/old CPU |")
    print("|---|---|---|---|---|---|---|")
    for args in COMMANDS:
        for side in sides.values():
            run(side, args)
        times = {name: ([], []) for name in sides}
        for k in range(rounds):
            for name in ("old", "new") if k % 2 == 0 else ("new", "old"):
                wall, cpu = run(sides[name], args)
                times[name][0].append(wall)
                times[name][1].append(cpu)
        m = {n: (statistics.median(w), statistics.median(c)) for n, (w, c) in times.items()}
        print(
            f"| `{' '.join(args)}` | {m['old'][0]:.1f} | {m['new'][0]:.1f} | "
            f"{m['new'][0] / m['old'][0]:.2f} | {m['old'][1]:.1f} | {m['new'][1]:.1f} | "
            f"{m['new'][1] / m['old'][1]:.2f} |",
            flush=True,
        )
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()

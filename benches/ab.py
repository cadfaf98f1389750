#!/usr/bin/env python3
"""A/B of two policy-diff builds, command by command, runs alternating.

    benches/ab.py [--commands SET] OLD_BIN OLD_CORPUS OLD_INDEX NEW_BIN NEW_CORPUS NEW_INDEX [ROUNDS]
    benches/ab.py [--commands SET] --shared CORPUS OLD_BIN NEW_BIN [ROUNDS]

The first form: each binary reads its own corpus and index (indexes of
different schema or parser versions cannot be shared). The second
(`--shared`): CORPUS is copied to a scratch directory (never written in
place) and indexed once by OLD_BIN; both binaries read that index (for two
builds of the same index format: issue 21's reading path).

SET is the list of commands (default `search`):
  search   the ranking queries of issue 16 and one `show`;
  reading  one of each reading command on the bundled corpus: docs, show,
           export, search (text and JSON), topics, compare, diff;
  faults   issue 21's reading path: search, show and docs in text and JSON.

For every command: one warm-up each, then ROUNDS rounds (default 21),
old/new order alternating, and the medians of wall time (perf_counter)
and CPU time (user + system of the child and all its threads, from
getrusage), which is the steadier figure on a shared machine. Prints a
Markdown table and the load average before and after.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "search": [
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
    ],
    "reading": [
        ["docs"],
        ["show", "lyg-2022-32"],
        ["export"],
        ["search", "人才", "-n", "20"],
        ["search", "金融", "OR", "融资", "--format", "json", "-n", "12"],
        ["topics"],
        ["compare", "--topic", "talent"],
        ["diff", "lyg-2022-32", "nt-2021-23"],
    ],
    "faults": [
        ["search", "人才公寓"],
        ["search", '"反不正当竞争"', "--format", "json"],
        ["show", "lyg-2022-32"],
        ["show", "lyg-2022-32:9", "--format", "json"],
        ["docs", "--format", "json"],
    ],
}


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


def compare(sides, commands, rounds):
    print("load average", os.getloadavg())
    print("| command | old wall | new wall | new/old wall | old CPU | new CPU | new/old CPU |")
    print("|---|---|---|---|---|---|---|")
    for args in commands:
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


def main():
    argv = sys.argv[1:]
    commands = COMMANDS["search"]
    if argv[:1] == ["--commands"] and len(argv) >= 2 and argv[1] in COMMANDS:
        commands = COMMANDS[argv[1]]
        argv = argv[2:]
    if argv[:1] == ["--shared"]:
        if len(argv) not in (4, 5):
            sys.exit(__doc__)
        corpus, old, new = argv[1:4]
        rounds = int(argv[4]) if len(argv) == 5 else 21
        with tempfile.TemporaryDirectory(prefix="ab-") as work:
            shared = os.path.join(work, "corpus")
            index = os.path.join(work, "index")
            shutil.copytree(corpus, shared)
            subprocess.run(
                [old, "--corpus", shared, "--index", index, "index"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            compare({"old": (old, shared, index), "new": (new, shared, index)}, commands, rounds)
        return
    if len(argv) not in (6, 7):
        sys.exit(__doc__)
    sides = {"old": argv[0:3], "new": argv[3:6]}
    rounds = int(argv[6]) if len(argv) == 7 else 21
    compare(sides, commands, rounds)


if __name__ == "__main__":
    main()

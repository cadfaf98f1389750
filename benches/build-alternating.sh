#!/usr/bin/env bash
# Index builds of policy-diff against SQLite FTS5 (trigram, as benches/peers.sh
# loads it), taken in turn round after round, so that both see the same
# machine (on a shared machine the speed moves by more than a change does):
# per round one `index --rebuild` of each policy-diff binary given, then one
# FTS5 build of the same files. Prints every time, the medians, and FTS5's
# median over each binary's.
#
#   benches/build-alternating.sh ROUNDS CORPUS SRC PD [BASE_PD]
#   benches/build-alternating.sh 7 /tmp/c1 /tmp/corpora/x1/src target/release/policy-diff
#
# CORPUS is a policy-diff corpus (a `cp -al` copy of CORPORA's, as peers.sh
# makes: a build writes beside the catalog),
# SRC the folder of the same files for FTS5. Indexes and the database are
# made in a temporary folder, removed at the end.
set -euo pipefail
ROUNDS=$1 CORPUS=$2 SRC=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now_ms() { date +%s%3N; }
declare -A times
for _ in $(seq "$ROUNDS"); do
  n=0
  for pd in "$@"; do
    n=$((n + 1))
    rm -rf "$work/index-$n"
    a=$(now_ms)
    "$pd" --corpus "$CORPUS" --index "$work/index-$n" index --rebuild >/dev/null
    b=$(now_ms)
    times[pd$n]+=" $((b - a))"
  done
  rm -f "$work/fts.db"
  a=$(now_ms)
  python3 "$(dirname "$0")/peers/fts5_load.py" "$SRC" "$work/fts.db"
  b=$(now_ms)
  times[fts5]+=" $((b - a))"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
fts=$(median <<<"${times[fts5]}")
echo "FTS5 trigram:${times[fts5]} ms; median $fts ms"
n=0
for pd in "$@"; do
  n=$((n + 1))
  m=$(median <<<"${times[pd$n]}")
  echo "$pd:${times[pd$n]} ms; median $m ms; FTS5 / policy-diff $(python3 -c "print(f'{$fts / $m:.2f}')")"
done

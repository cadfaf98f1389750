#!/usr/bin/env bash
# Phrase searches of policy-diff against SQLite FTS5 (trigram, sqlite3 CLI),
# with hyperfine (a process's own time, no `date` around it): per scale and
# phrase, policy-diff's runs then sqlite3's; prints the medians and their
# ratio. The indexes and FTS5 databases are made beforehand (the FTS5 one as
# benches/peers.sh makes it); run `policy-diff index` once with PD on each
# index first, so that it has PD's taxonomy memo.
#
#   benches/phrases-hyperfine.sh PD RUNS LABEL:CORPUS:INDEX:FTS_DB...
#   benches/phrases-hyperfine.sh target/release/policy-diff 20 x1:x1/corpus:x1/index:x1/fts.db x64:...
set -euo pipefail
PD=$1 RUNS=$2
shift 2
command -v hyperfine >/dev/null || { echo "needs hyperfine (cargo install hyperfine)" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for scale in "$@"; do
  IFS=: read -r label corpus index db <<<"$scale"
  for q in 瞿瞿瞿 一级财政 知识产权 高质量发展 人民代表大会常务委员会; do
    hyperfine -N -w 3 -r "$RUNS" --export-json "$out" \
      "$PD --corpus $corpus --index $index search '\"$q\"' --limit 10" \
      "sqlite3 $db \"select count(*) from docs where body match '\\\"$q\\\"'; select path, snippet(docs, 1, '[', ']', '…', 20) from docs where body match '\\\"$q\\\"' order by rank limit 10\"" \
      >/dev/null 2>&1
    python3 - "$out" "$label" "$q" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = (statistics.median(x["times"]) * 1000 for x in r)
print(f"{sys.argv[2]} {sys.argv[3]}: policy-diff {a:.1f} ms, FTS5 {b:.1f} ms, ratio {a / b:.2f}")
PY
  done
done
echo "load $(cut -d' ' -f1 /proc/loadavg)"

#!/usr/bin/env bash
# The phrase rows of benches/peers.sh on indexes and an FTS5 database made
# before (x64 builds take minutes: build once, measure many times), with
# two policy-diff builds side by side: base, new, SQLite FTS5 trigram and
# rg alternate query by query, RUNS times each; medians and p95 of wall
# time (ms), and policy-diff's CPU time (perf stat task-clock, mean).
#
#   BASE=/tmp/pd-main BASE_CORPUS=… BASE_INDEX=… \
#   PD=target/release/policy-diff CORPUS=… INDEX=… \
#   FTS=/path/fts.db SRC=/path/src RUNS=15 benches/phrases.sh
#
# FTS or SRC empty: that peer is not run.
#
# FTS5 does the job policy-diff does: the number of matches and the 10
# best by BM25 (`order by rank`) with a snippet (see benches/peers.sh).
set -euo pipefail
RUNS=${RUNS:-15}
PHRASES=${PHRASES:-"高质量发展 人民代表大会常务委员会 知识产权 一级财政 瞿瞿瞿"}
now_ns() { date +%s%N; }
one() { local a b; a=$(now_ns); "$@" >/dev/null 2>&1 || true; b=$(now_ns); echo $(((b - a) / 1000)); }
stats() { python3 -c 'import sys,statistics as s; v=sorted(float(x)/1000 for x in sys.stdin.read().split()); print(f"{s.median(v):.1f} {v[min(len(v)-1, int(round(0.95*(len(v)-1))))]:.1f}")'; }
cpu() { perf stat -x, -e task-clock -r "$RUNS" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{printf "%.1f", $1; exit}'; }
fts() { sqlite3 "$FTS" "select count(*) from docs where body match '\"$1\"'; select path, snippet(docs, 1, '[', ']', '…', 20) from docs where body match '\"$1\"' order by rank limit 10"; }
echo "| phrase | base (median/p95 ms; CPU) | new (median/p95 ms; CPU) | SQLite FTS5 trigram | rg | new/FTS5 | new/rg | load |"
echo "|---|---|---|---|---|---|---|---|"
for p in $PHRASES; do
  b=(); n=(); f=(); r=()
  for _ in $(seq "$RUNS"); do
    b+=("$(one "$BASE" --corpus "$BASE_CORPUS" --index "$BASE_INDEX" search "\"$p\"" --limit 10)")
    n+=("$(one "$PD" --corpus "$CORPUS" --index "$INDEX" search "\"$p\"" --limit 10)")
    if [ -n "${FTS:-}" ]; then f+=("$(one fts "$p")"); else f+=(0); fi
    if [ -n "${SRC:-}" ]; then r+=("$(one rg -c -F "$p" "$SRC")"); fi
  done
  read -r bm bp < <(printf '%s\n' "${b[@]}" | stats)
  read -r nm np < <(printf '%s\n' "${n[@]}" | stats)
  read -r fm fp < <(printf '%s\n' "${f[@]}" | stats)
  if [ -n "${SRC:-}" ]; then read -r rm rp < <(printf '%s\n' "${r[@]}" | stats); else rm=0; rp=0; fi
  bc=$(cpu "$BASE" --corpus "$BASE_CORPUS" --index "$BASE_INDEX" search "\"$p\"" --limit 10)
  nc=$(cpu "$PD" --corpus "$CORPUS" --index "$INDEX" search "\"$p\"" --limit 10)
  echo "| \"$p\" | $bm/$bp; $bc | **$nm/$np; $nc** | $fm/$fp | $rm/$rp | $(python3 -c "print(f'{$nm/$fm:.2f}' if $fm else '-')") | $(python3 -c "print(f'{$nm/max($rm,0.1):.2f}')") | $(cut -d' ' -f1 /proc/loadavg) |"
done

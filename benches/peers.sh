#!/usr/bin/env bash
# Whole-command benchmarks of policy-diff against what a researcher would
# otherwise use, on the laws bench corpus and x4 / x16 replicas of it.
#
#   benches/peers.sh                 # full suite (x1, x4, x16); ~15 minutes
#   SCALES=1 benches/peers.sh        # x1 only
#   RUNS=30 benches/peers.sh         # more repetitions per query
#   INPROCESS=0 benches/peers.sh     # skip the in-process stage benchmarks
#
# Peers: ripgrep (phrase search over the files), SQLite FTS5 with the trigram
# tokenizer (phrase search), Python jieba + Whoosh (indexing, ranked search;
# x1 only: it takes minutes). They are installed here from Debian and PyPI.
# Prints a Markdown table (also written to benches/last-run.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAWS=${LAWS:-$ROOT/../shared/bench-corpus/laws}
SEEDS=${SEEDS:-$ROOT/../shared/seeds}
SCALES=${SCALES:-"1 4 16"}
RUNS=${RUNS:-15}
WORK=$(mktemp -d /tmp/pd-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
OUT=$ROOT/benches/last-run.md

log() { printf '%s\n' "$*" >&2; }

# --- peers ---------------------------------------------------------------
if ! command -v rg >/dev/null || ! command -v sqlite3 >/dev/null; then
  log "installing ripgrep and sqlite3 (Debian)"
  (apt-get update -qq && apt-get install -y -qq ripgrep sqlite3) >/dev/null
fi
VENV=${VENV:-$HOME/.cache/policy-diff-bench-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import jieba, whoosh' 2>/dev/null; then
  log "installing jieba and whoosh (PyPI) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q jieba whoosh
fi
PY=$VENV/bin/python

# --- build ---------------------------------------------------------------
log "building policy-diff (release)"
(cd "$ROOT" && cargo build --release -q)
BIN=$ROOT/target/release/policy-diff

# --- helpers -------------------------------------------------------------
now_ms() { date +%s%3N; }
# time_runs N cmd... : run N times, print "median p95" in ms
time_runs() {
  local n=$1; shift
  local ts=()
  for _ in $(seq "$n"); do
    local a; a=$(now_ms); "$@" >/dev/null 2>&1; local b; b=$(now_ms)
    ts+=($((b - a)))
  done
  printf '%s\n' "${ts[@]}" | python3 -c 'import sys,statistics as s; v=sorted(int(x) for x in sys.stdin); print(f"{s.median(v):.0f} {v[min(len(v)-1, int(round(0.95*(len(v)-1))))]:.0f}")'
}
wall() { local a; a=$(now_ms); "$@" >/dev/null 2>&1; local b; b=$(now_ms); echo $((b - a)); }
peak_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

make_src() { # scale -> $WORK/xN/src with N distinct copies of the laws plus the seeds
  local scale=$1 dst=$WORK/x$1/src
  mkdir -p "$dst/seeds"
  cp "$SEEDS"/*.txt "$dst/seeds/"
  for k in $(seq "$scale"); do
    mkdir -p "$dst/copy$k"
    find "$LAWS" -name '*.md' ! -name '_index.md' -print0 | while IFS= read -r -d '' f; do
      local name; name=$(basename "$f")
      if [ "$k" = 1 ]; then cp "$f" "$dst/copy$k/$name"
      else { printf '副本 %s\n\n' "$k"; cat "$f"; } > "$dst/copy$k/$name"; fi
    done
  done
}

PHRASES=("高质量发展" "人民代表大会常务委员会" "知识产权" "一级财政")
WORDS=("人才" "土地 出让" "财政 资金")

rows=()
row() { rows+=("| $* |"); log "| $* |"; }

for scale in $SCALES; do
  log "== x$scale: preparing"
  make_src "$scale"
  SRC=$WORK/x$scale/src
  CORPUS=$WORK/x$scale/corpus; INDEX=$WORK/x$scale/index
  mkdir -p "$CORPUS"
  find "$SRC" -type f -print0 | xargs -0 -n 4000 "$BIN" --corpus "$CORPUS" --index "$INDEX" add --no-index >/dev/null 2>&1 || true
  MB=$(du -sm "$CORPUS/docs" | cut -f1)
  ndocs=$(ls "$CORPUS/docs" | wc -l)

  # index build from nothing (the median of BUILDS runs, default 3 at x1, 1 above)
  builds=${BUILDS:-$([ "$scale" = 1 ] && echo 3 || echo 1)}
  times=(); kb=0
  for _ in $(seq "$builds"); do
    rm -rf "$INDEX"
    a=$(now_ms); k=$(peak_kb "$BIN" --corpus "$CORPUS" --index "$INDEX" index --rebuild); b=$(now_ms)
    times+=($((b - a))); [ "$k" -gt "$kb" ] && kb=$k
  done
  ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (builds + 1) / 2 ))p")
  row "x$scale | index build ($ndocs docs, ${MB} MB) | policy-diff | ${ms} ms (median of $builds: ${times[*]}) | $(python3 -c "print(f'{$MB/($ms/1000):.1f}')") MB/s | peak $((kb / 1024)) MB"

  # incremental add of one document
  newdoc=$WORK/new.txt
  { printf '新增文件 %s\n\n' "$scale"; cat "$SEEDS/003_bf24ec690b28321d.txt"; } > "$newdoc"
  ms=$(wall "$BIN" --corpus "$CORPUS" --index "$INDEX" add "$newdoc")
  row "x$scale | add one document | policy-diff | ${ms} ms | | "

  # SQLite FTS5 trigram
  DB=$WORK/x$scale/fts.db
  a=$(now_ms)
  python3 - "$SRC" "$DB" <<'PY'
import os, sqlite3, sys
src, db = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("create virtual table docs using fts5(path unindexed, body, tokenize='trigram')")
for root, _, files in os.walk(src):
    for f in files:
        p = os.path.join(root, f)
        c.execute("insert into docs values (?, ?)", (p, open(p, encoding='utf-8', errors='replace').read()))
c.commit()
PY
  b=$(now_ms)
  row "x$scale | index build | SQLite FTS5 trigram | $((b - a)) ms | $(python3 -c "print(f'{$MB/(($b-$a)/1000):.1f}')") MB/s | "

  for p in "${PHRASES[@]}"; do
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" search "\"$p\"" --limit 10)
    read -r rmed rp95 < <(time_runs "$RUNS" rg -c -F "$p" "$SRC")
    read -r smed sp95 < <(time_runs "$RUNS" sqlite3 "$DB" "select count(*) from docs where body match '\"$p\"'; select path, snippet(docs, 1, '[', ']', '…', 20) from docs where body match '\"$p\"' limit 10")
    row "x$scale | phrase \"$p\" | policy-diff ${med}/${p95} ms · rg ${rmed}/${rp95} ms · FTS5 ${smed}/${sp95} ms | ratio vs rg $(python3 -c "print(f'{$med/max($rmed,1):.2f}')") | median/p95 |"
  done
  for w in "${WORDS[@]}"; do
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" search "$w" --limit 10)
    row "x$scale | ranked \"$w\" | policy-diff | ${med}/${p95} ms | | median/p95 |"
  done

  if [ "$scale" = 1 ]; then
    WIX=$WORK/whoosh
    a=$(now_ms); "$PY" "$ROOT/benches/peers/whoosh_bench.py" index "$SRC" "$WIX"; b=$(now_ms)
    row "x1 | index build | jieba + Whoosh | $((b - a)) ms | $(python3 -c "print(f'{$MB/(($b-$a)/1000):.2f}')") MB/s | "
    for w in "${WORDS[@]}"; do
      read -r med p95 < <(time_runs 5 "$PY" "$ROOT/benches/peers/whoosh_bench.py" search "$WIX" "$w")
      row "x1 | ranked \"$w\" | jieba + Whoosh | ${med}/${p95} ms | | median/p95 |"
    done
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" reuse lyg-2022-32 --format json)
    row "x1 | reuse lyg-2022-32 | policy-diff | ${med}/${p95} ms | | median/p95 |"
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" diff lyg-2022-32 nt-2021-23 --format json)
    row "x1 | diff lyg-2022-32 nt-2021-23 | policy-diff | ${med}/${p95} ms | | median/p95 |"
    if "$BIN" --corpus "$CORPUS" --index "$INDEX" compare --topic talent --format json >/dev/null 2>&1; then
      read -r med p95 < <(time_runs 5 "$BIN" --corpus "$CORPUS" --index "$INDEX" compare --topic talent --format json)
      row "x1 | compare --topic talent | policy-diff | ${med}/${p95} ms | | median/p95 |"
    fi
  fi
  # start-up cost: a query for something absent (dictionary load + index open)
  read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" search '"瞿瞿瞿"' --limit 1)
  row "x$scale | start-up (absent phrase) | policy-diff | ${med}/${p95} ms | | median/p95 |"
done

{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; command: benches/peers.sh (SCALES=\"$SCALES\" RUNS=$RUNS)"
  echo
  echo "| scale | job | tool | time | throughput / ratio | notes |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT"

# In-process throughput of each stage (divan; INPROCESS=0 skips it).
if [ "${INPROCESS:-1}" != 0 ]; then
  log "== in-process stage benchmarks (cargo bench --bench inprocess)"
  { echo; echo '```'; (cd "$ROOT" && cargo bench -q --bench inprocess 2>/dev/null); echo '```'; } | tee -a "$OUT"
fi

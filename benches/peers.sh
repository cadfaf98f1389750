#!/usr/bin/env bash
# Whole-command benchmarks of policy-diff against what a researcher would
# otherwise use, on the laws bench corpus and replicas of it (x4, x16, x64),
# with a plot of how each cost grows with the corpus.
#
#   benches/peers.sh                       # x1 x4 x16 x64 (hours: see PEERS_Xn)
#   SCALES="1 16" benches/peers.sh         # some scales only
#   RUNS=30 benches/peers.sh               # more repetitions per query (default 15)
#   PEERS_X16="rg fts5" benches/peers.sh   # the peers run at x16 (rg, fts5, whoosh)
#   BASE=/path/to/old/policy-diff benches/peers.sh   # A/B: the same jobs with
#                                          # another build, alternating, on a
#                                          # hard-linked copy of the corpus
#   INPROCESS=0 benches/peers.sh           # skip the in-process stage benchmarks
#   PD=/path/to/policy-diff benches/peers.sh  # measure that build (no cargo build)
#   CORPORA=/tmp/corpora benches/peers.sh  # reuse corpora made before: for each
#                                          # scale, CORPORA/xN/src (the files) and
#                                          # CORPORA/xN/corpus (added with
#                                          # --no-index), hard-linked, not changed
#
# Every row ends with the 1-minute load average when it was measured (the
# machine is shared); CPU time (user + sys, or perf's task-clock when perf is
# installed) is given beside wall time where the load makes wall time noisy.
#
# Peers: ripgrep (phrase search over the files), SQLite FTS5 with the trigram
# tokenizer (phrase search; the sqlite3 CLI), Python jieba + Whoosh (indexing,
# ranked search). They are installed here from Debian and PyPI. By default
# every peer runs at x1 and x4, and rg and FTS5 above (jieba + Whoosh takes
# ~40 s per x1 of corpus to index: ~10 min at x16, ~45 min at x64); set
# PEERS_X<scale> to choose. The output says which ran.
#
# Writes benches/last-run.md (the table), benches/last-run.tsv (one
# measurement a line: scale, MB, tool, metric, value) and benches/last-run.svg
# (benches/peers/plot.py: build time, peak memory, start-up, phrase and ranked
# search, add one document, against corpus size, per tool).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAWS=${LAWS:-$ROOT/../shared/bench-corpus/laws}
SEEDS=${SEEDS:-$ROOT/../shared/seeds}
SCALES=${SCALES:-"1 4 16 64"}
RUNS=${RUNS:-15}
BASE=${BASE:-}
WORK=$(mktemp -d /tmp/pd-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
OUT=$ROOT/benches/last-run.md
TSV=$ROOT/benches/last-run.tsv
SVG=$ROOT/benches/last-run.svg

log() { printf '%s\n' "$*" >&2; }
peers_at() { # scale -> the peers to run at that scale
  local v="PEERS_X$1"
  if [ -n "${!v+x}" ]; then echo "${!v}"
  elif [ "$1" -le 4 ]; then echo "rg fts5 whoosh"
  else echo "rg fts5"; fi
}
wants() { [[ " $(peers_at "$1") " == *" $2 "* ]]; }

# --- peers ---------------------------------------------------------------
if ! command -v rg >/dev/null || ! command -v sqlite3 >/dev/null; then
  log "installing ripgrep and sqlite3 (Debian)"
  (apt-get update -qq && apt-get install -y -qq ripgrep sqlite3) >/dev/null
fi
VENV=${VENV:-$HOME/.cache/policy-diff-bench-venv}
need_whoosh=0
for s in $SCALES; do wants "$s" whoosh && need_whoosh=1; done
if [ "$need_whoosh" = 1 ] && { [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import jieba, whoosh' 2>/dev/null; }; then
  log "installing jieba and whoosh (PyPI) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q jieba whoosh
fi
PY=$VENV/bin/python

# --- build ---------------------------------------------------------------
if [ -n "${PD:-}" ]; then
  BIN=$PD  # a build made before (PD=path/to/policy-diff)
else
  log "building policy-diff (release)"
  (cd "$ROOT" && cargo build --release -q)
  BIN=$ROOT/target/release/policy-diff
fi

# --- helpers -------------------------------------------------------------
now_ms() { date +%s%3N; }
# median_p95 < times : "median p95" of a list of ms
median_p95() { python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.stdin.read().split()); print(f"{s.median(v):.0f} {v[min(len(v)-1, int(round(0.95*(len(v)-1))))]:.0f}")'; }
one_ms() { local a; a=$(now_ms); "$@" >/dev/null 2>&1 || true; local b; b=$(now_ms); echo $((b - a)); }
# time_runs N cmd... : run N times, print "median p95" in ms
time_runs() {
  local n=$1; shift
  for _ in $(seq "$n"); do one_ms "$@"; done | median_p95
}
# time_ab N -- cmdA... -- cmdB... : alternate A and B, print "medA p95A medB p95B"
time_ab() {
  local n=$1; shift 2
  local a=() b=()
  while [ "$1" != -- ]; do a+=("$1"); shift; done; shift
  b=("$@")
  local ta=() tb=()
  for _ in $(seq "$n"); do ta+=("$(one_ms "${a[@]}")"); tb+=("$(one_ms "${b[@]}")"); done
  echo "$(printf '%s\n' "${ta[@]}" | median_p95) $(printf '%s\n' "${tb[@]}" | median_p95)"
}
peak_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
# peak_cpu cmd... : "peak_kb cpu_ms" (user + sys) of one run
peak_cpu() { /usr/bin/time -f '%M %U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%d %.0f\n", $1, ($2 + $3) * 1000}'; }
# cpu_ms N cmd... : mean task-clock (ms, all threads) of N runs, or "-" without perf
cpu_ms() {
  local n=$1; shift
  if command -v perf >/dev/null; then
    perf stat -x, -e task-clock -r "$n" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{printf "%.1f\n", $1; exit}'
  else echo -; fi
}
load1() { cut -d' ' -f1 /proc/loadavg; }

make_src() { # scale -> $WORK/xN/src: N distinct copies of the laws plus the seeds
  python3 - "$LAWS" "$SEEDS" "$WORK/x$1/src" "$1" <<'PY'
import os, shutil, sys
laws, seeds, dst, scale = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
os.makedirs(os.path.join(dst, "seeds"), exist_ok=True)
for f in sorted(os.listdir(seeds)):
    if f.endswith(".txt"):
        shutil.copy(os.path.join(seeds, f), os.path.join(dst, "seeds", f))
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(laws) for f in fs
               if f.endswith(".md") and f != "_index.md")
for k in range(1, scale + 1):
    d = os.path.join(dst, f"copy{k}")
    os.makedirs(d, exist_ok=True)
    for p in files:
        with open(p, "rb") as fh:
            body = fh.read()
        with open(os.path.join(d, os.path.basename(p)), "wb") as out:
            if k > 1:
                out.write(f"副本 {k}\n\n".encode())
            out.write(body)
PY
}

PHRASES=("高质量发展" "人民代表大会常务委员会" "知识产权" "一级财政")
WORDS=("人才" "土地 出让" "财政 资金")

rows=()
# row CELLS : a table row (6 cells, padded) with the load average as its last
row() {
  local r l; l=$(load1)
  r=$(printf '%s' "$*" | sed -E 's/[ |]+$//')
  while [ "$(printf '%s' "$r" | tr -cd '|' | wc -c)" -lt 5 ]; do r="$r | "; done
  rows+=("| $r | $l |"); log "| $r | $l |"
}
echo -e "scale\tmb\ttool\tmetric\tvalue" > "$TSV"
tsv() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TSV"; }
ran=()

for scale in $SCALES; do
  log "== x$scale: preparing (peers: $(peers_at "$scale"))"
  ran+=("x$scale: policy-diff${BASE:+, policy-diff (base)}, $(peers_at "$scale" | sed 's/fts5/SQLite FTS5/; s/whoosh/jieba + Whoosh/')")
  CORPUS=$WORK/x$scale/corpus; INDEX=$WORK/x$scale/index
  if [ -n "${CORPORA:-}" ] && [ -d "$CORPORA/x$scale/src" ] && [ -d "$CORPORA/x$scale/corpus" ]; then
    # Documents are only ever replaced by renames: the hard-linked copy
    # leaves the one made before as it was. The catalog is copied: `add`
    # appends to it in place (it would not, to a file with two names).
    SRC=$CORPORA/x$scale/src
    mkdir -p "$WORK/x$scale"
    cp -al "$CORPORA/x$scale/corpus" "$CORPUS"
    cp --remove-destination "$CORPORA/x$scale/corpus/catalog.toml" "$CORPUS/catalog.toml"
  else
    make_src "$scale"
    SRC=$WORK/x$scale/src
    mkdir -p "$CORPUS"
    # The copies are near-duplicates of each other by design (a `副本 N`
    # line apart): without --allow-near-duplicate `add` refuses them all.
    find "$SRC" -type f -print0 | xargs -0 -n 4000 "$BIN" --corpus "$CORPUS" --index "$INDEX" add --no-index --allow-near-duplicate >/dev/null 2>&1 || true
  fi
  MB=$(du -sm "$CORPUS/docs" | cut -f1)
  ndocs=$(ls "$CORPUS/docs" | wc -l)
  # The tools measured: policy-diff (and the base build, on a hard-linked
  # copy of the corpus: documents are only ever replaced by renames, so the
  # copies stay independent; the catalog, appended to in place, is copied).
  tools=("policy-diff|$BIN|$CORPUS|$INDEX")
  if [ -n "$BASE" ]; then
    cp -al "$CORPUS" "$CORPUS-base"
    cp --remove-destination "$CORPUS/catalog.toml" "$CORPUS-base/catalog.toml"
    tools+=("policy-diff (base)|$BASE|$CORPUS-base|$INDEX-base")
  fi

  # index build from nothing (the median of BUILDS runs, default 3 at x1, 1 above)
  builds=${BUILDS:-$([ "$scale" = 1 ] && echo 3 || echo 1)}
  for t in "${tools[@]}"; do
    IFS='|' read -r name bin corpus index <<<"$t"
    times=(); cpus=(); kb=0
    for _ in $(seq "$builds"); do
      rm -rf "$index"
      a=$(now_ms); read -r k c < <(peak_cpu "$bin" --corpus "$corpus" --index "$index" index --rebuild); b=$(now_ms)
      times+=($((b - a))); cpus+=("$c"); [ "$k" -gt "$kb" ] && kb=$k
    done
    ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (builds + 1) / 2 ))p")
    row "x$scale | index build ($ndocs docs, ${MB} MB) | $name | ${ms} ms (median of $builds: ${times[*]}; CPU ${cpus[*]} ms) | $(python3 -c "print(f'{$MB/($ms/1000):.1f}')") MB/s | peak $((kb / 1024)) MB"
    tsv "$scale" "$MB" "$name" build_s "$(python3 -c "print($ms/1000)")"
    tsv "$scale" "$MB" "$name" peak_mb "$((kb / 1024))"
  done

  # incremental add of one document (ADDS documents, one command each, alternating)
  for i in $(seq "${ADDS:-3}"); do
    for t in "${tools[@]}"; do
      IFS='|' read -r name bin corpus index <<<"$t"
      newdoc=$WORK/new-$i.txt
      { printf '新增文件 %s %s\n\n' "$scale" "$i"; cat "$SEEDS/003_bf24ec690b28321d.txt"; } > "$newdoc"
      "$bin" --corpus "$corpus" --index "$index" search '"瞿瞿瞿"' >/dev/null 2>&1 || true  # fresh first
      # The new document is seed 003 under a new first line: a near-duplicate,
      # which `add` refuses unless told to keep it (a refusal is not an add).
      before=$(ls "$corpus/docs" | wc -l)
      a=$(now_ms); read -r _ c < <(peak_cpu "$bin" --corpus "$corpus" --index "$index" add --allow-near-duplicate "$newdoc"); b=$(now_ms)
      ms=$((b - a))
      [ "$(ls "$corpus/docs" | wc -l)" -gt "$before" ] \
        || log "warning: x$scale add one document ($i) with $name did not add it"
      row "x$scale | add one document ($i) | $name | ${ms} ms (CPU $c ms) | | "
      tsv "$scale" "$MB" "$name" add_ms "$ms"
      tsv "$scale" "$MB" "$name" add_cpu_ms "$c"
    done
  done

  # SQLite FTS5 trigram
  DB=$WORK/x$scale/fts.db
  if wants "$scale" fts5; then
    # The median of as many builds as policy-diff's (BUILDS; 3 at x1).
    fts_times=()
    for _ in $(seq "$builds"); do
      rm -f "$DB"
      a=$(now_ms)
      python3 "$ROOT/benches/peers/fts5_load.py" "$SRC" "$DB"
      b=$(now_ms)
      fts_times+=($((b - a)))
    done
    ms=$(printf '%s\n' "${fts_times[@]}" | sort -n | sed -n "$(( (builds + 1) / 2 ))p")
    row "x$scale | index build | SQLite FTS5 trigram | ${ms} ms (median of $builds: ${fts_times[*]}) | $(python3 -c "print(f'{$MB/($ms/1000):.1f}')") MB/s | "
    tsv "$scale" "$MB" "SQLite FTS5 trigram" build_s "$(python3 -c "print($ms/1000)")"
  fi
  # The same job as `policy-diff search '"…"' --limit 10`: how many match,
  # and the 10 best by BM25 (`order by rank`) with a snippet each. (Until
  # session 10 FTS5 returned the first 10 matches in row order, unranked:
  # less work than policy-diff's ranking of every match.)
  fts() { sqlite3 "$DB" "select count(*) from docs where body match '\"$1\"'; select path, snippet(docs, 1, '[', ']', '…', 20) from docs where body match '\"$1\"' order by rank limit 10"; }

  pd_time() { # kind query -> rows and tsv for every policy-diff build
    local kind=$1 q=$2 m p bm bp
    if [ -n "$BASE" ]; then
      read -r m p bm bp < <(time_ab "$RUNS" -- "$BIN" --corpus "$CORPUS" --index "$INDEX" search "$q" --limit 10 -- "$BASE" --corpus "$CORPUS-base" --index "$INDEX-base" search "$q" --limit 10)
      row "x$scale | $kind $q | policy-diff ${m}/${p} ms · base ${bm}/${bp} ms | new/base $(python3 -c "print(f'{$m/max($bm,1):.2f}')") | median/p95, alternating |"
      tsv "$scale" "$MB" "policy-diff (base)" "${kind}_ms" "$bm"
    else
      read -r m p < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" search "$q" --limit 10)
      row "x$scale | $kind $q | policy-diff | ${m}/${p} ms | | median/p95 |"
    fi
    tsv "$scale" "$MB" "policy-diff" "${kind}_ms" "$m"
    PD_MED=$m
  }

  for p in "${PHRASES[@]}"; do
    pd_time phrase "\"$p\""
    if wants "$scale" rg; then
      read -r rmed rp95 < <(time_runs "$RUNS" rg -c -F "$p" "$SRC")
      row "x$scale | phrase \"$p\" | rg | ${rmed}/${rp95} ms | policy-diff/rg $(python3 -c "print(f'{$PD_MED/max($rmed,1):.2f}')") | median/p95 |"
      tsv "$scale" "$MB" rg phrase_ms "$rmed"
    fi
    if wants "$scale" fts5; then
      read -r smed sp95 < <(time_runs "$RUNS" fts "$p")
      row "x$scale | phrase \"$p\" | SQLite FTS5 trigram | ${smed}/${sp95} ms | policy-diff/FTS5 $(python3 -c "print(f'{$PD_MED/max($smed,1):.2f}')") | median/p95 |"
      tsv "$scale" "$MB" "SQLite FTS5 trigram" phrase_ms "$smed"
    fi
  done
  for w in "${WORDS[@]}"; do
    pd_time ranked "$w"
  done

  if wants "$scale" whoosh; then
    WIX=$WORK/x$scale/whoosh
    a=$(now_ms); "$PY" "$ROOT/benches/peers/whoosh_bench.py" index "$SRC" "$WIX"; b=$(now_ms)
    row "x$scale | index build | jieba + Whoosh | $((b - a)) ms | $(python3 -c "print(f'{$MB/(($b-$a)/1000):.2f}')") MB/s | "
    tsv "$scale" "$MB" "jieba + Whoosh" build_s "$(python3 -c "print(($b-$a)/1000)")"
    for w in "${WORDS[@]}"; do
      read -r med p95 < <(time_runs 5 "$PY" "$ROOT/benches/peers/whoosh_bench.py" search "$WIX" "$w")
      row "x$scale | ranked \"$w\" | jieba + Whoosh | ${med}/${p95} ms | | median/p95 |"
      tsv "$scale" "$MB" "jieba + Whoosh" ranked_ms "$med"
    done
  fi
  if [ "$scale" = 1 ]; then
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" reuse lyg-2022-32 --format json)
    row "x1 | reuse lyg-2022-32 | policy-diff | ${med}/${p95} ms | | median/p95 |"
    read -r med p95 < <(time_runs "$RUNS" "$BIN" --corpus "$CORPUS" --index "$INDEX" diff lyg-2022-32 nt-2021-23 --format json)
    row "x1 | diff lyg-2022-32 nt-2021-23 | policy-diff | ${med}/${p95} ms | | median/p95 |"
    if "$BIN" --corpus "$CORPUS" --index "$INDEX" compare --topic talent --format json >/dev/null 2>&1; then
      read -r med p95 < <(time_runs 5 "$BIN" --corpus "$CORPUS" --index "$INDEX" compare --topic talent --format json)
      row "x1 | compare --topic talent | policy-diff | ${med}/${p95} ms | | median/p95 |"
    fi
  fi
  # start-up cost: a query for something absent (index open, freshness, catalog)
  pd_time startup '"瞿瞿瞿"'
  for t in "${tools[@]}"; do
    IFS='|' read -r name bin corpus index <<<"$t"
    c=$(cpu_ms "$RUNS" "$bin" --corpus "$corpus" --index "$index" search '"瞿瞿瞿"' --limit 10)
    row "x$scale | startup \"瞿瞿瞿\", CPU (task-clock, mean of $RUNS) | $name | $c ms | | |"
    [ "$c" != - ] && tsv "$scale" "$MB" "$name" startup_cpu_ms "$c"
  done
  if wants "$scale" fts5; then
    read -r smed sp95 < <(time_runs "$RUNS" fts "瞿瞿瞿")
    row "x$scale | startup \"瞿瞿瞿\" | SQLite FTS5 trigram | ${smed}/${sp95} ms | | median/p95 |"
    tsv "$scale" "$MB" "SQLite FTS5 trigram" startup_ms "$smed"
  fi
  rm -rf "$WORK/x$scale"
done

{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg); command: benches/peers.sh (SCALES=\"$SCALES\" RUNS=$RUNS${BASE:+ BASE=$BASE})"
  echo
  echo "Tools run: $(IFS=';'; echo "${ran[*]}")."
  echo
  echo "| scale | job | tool | time | throughput / ratio | notes | load |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT"
python3 "$ROOT/benches/peers/plot.py" "$TSV" "$SVG" && log "plot: $SVG"

# In-process throughput of each stage (divan; INPROCESS=0 skips it).
if [ "${INPROCESS:-1}" != 0 ]; then
  log "== in-process stage benchmarks (cargo bench --bench inprocess)"
  { echo; echo '```'; (cd "$ROOT" && cargo bench -q --bench inprocess 2>/dev/null); echo '```'; } | tee -a "$OUT"
fi

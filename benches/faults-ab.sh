#!/usr/bin/env bash
# A/B of the normal (fault-free) reading path for issue 21: two release
# binaries over the same corpus and index, alternating: wall-clock medians
# (hyperfine, the order of the two binaries swapped between rounds), then
# CPU time (perf stat task-clock, all threads; steadier on a shared machine),
# base and new alternately.
#   benches/faults-ab.sh BASE_BIN NEW_BIN CORPUS_DIR [ROUNDS]
# CORPUS_DIR is copied to a scratch directory (never written in place) and
# indexed once by BASE_BIN; both binaries read that index.
set -euo pipefail
base=$1 new=$2 corpus=$3 rounds=${4:-2}
work=$(mktemp -d /tmp/faults-ab-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
"$base" --corpus "$work/corpus" --index "$work/index" index >/dev/null 2>&1
uptime
for args in "search 人才公寓" "search \"\\\"反不正当竞争\\\"\" --format json" \
    "show lyg-2022-32" "show lyg-2022-32:9 --format json" "docs --format json"; do
  for r in $(seq "$rounds"); do
    if (( r % 2 )); then order=("$base" "$new"); else order=("$new" "$base"); fi
    hyperfine -N -w 3 -r 30 --export-json "$work/h.json" \
      -n "$(basename "${order[0]}")" "${order[0]} --corpus $work/corpus --index $work/index $args" \
      -n "$(basename "${order[1]}")" "${order[1]} --corpus $work/corpus --index $work/index $args" \
      >/dev/null
    eval "set -- $args"
    cpu() {
      perf stat -x, -e task-clock -r 20 -o "$work/p" -- "$1" --corpus "$work/corpus" \
        --index "$work/index" "${@:2}" >/dev/null 2>&1
      grep task-clock "$work/p" | cut -d, -f1
    }
    if (( r % 2 )); then cb=$(cpu "$base" "$@"); cn=$(cpu "$new" "$@");
    else cn=$(cpu "$new" "$@"); cb=$(cpu "$base" "$@"); fi
    python3 - "$work/h.json" "$args" "$(basename "$base")" "$(basename "$new")" "$cb" "$cn" <<'PY'
import json, sys
rs = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
b, n = rs[sys.argv[3]], rs[sys.argv[4]]
cb, cn = float(sys.argv[5]), float(sys.argv[6])
first = next(iter(rs))
print(f"{sys.argv[2]:<36} wall base {b*1000:6.1f} new {n*1000:6.1f} ms, new/base {n/b:.3f} | "
      f"cpu base {cb:6.1f} new {cn:6.1f} ms, new/base {cn/cb:.3f}  (first: {first})")
PY
  done
done
uptime

#!/usr/bin/env bash
# CPU time of phrase searches, two builds alternating on one index (builds
# that read the same index format): per round, `perf stat -e task-clock -r 3`
# of A, then of B; prints the median over the rounds of each and B/A. CPU
# time is steadier than wall time on a shared machine.
#
#   benches/phrases-cpu.sh BASE NEW CORPUS INDEX ROUNDS PHRASE...
#   benches/phrases-cpu.sh /tmp/pd-base target/release/policy-diff x16/corpus x16/index 7 瞿瞿瞿 知识产权
set -euo pipefail
A=$1 B=$2 C=$3 I=$4 R=$5
shift 5
cpu() { perf stat -x, -e task-clock -r 3 "$1" --corpus "$C" --index "$I" search "\"$2\"" --limit 10 2>&1 >/dev/null | awk -F, '/task-clock/{print $1}'; }
for q in "$@"; do
  a=() b=()
  for _ in $(seq "$R"); do
    a+=("$(cpu "$A" "$q")")
    b+=("$(cpu "$B" "$q")")
  done
  python3 -c 'import statistics as s, sys
a = [float(x) for x in sys.argv[2].split()]; b = [float(x) for x in sys.argv[3].split()]
print(f"{sys.argv[1]}: A {s.median(a):.1f} ms, B {s.median(b):.1f} ms, B/A {s.median(b) / s.median(a):.2f}")' "$q" "${a[*]}" "${b[*]}"
done
echo "load $(cut -d' ' -f1 /proc/loadavg)"

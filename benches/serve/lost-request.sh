#!/bin/bash
# Issue 18's lost request: RUNS fresh servers, each loaded by wrk (15 s, 10
# keep-alive clients, /api/search) with another client's POST with a body
# 5 s in; per run the wrk timeouts and how many connections had a request
# left unread (Recv-Q > 0) in 10 or more of 60 samples of `ss`, 0.2 s apart.
# usage: benches/serve/lost-request.sh BIN CORPUS INDEX PORT RUNS
BIN=$1; CORPUS=$2; INDEX=$3; PORT=$4; RUNS=${5:-8}
URL="http://127.0.0.1:$PORT/api/search?q=%E4%BA%BA%E6%89%8D%20%E5%85%AC%E5%AF%93"
cd "$(dirname "$0")"
for r in $(seq 1 "$RUNS"); do
  "$BIN" --corpus "$CORPUS" --index "$INDEX" serve --port "$PORT" > /dev/null 2>&1 &
  server=$!; sleep 1.5
  stuck=$(mktemp); post=$(mktemp)
  ( for i in $(seq 1 60); do sleep 0.2
      ss -tn state established "( sport = :$PORT )" | awk 'NR>1 && $1>0 {print $4}'
    done | sort | uniq -c | awk '$1>=10 {n++} END {print n+0}' > "$stuck" ) &
  sampler=$!
  ( sleep 5; curl -s -o /dev/null -w "%{http_code} %{time_total}s" -X POST -d x=1 \
      "http://127.0.0.1:$PORT/search" > "$post" ) &
  poster=$!
  out=$(wrk -t2 -c10 -d15s --timeout 2s -s p95.lua "$URL" | tail -1)
  wait "$sampler" "$poster"
  kill "$server"; wait "$server" 2>/dev/null
  echo "run $r | load $(cut -d' ' -f1 /proc/loadavg) | POST $(cat "$post") | stuck connections: $(cat "$stuck") | $out"
  rm -f "$stuck" "$post"
done

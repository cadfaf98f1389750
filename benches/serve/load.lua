-- p50/p95/p99, non-200 replies and the distinct "total" values seen
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) seen = {}; bad = 0 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local t = string.match(body, '"total": (%d+)') or "page"
  seen[t] = (seen[t] or 0) + 1
end
function done(summary, latency, requests)
  io.write(string.format("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  req/s %.0f  errors %d\n",
    latency:percentile(50)/1000, latency:percentile(95)/1000, latency:percentile(99)/1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  local all, nb = {}, 0
  for _, t in ipairs(threads) do
    nb = nb + t:get("bad")
    for k, v in pairs(t:get("seen")) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write("total ", k, ": ", v, " replies\n") end
  io.write("non-200: ", nb, "\n")
end

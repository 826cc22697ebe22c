-- Shared by the wrk scripts of scripts/bench-query.sh: POST /query with a query text per
-- request, and the one-line summary the shell script parses. The graph's sizes come from the
-- environment (BENCH_FLOORS, BENCH_ROOMS, BENCH_SENSORS).
floors = tonumber(os.getenv("BENCH_FLOORS") or "2000")
rooms = tonumber(os.getenv("BENCH_ROOMS") or "28000")
sensors = tonumber(os.getenv("BENCH_SENSORS") or "70000")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function query(text)
  return wrk.format("POST", "/query?api-version=2023-10-31",
    { ["Content-Type"] = "application/json" }, '{"query":"' .. text .. '"}')
end

function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end

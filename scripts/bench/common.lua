-- Shared by the wrk scripts of scripts/bench-api.sh: the api-version, the number of loaded twins
-- and a one-line summary that the shell script parses.
api = "api-version=2023-10-31"
twins = tonumber(os.getenv("BENCH_TWINS") or "100000")

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end

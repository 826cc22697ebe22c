-- PATCH /digitaltwins/{id} of a random loaded twin at a steady pace: each connection waits
-- `delay_ms` between requests (BENCH_DELAY_MS), so C connections write about C * 1000 / delay
-- changes per second. Each writes a fresh random /temperature, so the change can be found on the
-- other side of a bridge.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "10")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function delay()
  return pause
end

function request()
  local body = string.format('[{"op":"replace","path":"/temperature","value":%.6f}]', math.random() * 40)
  return wrk.format("PATCH", "/digitaltwins/bench-" .. math.random(1, twins) .. "?" .. api,
    { ["Content-Type"] = "application/json-patch+json" }, body)
end

-- PUT /digitaltwins/{id}: creates a new twin per request (ids unique per wrk thread).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local n = 0
function init(args)
  math.randomseed(os.time() + tid)
end

function request()
  n = n + 1
  local body = string.format(
    '{"$metadata":{"$model":"dtmi:com:example:Thermostat;1"},"temperature":%.2f,"targetTemperature":21.5,"humidity":%.1f,"name":"new %d-%d","mode":"heat"}',
    math.random() * 40, math.random() * 100, tid, n)
  return wrk.format("PUT", "/digitaltwins/new-" .. tid .. "-" .. n .. "?" .. api,
    { ["Content-Type"] = "application/json" }, body)
end

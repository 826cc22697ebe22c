-- GET /digitaltwins/{id} of a random loaded twin (bench-1 … bench-N).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  return wrk.format("GET", "/digitaltwins/bench-" .. math.random(1, twins) .. "?" .. api)
end

-- PATCH /digitaltwins/{id} of a random loaded twin: replaces /temperature.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end

function request()
  local body = string.format('[{"op":"replace","path":"/temperature","value":%.2f}]', math.random() * 40)
  return wrk.format("PATCH", "/digitaltwins/bench-" .. math.random(1, twins) .. "?" .. api,
    { ["Content-Type"] = "application/json-patch+json" }, body)
end

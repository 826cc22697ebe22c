-- GET /healthz: the HTTP stack and the middleware with no database, the floor under every route.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")

function request()
  return wrk.format("GET", "/healthz")
end

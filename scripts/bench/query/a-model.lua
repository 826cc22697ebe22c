-- (a) The first page (100 rows) of every twin of a model, inheritance included.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
function request()
  return query("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:bench:Space;1')")
end

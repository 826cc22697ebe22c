-- (d) COUNT() with a filter: warm sensors.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
function request()
  return query("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:bench:Sensor;1') AND temperature > 25")
end

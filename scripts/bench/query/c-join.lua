-- (c) Two hops from one floor: the sensors of its rooms.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
function request()
  return query("SELECT S FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN S RELATED R.contains WHERE F.$dtId = 'floor-" ..
    math.random(1, floors) .. "'")
end

-- (b) Property equality: the room with a given name.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
function request()
  return query("SELECT * FROM DIGITALTWINS WHERE name = 'room " .. math.random(1, rooms) .. "'")
end

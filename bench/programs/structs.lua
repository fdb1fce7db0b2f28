-- 64 particles (tables of floats) moved 200 000 times.
local function trunc(x) if x >= 0 then return math.floor(x) else return math.ceil(x) end end
local ps = {}
for i = 0, 63 do
  local f = i + 0.0
  ps[#ps + 1] = { x = f, y = f * 0.5, vx = 1.0 + f * 0.01, vy = 0.5 - f * 0.01 }
end
for _ = 1, 200000 do
  for _, p in ipairs(ps) do
    p.x = p.x + p.vx * 0.01
    p.y = p.y + p.vy * 0.01
    if p.x > 100.0 or p.x < -100.0 then p.vx = -p.vx end
    if p.y > 100.0 or p.y < -100.0 then p.vy = -p.vy end
  end
end
local sx, sy = 0.0, 0.0
for _, p in ipairs(ps) do sx = sx + p.x; sy = sy + p.y end
print(string.format("%d %d", trunc(sx * 1000.0), trunc(sy * 1000.0)))

local function make(d) if d == 0 then return {} end return { make(d - 1), make(d - 1) } end
local function check(t) if t[1] == nil then return 1 end return 1 + check(t[1]) + check(t[2]) end
local max = 16
local long = make(max)
local d = 4
while d <= max do
  local iters = 1
  for _ = 1, max - d + 4 do iters = iters * 2 end
  local c = 0
  for i = 1, iters do c = c + check(make(d)) end
  print(string.format("%d trees of depth %d check: %d", iters, d, c))
  d = d + 2
end
print(string.format("long lived tree of depth %d check: %d", max, check(long)))

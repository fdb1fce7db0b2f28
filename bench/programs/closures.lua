-- Closures made in a loop and called through parameters.
local function apply_twice(f, x) return f(f(x)) end
local function make_scaler(k) return function(x) return (x * k + 1) % 1000003 end end
local total = 0
for i = 0, 1999999 do
  local offset = i % 17
  local shift = function(x) return x + offset end
  total = (total + apply_twice(shift, i)) % 1000003
  local scale = make_scaler(i % 5 + 2)
  total = scale(total)
end
print(total)

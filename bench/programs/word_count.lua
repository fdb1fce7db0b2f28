local words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
local counts, n = {}, 0
local seed = 42
for i = 1, 1000000 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local w = words[seed % 8 + 1] .. tostring(seed % 1000)
  local c = counts[w]
  if c == nil then n = n + 1; counts[w] = 1 else counts[w] = c + 1 end
end
local best = 0
for _, c in pairs(counts) do if c > best then best = c end end
print(n .. " " .. best)

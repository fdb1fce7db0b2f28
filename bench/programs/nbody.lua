local sqrt = math.sqrt
local PI = 3.141592653589793
local SOLAR = 4 * PI * PI
local DPY = 365.24
local b = {
  {x=0,y=0,z=0,vx=0,vy=0,vz=0,m=SOLAR},
  {x=4.84143144246472090e+00,y=-1.16032004402742839e+00,z=-1.03622044471123109e-01,vx=1.66007664274403694e-03*DPY,vy=7.69901118419740425e-03*DPY,vz=-6.90460016972063023e-05*DPY,m=9.54791938424326609e-04*SOLAR},
  {x=8.34336671824457987e+00,y=4.12479856412430479e+00,z=-4.03523417114321381e-01,vx=-2.76742510726862411e-03*DPY,vy=4.99852801234917238e-03*DPY,vz=2.30417297573763929e-05*DPY,m=2.85885980666130812e-04*SOLAR},
  {x=1.28943695621391310e+01,y=-1.51111514016986312e+01,z=-2.23307578892655734e-01,vx=2.96460137564761618e-03*DPY,vy=2.37847173959480950e-03*DPY,vz=-2.96589568540237556e-05*DPY,m=4.36624404335156298e-05*SOLAR},
  {x=1.53796971148509165e+01,y=-2.59193146099879641e+01,z=1.79258772950371181e-01,vx=2.68067772490389322e-03*DPY,vy=1.62824170038242295e-03*DPY,vz=-9.51592254519715870e-05*DPY,m=5.15138902046611451e-05*SOLAR},
}
local n = #b
local function energy()
  local e = 0
  for i = 1, n do
    local bi = b[i]
    e = e + 0.5 * bi.m * (bi.vx*bi.vx + bi.vy*bi.vy + bi.vz*bi.vz)
    for j = i + 1, n do
      local bj = b[j]
      local dx, dy, dz = bi.x-bj.x, bi.y-bj.y, bi.z-bj.z
      e = e - bi.m * bj.m / sqrt(dx*dx + dy*dy + dz*dz)
    end
  end
  return e
end
local function advance(dt)
  for i = 1, n do
    local bi = b[i]
    for j = i + 1, n do
      local bj = b[j]
      local dx, dy, dz = bi.x-bj.x, bi.y-bj.y, bi.z-bj.z
      local d2 = dx*dx + dy*dy + dz*dz
      local mag = dt / (d2 * sqrt(d2))
      local mj, mi = bj.m * mag, bi.m * mag
      bi.vx = bi.vx - dx*mj; bi.vy = bi.vy - dy*mj; bi.vz = bi.vz - dz*mj
      bj.vx = bj.vx + dx*mi; bj.vy = bj.vy + dy*mi; bj.vz = bj.vz + dz*mi
    end
  end
  for i = 1, n do local bi = b[i]; bi.x = bi.x + dt*bi.vx; bi.y = bi.y + dt*bi.vy; bi.z = bi.z + dt*bi.vz end
end
local px, py, pz = 0, 0, 0
for i = 1, n do px = px + b[i].vx*b[i].m; py = py + b[i].vy*b[i].m; pz = pz + b[i].vz*b[i].m end
b[1].vx = -px/SOLAR; b[1].vy = -py/SOLAR; b[1].vz = -pz/SOLAR
print(string.format("%.9f", energy()))
for _ = 1, 100000 do advance(0.01) end
print(string.format("%.9f", energy()))

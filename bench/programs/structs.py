# 64 particles (objects of floats) moved 200 000 times.
class Particle:
    __slots__ = ("x", "y", "vx", "vy")

    def __init__(self, x, y, vx, vy):
        self.x, self.y, self.vx, self.vy = x, y, vx, vy


ps = []
for i in range(64):
    f = float(i)
    ps.append(Particle(f, f * 0.5, 1.0 + f * 0.01, 0.5 - f * 0.01))
for _ in range(200000):
    for p in ps:
        p.x += p.vx * 0.01
        p.y += p.vy * 0.01
        if p.x > 100.0 or p.x < -100.0:
            p.vx = -p.vx
        if p.y > 100.0 or p.y < -100.0:
            p.vy = -p.vy
sx = 0.0
sy = 0.0
for p in ps:
    sx += p.x
    sy += p.y
print(int(sx * 1000.0), int(sy * 1000.0))

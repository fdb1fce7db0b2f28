import math
def A(i, j):
    ij = i + j
    return 1.0 / ((ij * (ij + 1)) // 2 + i + 1)
def Av(x, y, n):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A(i, j) * x[j]
        y[i] = s
def Atv(x, y, n):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A(j, i) * x[j]
        y[i] = s
n = 300
u = [1.0] * n; v = [0.0] * n; t = [0.0] * n
for _ in range(10):
    Av(u, t, n); Atv(t, v, n)
    Av(v, t, n); Atv(t, u, n)
vBv = sum(u[i] * v[i] for i in range(n)); vv = sum(v[i] * v[i] for i in range(n))
print("%0.9f" % math.sqrt(vBv / vv))

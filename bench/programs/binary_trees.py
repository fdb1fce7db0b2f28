def make(d):
    return None if d == 0 else (make(d - 1), make(d - 1))
def check(t):
    return 1 if t is None else 1 + check(t[0]) + check(t[1])
mx = 16
long = make(mx)
d = 4
while d <= mx:
    iters = 1 << (mx - d + 4)
    c = 0
    for i in range(iters):
        c += check(make(d))
    print("%d trees of depth %d check: %d" % (iters, d, c))
    d += 2
print("long lived tree of depth %d check: %d" % (mx, check(long)))

# Closures made in a loop and called through parameters.
def apply_twice(f, x):
    return f(f(x))


def make_scaler(k):
    return lambda x: (x * k + 1) % 1000003


total = 0
for i in range(2000000):
    offset = i % 17
    shift = lambda x: x + offset
    total = (total + apply_twice(shift, i)) % 1000003
    scale = make_scaler(i % 5 + 2)
    total = scale(total)
print(total)

s = 0
for i in range(1, 100000001):
    s += i % 7
print(s)

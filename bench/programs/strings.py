parts = []
for i in range(1000000):
    parts.append("item " + str(i) + ";")
s = "".join(parts)
print(len(s))

words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
counts = {}
seed = 42
for i in range(1000000):
    seed = (seed * 1103515245 + 12345) % 2147483648
    w = words[seed % 8] + str(seed % 1000)
    counts[w] = counts.get(w, 0) + 1
print(len(counts), max(counts.values()))

# CPython's json doing what json_bundle.ward does.
import json
import sys
import time

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
rounds = int(sys.argv[2])
start = time.perf_counter()
for _ in range(rounds):
    value = json.loads(text)
parse_us = int((time.perf_counter() - start) * 1e6)
start = time.perf_counter()
for _ in range(rounds):
    out = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
print(parse_us, int((time.perf_counter() - start) * 1e6), len(out.encode("utf-8")))

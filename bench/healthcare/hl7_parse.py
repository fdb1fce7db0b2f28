# python-hl7 doing what hl7_parse.ward does: parse each message, read
# MSH-10, PID-5-1 and the first OBX-5.
import sys
import time

import hl7

# newline="": keep the \r between segments (text mode would turn it into \n).
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    lines = f.read().split("\n")
start = time.perf_counter()
count = chars = 0
for raw in lines:
    if not raw:
        continue
    msg = hl7.parse(raw)
    chars += len(msg["MSH.F10"]) + len(msg["PID.F5.R1.C1"]) + len(msg["OBX.F5"])
    count += 1
print(count, int((time.perf_counter() - start) * 1e6), chars)

"""CPython's json and fhirpathpy as oracles for Ward's JSON and FHIRPath
(tests/tests/fhir_oracle.rs), on the FHIR R4 examples package.

`compact DIR`: one JSON line per example resource in DIR: its file name
and CPython's compact text of it (`json.dumps(v, separators=(",", ":"),
ensure_ascii=False)`).

`paths DIR`: one JSON line per Patient and Observation example and
expression of tests/oracles/fhirpath_expressions.txt: what fhirpathpy
evaluates it to with the R4 model (numbers as numbers, everything else as
its JSON or string form), or the error it raised.
"""

import decimal
import json
import os
import sys


def compact(directory):
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json") or name == "package.json" or name.startswith("."):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            value = json.load(f)
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        print(json.dumps({"file": name, "compact": text}, ensure_ascii=False))


def plain(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() and "." not in str(v) else float(v)
    if isinstance(v, (int, float, str)):
        return v
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return str(v)


def paths(directory, expressions):
    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    for name in sorted(os.listdir(directory)):
        if not (name.startswith("Patient-") or name.startswith("Observation-")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            resource = json.load(f)
        for expr in expressions:
            try:
                result = {"result": plain(evaluate(resource, expr, {}, models["r4"]))}
            except Exception as e:  # the oracle reports what it refuses
                result = {"error": "%s: %s" % (type(e).__name__, e)}
            result.update({"file": name, "expr": expr})
            print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "compact":
        compact(directory)
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "fhirpath_expressions.txt"), encoding="utf-8") as f:
            exprs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        paths(directory, exprs)

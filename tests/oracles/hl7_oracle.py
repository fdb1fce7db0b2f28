"""python-hl7 as an oracle for Ward's HL7 parser (tests/tests/hl7_oracle.rs).

Reads a JSON list of message texts on stdin and prints, for each, how
python-hl7 0.4.5 reads it: every segment's id and fields, each field as
repetitions of components of subcomponents with escape sequences decoded
(python-hl7's own `unescape`), or the error it raised. With `--samples DIR`
it prints instead the messages of python-hl7's own test samples
(DIR/tests/samples.py from its source distribution), each message of a
batch or file on its own.
"""

import json
import sys

import hl7


def normalize(message, segment, index, field):
    """python-hl7 nests a part only when it holds a separator: a plain
    string stands for a whole repetition or component."""
    if segment[0][0] in ("MSH", "BHS", "FHS") and index in (1, 2):
        return [[[str(field)]]]
    reps = []
    for rep in field:
        if isinstance(rep, str):
            reps.append([[message.unescape(rep)]])
            continue
        comps = []
        for comp in rep:
            if isinstance(comp, str):
                comps.append([message.unescape(comp)])
            else:
                comps.append([message.unescape(sub) for sub in comp])
        reps.append(comps)
    return reps


def read(text):
    try:
        message = hl7.parse(text)
    except Exception as e:  # the oracle reports what python-hl7 refuses
        return {"error": "%s: %s" % (type(e).__name__, e)}
    segments = []
    for segment in message:
        fields = [normalize(message, segment, i, f) for i, f in enumerate(segment) if i > 0]
        segments.append({"id": str(segment[0]), "fields": fields})
    return {"segments": segments}


def samples(directory):
    sys.path.insert(0, directory + "/tests")
    import samples as s  # noqa: E402  (python-hl7's test data)

    out = []
    for name in sorted(dir(s)):
        value = getattr(s, name)
        if not isinstance(value, str) or value[:3] not in ("MSH", "BHS", "FHS"):
            continue
        if value[:3] == "MSH" and "\rMSH" not in value:
            out.append({"name": name, "kind": "message", "text": value})
        else:
            try:
                parsed = hl7.parse_hl7(value)
            except Exception as e:  # a sample python-hl7 refuses on purpose
                out.append({"name": name, "kind": "batch", "text": value, "error": str(e)})
                continue
            messages = []
            batches = parsed if isinstance(parsed, hl7.File) else [parsed]
            for batch in batches:
                messages.extend(str(m) for m in batch)
            out.append({"name": name, "kind": "batch", "text": value, "messages": messages})
    return out


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--samples":
        json.dump(samples(sys.argv[2]), sys.stdout)
    else:
        json.dump([read(t) for t in json.load(sys.stdin)], sys.stdout)

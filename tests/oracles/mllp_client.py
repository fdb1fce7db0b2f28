"""A real MLLP sender for the interface engine's test
(server/tests/interface_engine.rs): python-hl7's MLLPClient sends each
message given as a JSON list on stdin to 127.0.0.1:PORT and prints each
acknowledgement as python-hl7 reads it: one JSON object per line with
MSA-1, MSA-2, MSA-3, MSH-3, MSH-5 and MSH-9."""

import json
import sys

import hl7
from hl7.client import MLLPClient

port = int(sys.argv[1])
messages = json.load(sys.stdin)
with MLLPClient("127.0.0.1", port) as client:
    for text in messages:
        reply = client.send_message(text)
        # MLLPClient returns the raw frame: strip the block characters.
        ack = hl7.parse(reply.decode("utf-8").strip("\x0b\x1c\r"))
        msa = ack.segment("MSA")
        msh = ack.segment("MSH")
        print(json.dumps({
            "code": str(msa(1)),
            "control_id": str(msa(2)),
            "text": str(msa(3)) if len(msa) > 3 else "",
            "sender": str(msh(3)),
            "receiver": str(msh(5)),
            "type": str(msh(9)),
        }), flush=True)

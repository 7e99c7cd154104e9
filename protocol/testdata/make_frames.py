#!/usr/bin/env python3
"""Writes protocol/testdata/vectors/frames.json: the reply and event shapes, and an example of
each as the real server sent it.

    LIAISE_FRAME_LOG=/tmp/frames.jsonl build/tests/e2e_tests "[authz],[continuity][schemas]"
    /usr/bin/python3 protocol/testdata/make_frames.py /tmp/frames.jsonl [MORE.jsonl ...]

The shapes are read from protocol/src/schemas_table.cpp (the table protocol_tests checks this
file against); the examples are the first frame of each shape in the log, which the e2e test
wrote after checking every frame against the same table. Values in the examples are whatever
that run produced (ids, times, keys): they show shapes, not fixed values.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "src", "schemas_table.cpp")
OUT = os.path.join(HERE, "vectors", "frames.json")

KINDS = {"kString": "string", "kInteger": "integer", "kNumber": "number", "kBoolean": "boolean",
         "kArray": "array", "kObject": "object", "kNull": "null"}


def shapes():
    text = open(TABLE, encoding="utf-8").read()
    arrays = {}
    for name, body in re.findall(r"constexpr ReplyField (\w+)\[\] = \{(.*?)\n\};", text, re.S):
        fields = []
        for field, kinds, always in re.findall(r'\{"(\w+)",\s*([\w |]+?),\s*(true|false)\}', body):
            fields.append({"name": field,
                           "kinds": [KINDS[k.strip()] for k in kinds.split("|")],
                           "always": always == "true"})
        arrays[name] = fields
    out = {}
    for group in ("kReplies", "kEvents", "kError"):
        m = re.search(r"constexpr FrameShape " + group + r"\[\] = \{(.*?)\n\};", text, re.S)
        out[group] = [{"name": n, "fields": arrays[a] if a != "{}" else []}
                      for n, a in re.findall(r'\{"(\w+)",\s*(\w+|\{\})\}', m.group(1))]
    return out


def shorten(value):
    """Examples show shapes: long strings are cut to 100 characters (ending in an ellipsis) and
    arrays to their first two items, so the file stays small."""
    if isinstance(value, str) and len(value) > 100:
        return value[:99] + "\u2026"
    if isinstance(value, list):
        return [shorten(v) for v in value[:2]]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    return value


def main():
    table = shapes()
    examples = {}
    lines = [line for log in sys.argv[1:] for line in open(log, encoding="utf-8")]
    for line in lines:
        entry = json.loads(line)
        frame = entry["frame"]
        t = frame["type"]
        key = ("reply:" + entry["request"]) if t == "ok" else "error" if t == "error" \
            else "event:" + t
        if key not in examples:
            examples[key] = {"shape": key, "request": entry["request"] if t == "ok" else "",
                             "frame": shorten(frame)}
    ordered = []
    for s in table["kReplies"]:
        if "reply:" + s["name"] in examples:
            ordered.append(examples["reply:" + s["name"]])
    for s in table["kEvents"]:
        if "event:" + s["name"] in examples:
            ordered.append(examples["event:" + s["name"]])
    if "error" in examples:
        ordered.append(examples["error"])
    doc = {
        "description": (
            "Reply and event shapes (PROTOCOL.md, 'Reply and event shapes'). 'replies' has one "
            "shape per request type: the fields of its ok reply besides 're' and 'type', each "
            "with the JSON kinds it may have and whether every such reply has it; 'events' the "
            "same per event type (besides 'type'); 'error' the error reply's. A frame conforms "
            "when it has every 'always' field, each field present is of one of its kinds (an "
            "integer is accepted where a number is), and it has no other field. 'examples' are "
            "frames the real server sent in the authorisation matrix test (and the continuity "
            "test), one per shape seen "
            "(with 'request', the request type a reply answers), long strings cut to 100 characters and arrays to two items; each conforms."),
        "replies": table["kReplies"],
        "events": table["kEvents"],
        "error": table["kError"][0],
        "examples": ordered,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)}: {len(ordered)} examples", file=sys.stderr)


if __name__ == "__main__":
    main()

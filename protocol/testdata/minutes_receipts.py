#!/usr/bin/python3
"""Writes minutes-receipts.json: golden vectors for signed acknowledgements and accuracy comments
(PROTOCOL.md, "Signed acknowledgements and comments"), computed from the written rule with
hashlib and PyNaCl alone, independently of the C++ code. The circulation digest acknowledged is
the v2 "circulate" vector of minutes-digest.json (the conference circulated by tess); the keys
are identity.json's devices (Ed25519 signatures are deterministic, so each signature is the one
any implementation makes with that seed).

Usage: /usr/bin/python3 protocol/testdata/minutes_receipts.py \
    > protocol/testdata/vectors/minutes-receipts.json (Debian's python3-nacl)."""
import base64
import json
import os
import sys

import nacl.signing

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, "vectors", name), encoding="utf-8") as f:
        return json.load(f)


def num(n):
    return (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def blob(b):
    return num(len(b)) + b


def text(s):
    return blob(s.encode("utf-8"))


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def ack_message(v):
    return (text("liaise-minutes-ack-v1") + num(v["meeting"]) + text(v["room"]) + num(v["version"])
            + blob(bytes.fromhex(v["circulation"])) + text(v["account"]) + num(v["signed_at"]))


def comment_message(v):
    return (text("liaise-minutes-comment-v1") + num(v["meeting"]) + num(v["version"])
            + text(v["section"]) + text(v["text"]) + text(v["account"]) + num(v["signed_at"]))


circulated = next(v for v in load("minutes-digest.json")["vectors"]
                  if v["label"] == "liaise-minutes-v2" and v["act"] == "circulate")
devices = {d["device"]: d for d in load("identity.json")["devices"]}

vectors = [
    {"kind": "acknowledgement", "device": "alice-laptop", "meeting": 9, "room": "case-2041",
     "version": 1, "circulation": circulated["digest"], "account": "alice",
     "signed_at": 1830000100000},
    {"kind": "acknowledgement", "device": "bob-phone", "meeting": 9, "room": "case-2041",
     "version": 2, "circulation": circulated["digest"], "account": "bob", "signed_at": 0},
    {"kind": "comment", "device": "alice-laptop", "meeting": 9, "version": 1,
     "section": "child_views", "text": "J said she feels safe at her nan's, not \u201cat home\u201d.",
     "account": "alice", "signed_at": 1830000200000},
    {"kind": "comment", "device": "bob-laptop", "meeting": 12, "version": 3, "section": "general",
     "text": "", "account": "bob", "signed_at": -1},
]
for v in vectors:
    d = devices[v["device"]]
    v["sign_key"] = d["sign_key"]
    message = ack_message(v) if v["kind"] == "acknowledgement" else comment_message(v)
    key = nacl.signing.SigningKey(unb64(d["sign_seed"]))
    assert base64.urlsafe_b64encode(bytes(key.verify_key)).rstrip(b"=").decode() == d["sign_key"]
    v["message"] = message.hex()
    v["signature"] = base64.urlsafe_b64encode(key.sign(message).signature).rstrip(b"=").decode()

json.dump({"description": "Signed acknowledgements and accuracy comments (PROTOCOL.md, Signed "
                         "acknowledgements and comments), computed independently with Python's "
                         "PyNaCl by protocol/testdata/minutes_receipts.py: message is the lowercase "
                         "hex of the bytes signed, signature the Ed25519 signature (URL-safe base64 "
                         "without padding) of the device named (identity.json) whose sign_key is "
                         "given; circulation is the v2 circulate digest of minutes-digest.json.",
           "vectors": vectors}, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")

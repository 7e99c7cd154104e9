#!/usr/bin/python3
"""Writes minutes-digest.json: golden vectors for the canonical minutes digest (PROTOCOL.md,
"Signed minutes"), computed from the written rule with hashlib alone, independently of the C++
code, so that any client (the browser's included) can check its own implementation."""
import hashlib
import json
import sys


def num(n):
    return (n & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def text(s):
    b = s.encode("utf-8")
    return num(len(b)) + b


def s(o, k):
    v = o.get(k)
    return v if isinstance(v, str) else ""


def n(o, k):
    v = o.get(k)
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def opt_text(o, k):
    v = o.get(k)
    return num(1) + text(v) if isinstance(v, str) else num(0)


def opt_num(o, k):
    v = o.get(k)
    return num(1) + num(v) if isinstance(v, int) and not isinstance(v, bool) else num(0)


def person(p):
    return text(s(p, "user")) + text(s(p, "display_name")) + text(s(p, "agency"))


def actions(lst):
    out = num(len(lst))
    for a in lst:
        o = a.get("owner", {})
        out += num(n(a, "id")) + num(n(a, "meeting")) + text(s(a, "what")) + text(s(a, "outcome"))
        out += text(s(o, "user")) + text(s(o, "name")) + text(s(o, "agency"))
        out += text(s(a, "due")) + opt_text(a, "review") + text(s(a, "status")) + text(s(a, "evidence"))
    return out


def digest(m, act, account, signed_at):
    e = text("liaise-minutes-v1") + text(act) + text(account) + num(signed_at)
    e += num(n(m, "meeting")) + text(s(m, "room")) + num(n(m, "version"))
    e += text(s(m, "kind")) + text(s(m, "title")) + text(s(m, "starts_at")) + text(s(m, "place"))
    e += person(m["chair"]) + person(m["minute_taker"])
    e += text(s(m, "marking")) + opt_text(m, "next_meeting")
    e += num(len(m["attendance"]))
    for a in m["attendance"]:
        e += num(n(a, "id")) + text(s(a, "user")) + text(s(a, "name")) + text(s(a, "agency"))
        e += text(s(a, "role")) + text(s(a, "discipline")) + text(s(a, "status"))
        e += num(1 if a.get("family") is True else 0) + num(1 if a.get("copy") is True else 0)
    e += num(len(m["agenda"]))
    for a in m["agenda"]:
        e += num(n(a, "id")) + text(s(a, "title")) + text(s(a, "discussion"))
    e += num(len(m["decisions"]))
    for d in m["decisions"]:
        e += num(n(d, "id")) + opt_num(d, "agenda")
        e += text(s(d, "decision")) + text(s(d, "reasons")) + text(s(d, "dissent"))
    e += actions(m["actions"]) + actions(m["carried_forward"])
    c = m.get("correction")
    if isinstance(c, dict):
        e += num(1) + num(n(c, "of_version")) + text(s(c, "reason")) + text(s(c, "by")) + num(n(c, "at"))
    else:
        e += num(0)
    return hashlib.blake2b(e, digest_size=32).hexdigest()


MINUTES = {
    "meeting": 7, "room": "case-2041", "version": 2, "status": "approved",
    "kind": "strategy", "title": "Strategy meeting: J (8)", "starts_at": "2026-11-22 10:00",
    "place": "Room 4, Civic Centre",
    "chair": {"user": "hana", "display_name": "Hana Ali", "agency": "Westshire NHS"},
    "minute_taker": {"user": "bea", "display_name": "Bea Lund", "agency": "Westshire Council"},
    "marking": "OFFICIAL-SENSITIVE", "next_meeting": "2026-12-06",
    "attendance": [
        {"id": 1, "user": "hana", "name": "Hana Ali", "agency": "Westshire NHS",
         "role": "Health visitor", "status": "present", "family": False, "copy": False},
        {"id": 2, "name": "Mrs Kowalska", "agency": "", "role": "Mother",
         "status": "apologies", "family": True, "copy": True},
        {"id": 3, "name": "Sam Reed", "agency": "St Mary's School", "role": "DSL",
         "discipline": "education", "status": "present", "family": False, "copy": False},
    ],
    "agenda": [{"id": 1, "title": "Concerns", "discussion": "J said \u201cdad hit me\u201d.\nNurse saw bruising."}],
    "decisions": [
        {"id": 1, "agenda": 1, "decision": "Section 47 enquiry", "reasons": "Disclosure", "dissent": ""},
        {"id": 2, "agenda": None, "decision": "Review in 2 weeks", "reasons": "", "dissent": "School: sooner"},
    ],
    "actions": [
        {"id": 4, "room": "case-2041", "meeting": 7, "what": "Visit J at home", "outcome": "J is safe",
         "owner": {"name": "Bea Lund", "agency": "Westshire Council", "user": "bea"},
         "due": "2026-11-24", "review": "2026-12-06", "status": "open", "evidence": "", "overdue": False},
    ],
    "carried_forward": [
        {"id": 2, "room": "case-2041", "meeting": 5, "what": "GP letter", "outcome": "",
         "owner": {"name": "Dr Okafor", "agency": "Riverside Surgery"},
         "due": "2026-11-01", "review": None, "status": "carried_forward", "evidence": "", "overdue": True},
    ],
    "correction": {"reason": "Wrong date of birth", "of_version": 1, "by": "hana", "at": 1795000000000},
}

MINIMAL = {
    "meeting": 1, "room": "r", "version": 1, "kind": "other", "title": "", "starts_at": "2026-01-01 09:00",
    "place": "", "chair": {"user": "a", "display_name": "A", "agency": "X"},
    "minute_taker": {"user": "a", "display_name": "A", "agency": "X"}, "marking": "OFFICIAL",
    "next_meeting": None, "attendance": [], "agenda": [], "decisions": [], "actions": [], "carried_forward": [],
}

vectors = [
    {"minutes": MINUTES, "act": "approve", "account": "hana", "signed_at": 1795100000123},
    {"minutes": MINUTES, "act": "circulate", "account": "bea", "signed_at": 1795090000000},
    {"minutes": MINIMAL, "act": "approve", "account": "a", "signed_at": 0},
]
for v in vectors:
    v["digest"] = digest(v["minutes"], v["act"], v["account"], v["signed_at"])
json.dump({"description": "Canonical minutes digest (PROTOCOL.md, Signed minutes), computed independently "
                      "with Python's hashlib by protocol/testdata/minutes_digest.py; digest is lowercase hex of BLAKE2b-256.",
           "vectors": vectors}, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")

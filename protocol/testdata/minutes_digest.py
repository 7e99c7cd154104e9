#!/usr/bin/python3
"""Writes minutes-digest.json: golden vectors for the canonical minutes digest (PROTOCOL.md,
"Signed minutes"), computed from the written rule with hashlib alone, independently of the C++
code, so that any client (the browser's included) can check its own implementation. Each vector
names its encoding by its label: "liaise-minutes-v2" (what is signed now) or "liaise-minutes-v1"
(signatures made before v2, which clients still check)."""
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


def receives(a):
    """v2: the sections a copy holds as the chair chose them; 0 when there is no list."""
    r = a.get("receives")
    if not isinstance(r, list):
        return num(0)
    return num(1) + num(len(r)) + b"".join(text(x if isinstance(x, str) else "") for x in r)


def record(m):
    """v2: the case reference, the kind's label, the template's sections, reports and agency
    views, after the correction."""
    e = text(s(m, "case_reference")) + text(s(m, "kind_label"))
    sections = m.get("sections", [])
    e += num(len(sections))
    for x in sections:
        e += text(s(x, "id")) + text(s(x, "label")) + text(s(x, "text"))
        e += num(1 if x.get("professionals_only") is True else 0) + text(s(x, "how_gathered"))
    reports = m.get("reports", [])
    e += num(len(reports))
    for r in reports:
        e += num(n(r, "id")) + text(s(r, "report")) + text(s(r, "by"))
        e += num(1 if r.get("shared_with_parents") is True else 0)
    views = m.get("agency_views", [])
    e += num(len(views))
    for v in views:
        e += text(s(v, "agency")) + text(s(v, "view"))
    return e


def digest(m, act, account, signed_at, label):
    v2 = label == "liaise-minutes-v2"
    e = text(label) + text(act) + text(account) + num(signed_at)
    e += num(n(m, "meeting")) + text(s(m, "room")) + num(n(m, "version"))
    e += text(s(m, "kind")) + text(s(m, "title")) + text(s(m, "starts_at")) + text(s(m, "place"))
    e += person(m["chair"]) + person(m["minute_taker"])
    e += text(s(m, "marking")) + opt_text(m, "next_meeting")
    e += num(len(m["attendance"]))
    for a in m["attendance"]:
        e += num(n(a, "id")) + text(s(a, "user")) + text(s(a, "name")) + text(s(a, "agency"))
        e += text(s(a, "role")) + text(s(a, "discipline")) + text(s(a, "status"))
        e += num(1 if a.get("family") is True else 0) + num(1 if a.get("copy") is True else 0)
        if v2:
            e += receives(a)
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
    if v2:
        e += record(m)
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

# A conference record with what issue #27 added: the case reference, the kind's label, the
# template's sections (one professionals-only, the child's views with how they were gathered),
# a report, agency views, and a parent's copy holding chosen sections; a GP's copy holds the
# default sections (no list), a social worker's copy none (an empty list).
CONFERENCE = {
    "meeting": 9, "room": "case-2041", "version": 1, "status": "approved",
    "kind": "initial-cp-conference", "kind_label": "Initial child protection conference",
    "case_reference": "CP-2041/26", "vote_recorded": True, "templated": True,
    "title": "Initial child protection conference for J", "starts_at": "2027-12-24 10:00",
    "place": "Civic Centre",
    "chair": {"user": "sam", "display_name": "Sam Okoro", "agency": "Northshire Children's Services"},
    "minute_taker": {"user": "tess", "display_name": "Tess Lee", "agency": "Northshire Children's Services"},
    "marking": "OFFICIAL-SENSITIVE", "next_meeting": None,
    "attendance": [
        {"id": 1, "user": "sam", "name": "Sam Okoro", "agency": "Northshire Children's Services",
         "role": "Chair", "status": "present", "family": False, "copy": False},
        {"id": 2, "name": "Kelly Smith", "agency": "", "role": "Mother", "status": "present",
         "family": True, "copy": True, "receives": ["purpose", "child-views", "decision"]},
        {"id": 3, "name": "Dr Rao", "agency": "Northshire GP Practice", "role": "GP",
         "status": "apologies", "family": False, "copy": True},
        {"id": 4, "name": "Jo Bell", "agency": "Westshire Council", "role": "Social worker",
         "status": "absent", "family": False, "copy": True, "receives": []},
    ],
    "agenda": [],
    "decisions": [{"id": 1, "agenda": None, "decision": "J is made the subject of a child protection plan.",
                   "reasons": "Significant harm is likely without a plan.", "dissent": ""}],
    "actions": [
        {"id": 1, "room": "case-2041", "meeting": 9, "what": "Visit J at home weekly", "outcome": "",
         "owner": {"user": "sam", "name": "Sam Okoro", "agency": "Northshire Children's Services"},
         "due": "2028-01-07", "review": None, "status": "open", "evidence": "", "overdue": False},
    ],
    "carried_forward": [],
    "sections": [
        {"id": "purpose", "label": "Purpose of the meeting and the concerns", "guidance": "Why the meeting was held",
         "text": "Concerns about J’s injuries.", "professionals_only": False},
        {"id": "child-views", "label": "The child's views and wishes", "guidance": "In the child's words",
         "text": "J said he is scared when there is shouting.", "professionals_only": False,
         "how_gathered": "Drawings with the nursery key worker."},
        {"id": "professional-information", "label": "Information from professionals", "guidance": "",
         "text": "Police hold intelligence about the partner.", "professionals_only": True},
        {"id": "risks", "label": "Risks", "guidance": "", "text": "", "professionals_only": True},
    ],
    "reports": [{"id": 1, "report": "Health visitor's report", "by": "Northshire Health",
                 "shared_with_parents": True},
                {"id": 2, "report": "Police report", "by": "", "shared_with_parents": False}],
    "agency_views": [{"agency": "Northshire Police", "view": "Agrees: plan needed."},
                     {"agency": "Northshire Health", "view": "Agrees."}],
    "missing_sections": [],
}

V1, V2 = "liaise-minutes-v1", "liaise-minutes-v2"
vectors = [
    {"label": V2, "minutes": CONFERENCE, "act": "approve", "account": "sam", "signed_at": 1830000000456},
    {"label": V2, "minutes": CONFERENCE, "act": "circulate", "account": "tess", "signed_at": 1829990000000},
    {"label": V2, "minutes": MINUTES, "act": "approve", "account": "hana", "signed_at": 1795100000123},
    {"label": V2, "minutes": MINIMAL, "act": "approve", "account": "a", "signed_at": 0},
    {"label": V1, "minutes": MINUTES, "act": "approve", "account": "hana", "signed_at": 1795100000123},
    {"label": V1, "minutes": MINUTES, "act": "circulate", "account": "bea", "signed_at": 1795090000000},
    {"label": V1, "minutes": MINIMAL, "act": "approve", "account": "a", "signed_at": 0},
    {"label": V1, "minutes": CONFERENCE, "act": "approve", "account": "sam", "signed_at": 1830000000456},
]
for v in vectors:
    v["digest"] = digest(v["minutes"], v["act"], v["account"], v["signed_at"], v["label"])
json.dump({"description": "Canonical minutes digest (PROTOCOL.md, Signed minutes), computed independently "
                      "with Python's hashlib by protocol/testdata/minutes_digest.py; label names the encoding "
                      "(liaise-minutes-v2, or liaise-minutes-v1 for signatures made before it); digest is "
                      "lowercase hex of BLAKE2b-256.",
           "vectors": vectors}, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")

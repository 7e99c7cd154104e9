#!/usr/bin/env python3
"""A malicious server against the real `liaise` command: the attack of the security review's
findings #1 (server-supplied keys), #2 (readers slipped into a room) and #5 (withheld, replayed,
re-attributed and back-dated messages), rewritten minutes, and invented, rewritten or replayed
acknowledgements and accuracy comments, tested the way an attacker would.

Each scenario starts its own liaise-server with a malicious proxy in front of it (proxy.py) and
enrols everyone THROUGH the proxy (the server address is saved at enrolment). People are real
`liaise` homes: ann (admin, social care), hana (chair, health), bea (member, education), and
pcarter (member, police) where needed; the room case-1 holds hana, bea and ann. The proxy
rewrites only what the victim's connections receive, after the victim has seen the room
honestly, as a real attacker would have to.

Usage: mitm_test.py PATH/TO/liaise-server PATH/TO/liaise
Prints one line per check; exits 1 if any check failed.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proxy import Identity, Proxy, _number, _text, b64, each_message, free_port, open_wrapped, \
    reply_to, safety_number, swap_keys, unb64  # noqa: E402

SERVER, LIAISE = (os.path.abspath(p) for p in sys.argv[1:3])
PASSPHRASE = "correct horse battery staple"
DAY_MS = 24 * 60 * 60 * 1000
ROOM = "case-1"

results = []  # (passed, scenario, check)
current = {"scenario": ""}


def check(what, passed, detail=""):
    """Records and prints one check; `detail` is shown when it fails."""
    results.append((bool(passed), current["scenario"], what))
    line = f"{'PASS' if passed else 'FAIL'} [{current['scenario']}] {what}"
    if not passed and detail:
        line += f"\n      {detail}"
    print(line, flush=True)
    return bool(passed)


class Ran:
    def __init__(self, proc):
        self.code, self.out, self.err = proc.returncode, proc.stdout, proc.stderr

    @property
    def both(self):
        return self.out + self.err

    def __str__(self):
        return f"exit {self.code}; stdout: {self.out.strip()!r}; stderr: {self.err.strip()!r}"


class World:
    """A fresh liaise-server, the malicious proxy in front of it, and people enrolled through
    the proxy. ann creates the agencies; hana (chair) creates case-1 for hana, bea and ann."""

    PEOPLE = {  # account: (display name, agency, discipline, role)
        "hana": ("Hana Ali", "Northshire NHS Trust", "health", "chair"),
        "bea": ("Bea Patel", "Riverside Primary", "education", "member"),
        "pcarter": ("Pat Carter", "Westshire Police", "police-justice", "member"),
    }

    def __init__(self, people=("hana", "bea")):
        self.dir = tempfile.mkdtemp(prefix="liaise-mitm-")
        self.server = None
        self.proxy = None
        data = os.path.join(self.dir, "data")
        init = subprocess.run([SERVER, "init", "--data", data, "--admin", "ann", "--agency",
                               "Test Agency", "--discipline", "social-care", "--json"],
                              check=True, capture_output=True, text=True)
        admin_code = json.loads(init.stdout)["code"]
        port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.server = subprocess.Popen([SERVER, "serve", "--data", data, "--listen",
                                        f"127.0.0.1:{port}", "--threads", "2"],
                                       stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.025)
        else:
            raise RuntimeError("liaise-server did not start")
        self.proxy = Proxy(port)
        self.ok("ann", "enrol", "--server", self.proxy.url, "--code", admin_code)
        self.unlock("ann")
        for _, agency, discipline, _ in self.PEOPLE.values():
            self.ok("ann", "admin", "agency", "add", agency, "--discipline", discipline)
        for who in people:
            self.enrol(who)
        self.ok("hana", "room", "create", ROOM, "--member", "bea", "--member", "ann")

    def enrol(self, who):
        name, agency, _, role = self.PEOPLE[who]
        out = self.ok("ann", "admin", "enrol", who, "--agency", agency, "--role", role,
                      "--display-name", name, "--json")
        self.ok(who, "enrol", "--server", self.proxy.url, "--code", json.loads(out.out)["code"])
        self.unlock(who)

    def unlock(self, who):
        """Unlocks `who`'s device into its agent, as a person does at the start of a day: later
        commands take the keys from the agent instead of deriving the keystore key again
        (Argon2id, about a second each). The agent ends when close() removes the keystore."""
        self.ok(who, "unlock", "--for", "2h")

    def home(self, who):
        return os.path.join(self.dir, "home-" + who)

    def liaise(self, who, *args):
        """Runs the real `liaise ARGS` as `who`, with no terminal (standard input empty)."""
        env = dict(os.environ, LIAISE_HOME=self.home(who), LIAISE_PASSPHRASE=PASSPHRASE)
        return Ran(subprocess.run([LIAISE, *args], env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=60))

    def ok(self, who, *args):
        ran = self.liaise(who, *args)
        if ran.code != 0:
            raise AssertionError(f"{who}: liaise {' '.join(args)} failed: {ran}")
        return ran

    def send(self, who, text, *flags):
        """`who` sends `text` to case-1 (--anyway: no dictionary hold-back); returns its seq."""
        ran = self.ok(who, "send", "--anyway", *flags, ROOM, text)
        return int(ran.out.split("Sent #")[1].split()[0])

    def read(self, who, room=ROOM):
        """`who`'s `liaise read ROOM --json --plain`, one object per line."""
        ran = self.ok(who, "read", room, "--json", "--plain")
        return [json.loads(line) for line in ran.out.splitlines() if line.strip()]

    def number(self, who, other):
        """The safety number `who`'s device computes for `who` and `other`."""
        return json.loads(self.ok(who, "fingerprint", other, "--json").out)["safety_number"]

    def seen_keys(self, who):
        """`who`'s device keys as the real server lists them (asked directly, past the proxy's
        rewrites: ann's connection is never rewritten)."""
        keys = json.loads(self.ok("ann", "fingerprint", who, "--json").out)["devices"]
        return {device: unb64(key) for device, key in keys.items()}

    def close(self):
        if self.proxy:
            self.proxy.stop()
        if self.server:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- What a read shows ------------------------------------------------------------------------

def messages(lines):
    return [m for m in lines if "event" not in m]


def by_seq(lines):
    return {m["seq"]: m for m in lines}


def codes(m):
    return [w["code"] for w in m.get("warnings", [])]


def clean(m):
    """A message shown as written, with nothing to warn about."""
    return "error" not in m and "text" in m and m.get("warnings") == []


def check_clean(what, lines):
    bad = [m for m in messages(lines) if not clean(m)]
    return check(what, messages(lines) and not bad, f"flagged or unreadable: {bad}")


def honest_start(w):
    """ann, hana and bea each write once (accepting the room's readers, as on a first send),
    and everyone reads the room honestly: the ledger every device keeps starts here."""
    w.send("ann", "Strategy meeting on Thursday at 10.", "--accept-new-readers")
    w.send("hana", "Health visitor saw him on Monday; weight is fine.", "--accept-new-readers")
    w.send("bea", "He was in school every day this week.", "--accept-new-readers")
    for who in ("hana", "bea", "ann"):
        w.read(who)


# --- Scenarios --------------------------------------------------------------------------------

def honest(w):
    """The proxy passes everything unchanged. Several messages go both ways; every line of
    everyone's read has no warnings and no error; the safety numbers hana and bea compute for
    each other match (and match the number computed here from the real keys); verify succeeds
    both ways and is then shown as verified."""
    honest_start(w)
    w.send("hana", "Thanks. Any concerns about his attendance before this term?")
    w.send("bea", "None; he missed two days in September, both explained.")
    w.send("ann", "Noted. I will circulate the plan after the meeting.")
    for who in ("hana", "bea", "ann"):
        lines = w.read(who)
        check_clean(f"{who}'s read: every message shown, no warnings", lines)
        check(f"{who}'s read: all 6 messages present", len(messages(lines)) == 6, lines)
    hana_sees, bea_sees = w.number("hana", "bea"), w.number("bea", "hana")
    check("hana's number for bea == bea's number for hana", hana_sees == bea_sees,
          f"{hana_sees} vs {bea_sees}")
    expected = safety_number("hana", list(w.seen_keys("hana").values()),
                             "bea", list(w.seen_keys("bea").values()))
    check("the number is the one computed here from both real keys", hana_sees == expected,
          f"{hana_sees} vs {expected}")
    ran = w.liaise("hana", "verify", "bea", bea_sees)
    check("hana: verify bea <bea's number> succeeds", ran.code == 0 and "Verified bea" in ran.out,
          ran)
    ran = w.liaise("bea", "verify", "hana", hana_sees)
    check("bea: verify hana <hana's number> succeeds", ran.code == 0 and "Verified hana" in ran.out,
          ran)
    shown = json.loads(w.ok("hana", "fingerprint", "bea", "--json").out)
    check("hana's fingerprint bea now says verified", shown["verified"] is True, shown)
    seq = w.send("hana", "Plan agreed; thank you both.")
    check("a verified contact does not stop an honest send", seq == 8, seq)
    check_clean("bea's read after verifying: still no warnings", w.read("bea"))


def key_swap(w):
    """Finding #1. From the start, the proxy gives hana's connection an attacker identity in
    place of bea's device keys (user_keys, room_show, sender_keys of bea's messages). The
    safety number hana's device computes for bea must differ from the one bea's device computes
    for hana, and `verify bea <bea's real number>` on hana's device must fail with
    number_mismatch, pinning nothing. (That this is the only line of defence is shown too: a
    message hana sends unverified is readable by the attacker, and not by bea.)"""
    attacker = {}
    w.proxy.rewrite("hana", swap_keys("bea", attacker))
    honest_start(w)
    secret = "Dad has been arrested; do not tell mum before 5pm."
    seq = w.send("hana", secret)

    hana_sees, bea_sees = w.number("hana", "bea"), w.number("bea", "hana")
    check("hana's number for bea != bea's number for hana", hana_sees != bea_sees,
          f"both {hana_sees}")
    bea_real = list(w.seen_keys("bea").values())
    fake = [unb64(i.public()["sign_key"]) for i in attacker.values()]
    check("bea's number for hana is the one from the real keys",
          bea_sees == safety_number("hana", list(w.seen_keys("hana").values()), "bea", bea_real))
    check("hana's number for bea is computed from the key hana was served (the attacker's)",
          hana_sees == safety_number("hana", list(w.seen_keys("hana").values()), "bea", fake))
    ran = w.liaise("hana", "verify", "bea", bea_sees)
    check("hana: verify bea <bea's real number> fails with number_mismatch",
          ran.code == 1 and "(number_mismatch)" in ran.err and "Verified" not in ran.out, ran)
    shown = json.loads(w.ok("hana", "fingerprint", "bea", "--json").out)
    check("hana's fingerprint bea still says not verified", shown["verified"] is False, shown)

    # What verification is protecting against: the unverified send went to the attacker's key.
    sends = [r for r in w.proxy.requests_of("hana", "send") if r["envelope"]["sender"] == "hana"]
    if not check("the proxy gave hana's device an attacker identity for bea, and saw her send",
                 attacker and sends, f"identities {attacker}, sends {sends}"):
        return
    env = sends[-1]["envelope"]
    bea_device = next(iter(attacker))
    members = json.loads(w.ok("bea", "room", "show", ROOM, "--json").out)["members"]
    hana_box = unb64(next(m for m in members if m["user"] == "hana")["devices"][0]["box_key"])
    try:
        stolen = open_wrapped(env, bea_device, attacker[bea_device].box, hana_box)
    except Exception as e:  # noqa: BLE001
        stolen = f"(could not open: {e})"
    check("unverified, hana's message was wrapped for the attacker's key (the attacker reads it)",
          stolen == secret, stolen)
    bea_view = by_seq(w.read("bea")).get(seq, {})
    check("bea cannot read hana's diverted message (bad_wrapped_key)",
          bea_view.get("error", {}).get("code") == "bad_wrapped_key", bea_view)

    hana_lines = w.read("hana")
    from_bea = [m for m in messages(hana_lines) if m["sender"] == "bea"]
    check("hana: bea's messages under the swapped key are not shown as bea's text",
          from_bea and all("text" not in m and m["error"]["code"] == "bad_signature"
                           for m in from_bea), from_bea)
    check_clean("hana: ann's and hana's own messages are unflagged",
                [m for m in hana_lines if m.get("sender") in ("ann", "hana")])


def verified_then_swapped(w):
    """Finding #1, later. hana verifies bea honestly; then the proxy swaps bea's keys for
    hana's connection. hana's next send (--anyway --accept-new-readers) must exit 1 with
    key_changed, "since you verified them", and the server must have stored nothing new."""
    honest_start(w)
    ran = w.liaise("hana", "verify", "bea", w.number("bea", "hana"))
    check("hana verifies bea honestly", ran.code == 0, ran)
    before = w.read("bea")
    check_clean("bea's read before the swap: no warnings", before)

    sends_before = len(w.proxy.requests_of("hana", "send"))
    w.proxy.rewrite("hana", swap_keys("bea", {}))
    ran = w.liaise("hana", "send", "--anyway", "--accept-new-readers", ROOM,
                   "Mum has agreed to the safety plan.")
    check("hana's send exits 1 with key_changed",
          ran.code == 1 and "(key_changed)" in ran.err, ran)
    check("the refusal says bea's keys changed since hana verified them",
          "since you verified them" in ran.err and "bea" in ran.err, ran)
    check("nothing was sent (no send request left hana's device)",
          len(w.proxy.requests_of("hana", "send")) == sends_before,
          w.proxy.requests_of("hana", "send")[sends_before:])
    after = w.read("bea")
    check("the server stored nothing new (bea's read is unchanged)",
          [m["seq"] for m in after] == [m["seq"] for m in before], after[len(before):])
    shown = json.loads(w.ok("hana", "fingerprint", "bea", "--json").out)
    check("hana's fingerprint bea no longer says verified", shown["verified"] is False, shown)

    # The same with an extra device slipped in for bea instead of a swapped one.
    extra = Identity()

    def add_bea_device(frame, request):
        if reply_to(frame, request, "room_show"):
            for member in frame["members"]:
                if member["user"] == "bea":
                    member["devices"].append(dict(extra.public(), device="9999", name="phone"))
        return frame
    w.proxy.rewrite("hana", add_bea_device)
    ran = w.liaise("hana", "send", "--anyway", "--accept-new-readers", ROOM,
                   "Mum has agreed to the safety plan.")
    check("an extra device listed for verified bea: send exits 1 with key_changed naming it",
          ran.code == 1 and "(key_changed)" in ran.err and "device 9999" in ran.err, ran)
    check("nothing was sent for it either",
          len(w.proxy.requests_of("hana", "send")) == sends_before,
          w.proxy.requests_of("hana", "send")[sends_before:])

    w.proxy.rewrite("hana", None)
    seq = w.send("hana", "Mum has agreed to the safety plan.")
    check("once the server is honest again hana's send goes through", seq == len(before) + 1, seq)


def withheld(w):
    """Finding #5, withholding. After hana has read the room honestly, bea sends three
    messages; the proxy drops the middle one from hana's sync replies and live events. hana's
    next read must show a "gap" warning on bea's following message, and nothing else flagged."""
    honest_start(w)
    first = w.send("bea", "Update 1: mum phoned the school.")
    middle = w.send("bea", "Update 2: mum withdrew consent, do NOT release him to her.")
    last = w.send("bea", "Update 3: he is in class as normal.")

    def drop_middle(frame, request):
        return each_message(frame, request,
                            lambda m: None if m.get("room") == ROOM and m["seq"] == middle else m)
    w.proxy.rewrite("hana", drop_middle)
    lines = by_seq(w.read("hana"))
    check("hana is not shown the withheld message", middle not in lines, lines.get(middle))
    check("bea's message after the withheld one has a gap warning",
          "gap" in codes(lines.get(last, {})), lines.get(last))
    check("the gap warning says a message from bea is missing",
          any("missing" in w_["message"] and "bea" in w_["message"]
              for w_ in lines.get(last, {}).get("warnings", [])), lines.get(last))
    check_clean("hana: every message before the withheld one is unflagged",
                [m for s, m in lines.items() if s < middle])
    check("bea's message before the withheld one is unflagged", clean(lines.get(first, {})),
          lines.get(first))
    check_clean("bea's own (honest) read: no warnings", w.read("bea"))


def withheld_first(w):
    """Withholding a sender's first message in the room: nothing in the messages around it
    can tell (no earlier counter from that device, nothing it had seen), but every seq of a
    room is shown to each member, so the hole itself is flagged as a gap."""
    honest_start(w)
    hidden = w.send("ann", "ann's first: the child must not go home tonight", "--accept-new-readers")
    after = w.send("bea", "Noted, thanks.")

    def drop(frame, request):
        return each_message(frame, request,
                            lambda m: None if m.get("room") == ROOM and m["seq"] == hidden else m)
    w.proxy.rewrite("hana", drop)
    lines = by_seq(w.read("hana"))
    check("hana is not shown ann's first message", hidden not in lines, lines.get(hidden))
    check("the message after the hole has a gap warning naming the missing number",
          any(x["code"] == "gap" and f"#{hidden}" in x["message"]
              for x in lines.get(after, {}).get("warnings", [])), lines.get(after))
    check_clean("bea's own (honest) read: no warnings", w.read("bea"))


def withheld_then_shown(w):
    """Withholding against the history a device keeps (client/src/history_store.hpp): hana's
    read fetches only what is new, so the withheld message must not stay missing once kept.
    After the gap warning, the server is honest again: hana's next read shows the message that
    was withheld (fetched again from the hole), the message after it keeps the gap warning it
    had when it arrived, and with the server gone the kept history holds both."""
    honest_start(w)
    w.send("bea", "Update 1: mum phoned the school.")
    middle = w.send("bea", "Update 2: mum withdrew consent, do NOT release him to her.")
    last = w.send("bea", "Update 3: he is in class as normal.")

    def drop_middle(frame, request):
        return each_message(frame, request,
                            lambda m: None if m.get("room") == ROOM and m["seq"] == middle else m)
    w.proxy.rewrite("hana", drop_middle)
    gapped = by_seq(w.read("hana"))
    check("hana is not shown the withheld message", middle not in gapped, gapped.get(middle))
    check("the message after it has a gap warning", "gap" in codes(gapped.get(last, {})),
          gapped.get(last))

    w.proxy.rewrite("hana", None)
    lines = by_seq(w.read("hana"))
    check("once the server is honest, hana is shown the message that was withheld",
          clean(lines.get(middle, {})) and "do NOT release" in lines[middle]["text"],
          lines.get(middle))
    check("the message after it keeps the gap warning it arrived with",
          "gap" in codes(lines.get(last, {})), lines.get(last))
    check_clean("hana: every message before the hole is unflagged",
                [m for s, m in lines.items() if s < middle])

    w.proxy.stop()
    w.proxy = None
    offline = w.liaise("hana", "read", ROOM, "--json", "--plain")
    kept = by_seq([json.loads(x) for x in offline.out.splitlines() if x.strip()])
    check("offline, hana's device shows the kept history with the once-withheld message",
          offline.code == 0 and middle in kept and last in kept, offline)
    check("offline, the read says so in one line", "Offline: the server at" in offline.err,
          offline)


def replay(w):
    """Finding #5, replay. After hana has read the room honestly, the proxy re-inserts an old
    bea message (the whole object, signature and all) into hana's sync with a new seq above the
    last. hana must see a "replay" warning on it, and nothing else flagged. (The proxy records
    during hana's first read: later reads fetch only what hana's device has not kept.)"""
    captured = {}

    def record(frame, request):  # an honest pass that keeps bea's messages
        return each_message(frame, request,
                            lambda m: captured.setdefault(m["seq"], m) if m.get("sender") == "bea"
                            else m)
    w.proxy.rewrite("hana", record)
    honest_start(w)
    if not check("the proxy captured bea's honest message from hana's sync", captured):
        return
    old = dict(next(iter(captured.values())))
    top = w.send("ann", "Reminder: reports by Wednesday.")

    def replay_old(frame, request):
        if reply_to(frame, request, "sync") and frame.get("room") == ROOM:
            fake = dict(old, seq=top + 1)
            frame["messages"].append(fake)
            frame["last_seq"] = top + 1
        return frame
    w.proxy.rewrite("hana", replay_old)
    lines = by_seq(w.read("hana"))
    check("hana is shown the replayed copy as a new message", top + 1 in lines, sorted(lines))
    check("the replayed message has a replay warning", "replay" in codes(lines.get(top + 1, {})),
          lines.get(top + 1))
    check_clean("hana: every real message is unflagged", [m for s, m in lines.items() if s <= top])


def reattributed(w):
    """Finding #5, re-attribution. hana knows pcarter from another room. After hana has read
    case-1 honestly, the proxy rewrites "sender" of a new bea message to "pcarter" in hana's
    sync. hana must see "sender_mismatch" on it, and nothing else flagged."""
    w.ok("hana", "room", "create", "case-2", "--member", "pcarter")
    w.ok("pcarter", "send", "--anyway", "--accept-new-readers", "case-2", "Police are aware.")
    w.read("hana", "case-2")
    honest_start(w)
    seq = w.send("bea", "The police officer said he can go home with dad tonight.")

    def as_pcarter(frame, request):
        return each_message(frame, request,
                            lambda m: dict(m, sender="pcarter") if m.get("seq") == seq and
                            m.get("room") == ROOM else m)
    w.proxy.rewrite("hana", as_pcarter)
    lines = by_seq(w.read("hana"))
    m = lines.get(seq, {})
    check("the message is shown as from pcarter (the server's claim)", m.get("sender") == "pcarter",
          m)
    check("and carries a sender_mismatch warning", "sender_mismatch" in codes(m), m)
    check("the warning names bea as the signer",
          any("bea" in x["message"] for x in m.get("warnings", [])
              if x["code"] == "sender_mismatch"), m)
    check_clean("hana: every other message is unflagged",
                [x for s, x in lines.items() if s != seq])
    check_clean("hana's read of case-2 (pcarter's real message) stays unflagged",
                w.read("hana", "case-2"))


def clock(w):
    """Finding #5, back-dating. After hana has read the room honestly, the proxy moves a new bea
    message's "sent_at" a day earlier in hana's sync. hana must see a "clock" warning on it."""
    honest_start(w)
    seq = w.send("bea", "I saw the bruise this morning.")

    def backdate(frame, request):
        return each_message(frame, request,
                            lambda m: dict(m, sent_at=m["sent_at"] - DAY_MS)
                            if m.get("seq") == seq and m.get("room") == ROOM else m)
    w.proxy.rewrite("hana", backdate)
    lines = by_seq(w.read("hana"))
    m = lines.get(seq, {})
    check("the back-dated message has a clock warning", "clock" in codes(m), m)
    check("the warning says the device's time is about a day later than the server's",
          any(x["code"] == "clock" and ("1439 minutes later" in x["message"] or
                                        "1440 minutes later" in x["message"])
              for x in m.get("warnings", [])), m)
    check("it is still shown with its text (the signature holds)", "text" in m, m)
    check_clean("hana: every other message is unflagged",
                [x for s, x in lines.items() if s != seq])


def new_reader(w):
    """Finding #2. After hana has written to the room once, the proxy adds a ghost member with a
    fresh identity to room_show replies for hana's connection. hana's `send --anyway` without
    --accept-new-readers must exit 1 "Not sent" naming the ghost, and send nothing at all.
    Then the honest case: ann (admin, in the room) really adds pcarter; hana's next send without
    --accept-new-readers is refused naming pcarter, and bea's read shows the addition."""
    honest_start(w)
    ghost = Identity()
    ghost_member = {"user": "ghost", "display_name": "Gus Host", "role": "member",
                    "agency": "Northshire NHS Trust", "discipline": "health",
                    "devices": [dict(ghost.public(), device="9999", name="laptop")]}

    def add_ghost(frame, request):
        if reply_to(frame, request, "room_show") and frame.get("room") == ROOM:
            frame["members"].append(ghost_member)
        return frame
    sends_before = len(w.proxy.requests_of("hana", "send"))
    w.proxy.rewrite("hana", add_ghost)
    ran = w.liaise("hana", "send", "--anyway", ROOM, "The foster placement is at 12 Elm Road.")
    check("hana's send exits 1, Not sent", ran.code == 1 and "Not sent" in ran.err, ran)
    check("the refusal names the ghost and its device",
          "Gus Host, Northshire NHS Trust (ghost, device 9999)" in ran.err, ran)
    check("nothing was sent: no send request left hana's device",
          len(w.proxy.requests_of("hana", "send")) == sends_before,
          w.proxy.requests_of("hana", "send")[sends_before:])
    w.proxy.rewrite("hana", None)
    seq = w.send("hana", "Placement details to follow by phone.")
    check("with the honest server again hana's send needs no confirmation", seq > 0, seq)
    check_clean("bea's read: no warnings so far", w.read("bea"))

    # The honest case: a real addition, made by an admin who is in the room.
    w.enrol("pcarter")
    w.ok("ann", "room", "add", ROOM, "pcarter")
    ran = w.liaise("hana", "send", "--anyway", ROOM, "Welcome, and please read back.")
    check("after ann adds pcarter, hana's send is refused, Not sent",
          ran.code == 1 and "Not sent" in ran.err, ran)
    check("the refusal names pcarter", "Pat Carter, Westshire Police (pcarter, device" in ran.err, ran)
    text = w.ok("bea", "read", ROOM, "--plain").out
    check("bea's read shows pcarter was added by ann",
          "Pat Carter, Westshire Police, was added by ann" in text, text)
    events = [m["event"] for m in w.read("bea") if "event" in m]
    check("bea's read --json has the member_added event for pcarter",
          any(e.get("kind") == "member_added" and e.get("user") == "pcarter" and e.get("by") == "ann"
              for e in events), events)
    seq = w.send("hana", "Welcome, and please read back.", "--accept-new-readers")
    members = json.loads(w.ok("bea", "room", "show", ROOM, "--json").out)["members"]
    device = next(m for m in members if m["user"] == "pcarter")["devices"][0]["device"]
    m = by_seq(w.read("bea")).get(seq, {})
    # bea has not pinned pcarter's device (she never wrote to him), so it is named by number.
    check("accepted, the send reaches bea with a new_reader note naming pcarter's device",
          "new_reader" in codes(m) and f"device {device}" in json.dumps(m.get("warnings")), m)


def minutes_rewritten(w):
    """The server changes approved minutes for bea: first only the export it renders, then the
    version it shows as well. bea's device writes exports from the version whose signatures it
    checked, so the first changes nothing; the second fails every check."""
    honest, forged = "Start a child protection enquiry", "No further action"
    made = json.loads(w.ok("hana", "meeting", "create", ROOM, "--title", "Strategy meeting",
                           "--kind", "strategy", "--at", "2030-01-10 10:00", "--place",
                           "remote", "--json").out)
    meeting = str(made["meeting"])
    w.ok("hana", "meeting", "decision", meeting, honest)
    w.ok("hana", "meeting", "circulate", meeting, "--acknowledge")
    w.ok("hana", "meeting", "approve", meeting, "--acknowledge")
    ran = w.liaise("bea", "meeting", "verify", meeting)
    check("honest: bea verifies hana's approval", ran.code == 0 and "signature verified" in ran.out,
          ran)

    def export_only(frame, request):
        if reply_to(frame, request, "meeting_export"):
            frame["content"] = frame.get("content", "").replace(honest, forged)
        return frame

    w.proxy.rewrite("bea", export_only)
    ran = w.liaise("bea", "meeting", "export", meeting, "--format", "markdown")
    check("a forged rendering is not what bea's export writes",
          ran.code == 0 and honest in ran.out and forged not in ran.out, ran)
    check("and the export says the approval verifies",
          "approved by Hana Ali" in ran.out and "signature verified" in ran.out, ran)

    def everything(frame, request):
        frame = export_only(frame, request)
        if reply_to(frame, request, "meeting_show"):
            for d in frame.get("decisions", []):
                if d.get("decision") == honest:
                    d["decision"] = forged
        return frame

    w.proxy.rewrite("bea", everything)
    for args in (("verify",), ("show",), ("export", "--format", "html")):
        ran = w.liaise("bea", "meeting", *args, meeting)
        check(f"changed minutes: bea's meeting {args[0]} says the approval does NOT verify",
              ran.code == 1 and "signature does NOT verify" in ran.both
              and "not the one Hana Ali approved" in ran.both, ran)


def record_rewritten(w):
    """Issue #27's record, signed as a whole (minutes digest v2): the server rewrites, for bea, a
    template section's text of approved minutes, then slips in a report and an agency view,
    then gives a parent's copy a section the chair never chose. Each alone must make bea's
    `liaise meeting verify` exit 1 with "does NOT verify", not "signed before": the signatures
    were made under v2, and the v1 fallback cannot match changed content under a v2 signature."""
    honest = "Concerns about J's injuries at nursery."
    made = json.loads(w.ok("hana", "meeting", "create", ROOM, "--title", "Meeting about J",
                           "--kind", "other", "--case-ref", "CP-2041/26", "--at",
                           "2030-01-10 10:00", "--place", "remote", "--json").out)
    meeting = str(made["meeting"])
    for section, text in (("purpose", honest), ("attendance", "Hana and Bea; Kelly Smith."),
                          ("decision", "A child in need plan."), ("plan", "Visit weekly.")):
        w.ok("hana", "meeting", "section", meeting, section, text)
    w.ok("hana", "meeting", "attend", meeting, "--name", "Kelly Smith", "--role", "Mother",
         "--family", "--copy", "--status", "present", "--receives", "purpose")
    w.ok("hana", "meeting", "circulate", meeting, "--acknowledge")
    w.ok("hana", "meeting", "approve", meeting, "--acknowledge")
    ran = w.liaise("bea", "meeting", "verify", meeting)
    check("honest: bea verifies both signatures on the whole record",
          ran.code == 0 and ran.out.count("signature verified") == 2
          and "signed before" not in ran.out, ran)

    def shown(edit):
        def rewrite(frame, request):
            if reply_to(frame, request, "meeting_show") and frame.get("sections"):
                edit(frame)
            return frame
        return rewrite

    def section_text(m):
        for s in m["sections"]:
            if s.get("id") == "purpose":
                s["text"] = "No concerns were raised."

    def report(m):
        m["reports"] = m.get("reports", []) + [
            {"id": 1, "report": "Police report: no concerns", "by": "Westshire Police",
             "shared_with_parents": True}]

    def agency_view(m):
        m["agency_views"] = m.get("agency_views", []) + [
            {"agency": "Westshire Police", "view": "Disagrees: no plan needed."}]

    def copy(m):
        for a in m["attendance"]:
            if a.get("name") == "Kelly Smith":
                a["receives"] = ["purpose", "decision"]

    for what, edit in (("a section's text", section_text), ("a report", report),
                       ("an agency view", agency_view), ("what a parent's copy holds", copy)):
        w.proxy.rewrite("bea", shown(edit))
        ran = w.liaise("bea", "meeting", "verify", meeting)
        check(f"{what} rewritten: bea's meeting verify exits 1, does NOT verify",
              ran.code == 1 and ran.both.count("signature does NOT verify") == 2
              and "not the one Hana Ali approved" in ran.both and "signed before" not in ran.both,
              ran)
    w.proxy.rewrite("bea", shown(section_text))
    ran = w.liaise("bea", "meeting", "export", meeting, "--format", "markdown")
    check("and bea's export of the rewritten section exits 1, saying so",
          ran.code == 1 and "signature does NOT verify" in ran.both, ran)
    w.proxy.rewrite("bea", None)
    ran = w.liaise("bea", "meeting", "verify", meeting)
    check("with the honest server again it verifies", ran.code == 0, ran)


def backup_key_substituted(w):
    """Continuity (issue 26): the server names its own key as the account's backup key. hana
    made her recovery key honestly; then the proxy puts an attacker's public key (with a
    signature of the attacker's) in hana's backup_key replies. hana's device must refuse it:
    `liaise recovery status` says it does not accept the key, and no message key is backed up
    from hana's device after the substitution, however many messages she reads."""
    honest_start(w)
    created = json.loads(w.ok("hana", "recovery", "create", "--json").out)
    check("hana's recovery key is 48 symbols in 12 groups",
          len(created["recovery_key"].replace(" ", "")) == 48, created)
    attacker = Identity()

    def substitute(frame, request):
        if reply_to(frame, request, "backup_key"):
            frame["version"] = frame.get("version", 0) + 1
            frame["public_key"] = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
            frame["signature"] = base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")
            frame["signer"] = dict(attacker.public(), device=frame.get("device", "1"),
                                   name="attacker")
        return frame
    w.proxy.rewrite("hana", substitute)

    def backups_from_hana():
        with w.proxy.lock:
            return sum(1 for user, r in w.proxy.requests
                       if user == "hana" and r.get("type") == "backup_put")
    before = backups_from_hana()
    ran = w.ok("hana", "recovery", "status")
    check("hana's device does not accept the substituted backup key",
          "does not accept the backup key" in ran.out, ran)
    w.send("bea", "Mum called the school this morning.")
    w.send("ann", "Noted, thank you.")
    w.read("hana")
    check("nothing is backed up from hana's device to the substituted key",
          backups_from_hana() == before, backups_from_hana() - before)


def message_hash(env):
    """PROTOCOL.md's message hash of a version 3 envelope (as sent): BLAKE2b-256 of
    "liaise-message-hash-v3" || the signed transcript || the signature."""
    t = (_text("liaise-envelope-v3") + _number(3) + _text(env["room"]) +
         _text(env["sender_device"]) + _text(env["client_msg_id"]) + _text(unb64(env["nonce"])) +
         _text(unb64(env["ciphertext"])) + _text(unb64(env["key_commitment"])) +
         _number(len(env["recipients"])))
    for d in env["recipients"]:
        t += _text(d)
    t += (_text(env["sender"]) + _number(env["counter"]) + _number(env["sent_at"]) +
          _number(env["previous_seq"]) + _text(unb64(env.get("previous_hash", ""))))
    return hashlib.blake2b(b"liaise-message-hash-v3" + t + unb64(env["signature"]),
                           digest_size=32).digest()


def forged_withdrawal(w):
    """A server hiding a message by saying its sender withdrew it (issue #27). hana has read
    bea's warning. First the proxy moves bea's genuine withdrawal of another message onto the
    warning (its signature names the other seq); then it slips in a withdrawal of the warning
    "by bea", signed by a key the attacker made and handed over with it. hana's device must refuse
    both, keep the warning's text, and say the withdrawal did not check out; bea's honest
    withdrawal of her own mistake still deletes it for ann, whose connection is not rewritten."""
    honest_start(w)
    keep = w.send("bea", "Do NOT release him to mum: police advice.")
    seen = {}  # what hana's device was given, by seq (passed on unchanged)

    def record(frame, request):
        def message(m):
            seen[m["seq"]] = json.loads(json.dumps(m))
            return m
        return each_message(frame, request, message)
    w.proxy.rewrite("hana", record)
    w.read("hana")
    w.proxy.rewrite("hana", None)
    oops = w.send("bea", "Wrong room, sorry: this was about another child.")
    ran = w.liaise("bea", "withdraw", ROOM, str(oops))
    check("without --yes and with no terminal to ask on, nothing is withdrawn",
          ran.code == 1 and "no terminal" in ran.err and
          "withdrawn" not in json.dumps(by_seq(w.read("bea")).get(oops, {})), ran)
    ran = w.liaise("bea", "withdraw", ROOM, str(oops), "--yes", "--json")
    check("bea withdraws her own misdirected message", ran.code == 0, ran)
    event_seq = json.loads(ran.out)["event_seq"] if ran.code == 0 else -1

    def move_withdrawal(frame, request):
        def message(m):
            e = m.get("event")
            if m.get("room") == ROOM and e and e.get("kind") == "message_withdrawn":
                e["seq"] = keep
            return m
        return each_message(frame, request, message)
    w.proxy.rewrite("hana", move_withdrawal)
    lines = by_seq(w.read("hana"))
    check("hana still reads bea's warning after a withdrawal moved onto it",
          lines.get(keep, {}).get("text", "").startswith("Do NOT release"), lines.get(keep))
    moved = lines.get(event_seq, {})
    check("the moved withdrawal is refused with a warning (withdrawal_refused)",
          "withdrawal_refused" in codes(moved) and moved.get("event", {}).get("refused") is True,
          moved)

    attacker = Identity()
    bea_device = w.seen_keys("bea")
    bea_device = next(iter(bea_device))
    forged_seq = max(lines) + 1
    # The forgery names the warning exactly (its real hash, from the envelope bea sent): only
    # the signature can give it away.
    fake_hash = b64(message_hash(seen[keep]["envelope"]))
    withdrawn_at = int(time.time() * 1000)
    statement = (_text("liaise-withdrawal-v1") + _text(ROOM) + _number(keep) +
                 _text(unb64(fake_hash)) + _text("bea") + _text(bea_device) +
                 _number(withdrawn_at))
    forged = {"room": ROOM, "seq": forged_seq, "sent_at": withdrawn_at,
              "event": {"kind": "message_withdrawn", "seq": keep, "hash": fake_hash,
                        "sender": "bea", "by": "bea", "by_display_name": "Bea Patel",
                        "by_device": bea_device, "by_role": "member",
                        "withdrawn_at": withdrawn_at,
                        "signature": b64(attacker.sign.sign(statement).signature),
                        "signer_keys": attacker.public()}}

    def inject(frame, request):
        if reply_to(frame, request, "sync") and frame.get("room") == ROOM and \
                request.get("after", 0) < forged_seq:
            if not any(m["seq"] == forged_seq for m in frame["messages"]):
                frame["messages"].append(dict(forged))
            frame["last_seq"] = max(frame.get("last_seq", 0), forged_seq)
        return frame
    w.proxy.rewrite("hana", inject)
    lines = by_seq(w.read("hana"))
    check("hana still reads bea's warning after a forged withdrawal",
          lines.get(keep, {}).get("text", "").startswith("Do NOT release"), lines.get(keep))
    shown = lines.get(forged_seq, {})
    check("the forged withdrawal (a key the server handed over) is refused with a warning",
          "withdrawal_refused" in codes(shown) and shown.get("event", {}).get("refused") is True,
          shown)
    text = w.liaise("hana", "read", ROOM, "--plain")
    screen = " ".join(text.out.split())  # lines are wrapped to the terminal's width
    check("hana's screen warns that the withdrawal did not check out",
          "did not check out" in screen and "Do NOT release" in screen, text)

    ann = by_seq(w.read("ann"))
    check("ann (not rewritten): bea's misdirected message is gone",
          "text" not in ann.get(oops, {}) and ann.get(oops, {}).get("event", {}).get("kind")
          == "withdrawn", ann.get(oops))
    check("ann: the withdrawal is shown, unflagged",
          ann.get(event_seq, {}).get("event", {}).get("kind") == "message_withdrawn" and
          not codes(ann.get(event_seq, {})), ann.get(event_seq))
    check("ann still reads bea's warning", "text" in ann.get(keep, {}), ann.get(keep))


# --- Signed acknowledgements and comments (PROTOCOL.md, "Signed acknowledgements and comments")

def circulated_meeting(w):
    """hana's strategy meeting in case-1, circulated (version 1) to hana, bea and ann, after
    everyone wrote and read once honestly (so hana's device has pinned bea's and ann's keys)."""
    honest_start(w)
    made = json.loads(w.ok("hana", "meeting", "create", ROOM, "--title", "Strategy meeting",
                           "--kind", "strategy", "--at", "2030-01-10 10:00", "--place",
                           "remote", "--json").out)
    meeting = str(made["meeting"])
    w.ok("hana", "meeting", "decision", meeting, "Start a child protection enquiry")
    w.ok("hana", "meeting", "circulate", meeting, "--acknowledge")
    return meeting


def distribution_entry(w, meeting, version, user):
    """`user`'s entry of the distribution of `version` as hana's device is shown it honestly."""
    shown = json.loads(w.ok("hana", "meeting", "show", meeting, "--version", str(version),
                            "--json").out)
    return next(d for d in shown["distribution"] if d.get("user") == user)


def with_acknowledgement(user, entry_of, version=None):
    """A rewrite that makes hana's meeting_show (of `version`, or any) and minutes_due replies
    say `user` acknowledged, with the acknowledgement entry_of(entry) returns for their entry."""
    def rewrite(frame, request):
        if reply_to(frame, request, "meeting_show") and (
                version is None or frame.get("version") == version):
            for d in frame.get("distribution", []):
                if d.get("user") == user:
                    d.update(entry_of(d))
        if reply_to(frame, request, "minutes_due"):
            for m in frame.get("meetings", []):
                if version is not None and m.get("version") != version:
                    continue
                listed = m.setdefault("acknowledged", [])
                if not any(a.get("user") == user for a in listed):
                    listed.append(dict(entry_of({"user": user}), user=user, name="Bea Patel",
                                       agency="Riverside Primary"))
                    m["not_acknowledged"] = max(0, m.get("not_acknowledged", 0) - 1)
        return frame
    return rewrite


def not_acknowledged_everywhere(w, meeting, what):
    """hana's meetings due, meeting show and meeting verify each exit 1 and say the server shows
    an acknowledgement from Bea Patel that her device did not sign, never that she acknowledged."""
    said = "the server shows an acknowledgement from Bea Patel (bea) that their device did not sign"
    ran = w.liaise("hana", "meetings", "due")
    check(f"{what}: hana's meetings due exits 1 and says bea's device did not sign it",
          ran.code == 1 and said in ran.out and "NOT verified" in ran.out, ran)
    ran = w.liaise("hana", "meeting", "show", meeting)
    check(f"{what}: hana's meeting show lists bea as NOT acknowledged, exit 1",
          ran.code == 1 and "Bea Patel (Riverside Primary): NOT acknowledged" in ran.out
          and said in ran.out and "acknowledged by Bea Patel" not in ran.out, ran)
    ran = w.liaise("hana", "meeting", "verify", meeting)
    check(f"{what}: hana's meeting verify exits 1 and says so", ran.code == 1 and said in ran.out,
          ran)


def ack_invented(w):
    """The server shows hana an acknowledgement from bea, who never acknowledged: first signed
    with a key of the attacker's (named as bea's device), then with ann's genuine signature
    moved onto bea. hana's device checks each against bea's pinned key: not verified."""
    meeting = circulated_meeting(w)
    w.ok("ann", "meeting", "acknowledge", meeting)
    ran = w.liaise("hana", "meetings", "due")
    check("honest: hana's meetings due shows ann's acknowledgement verified",
          ran.code == 0 and "1 recipient(s) acknowledged version 1, signatures verified" in ran.out
          and "did not sign" not in ran.out, ran)
    ran = w.liaise("hana", "meeting", "show", meeting)
    check("honest: hana's meeting show: ann acknowledged, signature verified; bea has not",
          ran.code == 0 and ": acknowledged " in ran.out and "signature verified" in ran.out
          and "Bea Patel (Riverside Primary): NOT acknowledged" not in ran.out
          and "did not sign" not in ran.out, ran)

    bea_device = next(iter(w.seen_keys("bea")))
    attacker = Identity()
    now = int(time.time() * 1000)

    def forged(_entry):
        return {"acknowledged_at": now, "ack_signature": {
            "device": bea_device, "signed_at": now,
            "signature": b64(attacker.sign.sign(b"anything").signature),
            "signer_keys": dict(attacker.public(), device=bea_device)}}

    w.proxy.rewrite("hana", with_acknowledgement("bea", forged))
    not_acknowledged_everywhere(w, meeting, "signed by the server's own key")

    w.proxy.rewrite("hana", None)
    ann_ack = distribution_entry(w, meeting, 1, "ann")
    w.proxy.rewrite("hana", with_acknowledgement("bea", lambda _e: {
        "acknowledged_at": ann_ack["acknowledged_at"], "ack_signature": ann_ack["ack_signature"]}))
    not_acknowledged_everywhere(w, meeting, "ann's signature moved onto bea")

    ann_keys = ann_ack["ack_signature"]
    moved = dict(ann_keys, device=bea_device,
                 signer_keys=dict(ann_keys["signer_keys"], device=bea_device))
    w.proxy.rewrite("hana", with_acknowledgement("bea", lambda _e: {
        "acknowledged_at": ann_ack["acknowledged_at"], "ack_signature": moved}))
    not_acknowledged_everywhere(w, meeting, "ann's signature and key named as bea's device")

    w.proxy.rewrite("hana", None)
    ran = w.liaise("hana", "meetings", "due")
    check("with the honest server again nothing is flagged", ran.code == 0
          and "did not sign" not in ran.out, ran)


def comment_rewritten(w):
    """bea sends an accuracy comment; the server rewrites its words (then its section) for hana,
    then strips its signature as if it were sent before comments were signed. hana's device
    says the first two are not bea's, and never calls the third verified."""
    meeting = circulated_meeting(w)
    honest = "The decision was to start an enquiry today, not next week."
    w.ok("bea", "meeting", "comment", meeting, "general", honest)
    ran = w.liaise("hana", "meeting", "comments", meeting)
    check("honest: hana sees bea's comment, signed by her device, verified",
          ran.code == 0 and honest in ran.out
          and "signed by Bea Patel's device, signature verified" in ran.out, ran)

    def comments(edit):
        def rewrite(frame, request):
            if reply_to(frame, request, "minutes_comments"):
                for c in frame.get("comments", []):
                    edit(c)
            return frame
        return rewrite

    said = "the server shows a comment from Bea Patel (bea) that their device did not sign"
    for what, edit in (("its words", lambda c: c.update(text="No changes are needed.")),
                       ("its section", lambda c: c.update(section="attendance"))):
        w.proxy.rewrite("hana", comments(edit))
        ran = w.liaise("hana", "meeting", "comments", meeting)
        check(f"{what} rewritten: hana's meeting comments exits 1, says bea's device did not "
              f"sign it", ran.code == 1 and said in ran.out and "NOT verified" in ran.out
              and "signature verified" not in ran.out, ran)

    def stripped(c):
        c.update(text="No changes are needed.", signature=None)
        for k in ("signed_at", "device", "signer_keys"):
            c.pop(k, None)

    w.proxy.rewrite("hana", comments(stripped))
    ran = w.liaise("hana", "meeting", "comments", meeting)
    check("signature stripped: shown as not signed, never as verified",
          "not signed, so not verified" in ran.out and "signature verified" not in ran.out, ran)
    w.proxy.rewrite("hana", None)
    ran = w.liaise("hana", "meeting", "comments", meeting)
    check("with the honest server again it verifies", ran.code == 0
          and "signature verified" in ran.out, ran)


def ack_replayed(w):
    """bea acknowledges version 1; hana corrects and circulates version 2, which bea has not
    acknowledged. The server replays bea's acknowledgement of version 1 as one of version 2:
    hana's device checks it against version 2 and says it is not bea's."""
    meeting = circulated_meeting(w)
    w.ok("bea", "meeting", "acknowledge", meeting)
    ran = w.liaise("hana", "meeting", "show", meeting)
    check("honest: bea's acknowledgement of version 1 verifies on hana's device",
          ran.code == 0 and "Bea Patel (Riverside Primary): acknowledged" in ran.out
          and "signature verified" in ran.out, ran)
    w.ok("hana", "meeting", "correct", meeting, "--reason", "The date was wrong")
    w.ok("hana", "meeting", "circulate", meeting, "--acknowledge")
    ran = w.liaise("hana", "meetings", "due")
    check("honest: version 2 is not acknowledged by bea, and nothing is flagged",
          ran.code == 0 and "did not sign" not in ran.out and "have not acknowledged" in ran.out,
          ran)
    v1 = distribution_entry(w, meeting, 1, "bea")
    check("version 1's entry carries bea's signature", isinstance(v1.get("ack_signature"), dict),
          v1)
    w.proxy.rewrite("hana", with_acknowledgement("bea", lambda _e: {
        "acknowledged_at": v1["acknowledged_at"], "ack_signature": v1["ack_signature"]},
        version=2))
    not_acknowledged_everywhere(w, meeting, "version 1's acknowledgement replayed on version 2")
    ran = w.liaise("hana", "meeting", "verify", meeting, "--version", "1")
    check("and version 1's own acknowledgement still verifies", ran.code == 0
          and "acknowledged by Bea Patel" in ran.out, ran)


def parent_copy_widened(w):
    """Issue #27's copies: hana marks the decision professionals-only and gives a parent (Kelly
    Smith, family) a copy of the rest. The server then tries to put the decision into the copy
    bea exports for Kelly: in its own rendering of the copy, then in the version it shows bea
    (the decision's marking lifted, Kelly no longer family, Kelly's choice widened to the
    decision). bea's export must never hold the decision's words: it makes the copy itself from
    the version whose signatures it checked, and a version changed to widen the copy does not
    verify, so no copy is written and the command exits 1."""
    secret = "Police intelligence: the father was arrested in March."
    made = json.loads(w.ok("hana", "meeting", "create", ROOM, "--title", "Meeting about J",
                           "--kind", "other", "--case-ref", "CP-2042/26", "--at",
                           "2030-01-11 10:00", "--place", "remote", "--json").out)
    meeting = str(made["meeting"])
    for section, text in (("purpose", "Concerns about J's injuries at nursery."),
                          ("attendance", "Hana and Bea; Kelly Smith."), ("plan", "Visit weekly.")):
        w.ok("hana", "meeting", "section", meeting, section, text)
    w.ok("hana", "meeting", "section", meeting, "decision", secret, "--professionals-only")
    attended = json.loads(w.ok("hana", "meeting", "attend", meeting, "--name", "Kelly Smith",
                               "--role", "Mother", "--family", "--copy", "--status", "present",
                               "--json").out)
    entry = str(attended["entry"]["id"])
    w.ok("hana", "meeting", "circulate", meeting, "--acknowledge")

    def export():
        return w.liaise("bea", "meeting", "export", meeting, "--for", entry, "--format",
                        "markdown")

    ran = export()
    check("honest: bea's export of Kelly's copy holds the purpose and not the decision",
          ran.code == 0 and "Concerns about J" in ran.out and secret not in ran.both, ran)

    def rendered(frame, request):
        if reply_to(frame, request, "meeting_export") and "content" in frame:
            frame["content"] += "\n## Decision\n\n" + secret + "\n"
        return frame

    w.proxy.rewrite("bea", rendered)
    ran = export()
    check("the server's rendering of the copy given the decision: bea's copy still leaves it out",
          ran.code == 0 and "Concerns about J" in ran.out and secret not in ran.both, ran)

    def unmarked(m):
        for s in m["sections"]:
            if s.get("id") == "decision":
                s["professionals_only"] = False

    def not_family(m):
        for a in m["attendance"]:
            if a.get("name") == "Kelly Smith":
                a["family"] = False

    def widened(m):
        for a in m["attendance"]:
            if a.get("name") == "Kelly Smith":
                a["receives"] = ["purpose", "decision"]

    for what, edit in (("the decision's marking lifted", unmarked),
                       ("Kelly shown as not family", not_family),
                       ("Kelly's copy widened to the decision", widened)):
        def rewrite(frame, request, edit=edit):
            if reply_to(frame, request, "meeting_show") and frame.get("sections"):
                edit(frame)
            return rendered(frame, request)
        w.proxy.rewrite("bea", rewrite)
        ran = export()
        check(f"{what} in the version shown: bea's export of Kelly's copy exits 1, writes none "
              "of it, and says the signature does NOT verify",
              ran.code == 1 and secret not in ran.both and "Concerns about J" not in ran.out
              and "does NOT verify" in ran.both, ran)
    # The signatures stripped as well: nothing left to check is not a licence to trust.
    def stripped(frame, request):
        if reply_to(frame, request, "meeting_show") and frame.get("sections"):
            not_family(frame)
            frame["signatures"] = []
        return rendered(frame, request)

    w.proxy.rewrite("bea", stripped)
    ran = export()
    check("the version shown unsigned and Kelly not family: bea's export exits 1, writes none of "
          "it, and says there is no signature to check",
          ran.code == 1 and secret not in ran.both and "Concerns about J" not in ran.out
          and "carries no signature to check" in ran.both, ran)
    w.proxy.rewrite("bea", None)
    ran = export()
    check("with the honest server again the copy is written", ran.code == 0
          and "Concerns about J" in ran.out and secret not in ran.both, ran)


SCENARIOS = [
    ("1 honest", honest, ("hana", "bea")),
    ("2 key swap", key_swap, ("hana", "bea")),
    ("3 verified, then swapped", verified_then_swapped, ("hana", "bea")),
    ("4 withheld", withheld, ("hana", "bea")),
    ("5 replay", replay, ("hana", "bea")),
    ("6 re-attribution", reattributed, ("hana", "bea", "pcarter")),
    ("7 clock", clock, ("hana", "bea")),
    ("8 new reader", new_reader, ("hana", "bea")),
    ("9 withheld first", withheld_first, ("hana", "bea")),
    ("10 minutes rewritten", minutes_rewritten, ("hana", "bea")),
    ("11 withheld, then shown", withheld_then_shown, ("hana", "bea")),
    ("12 backup key substituted", backup_key_substituted, ("hana", "bea")),
    ("13 record sections rewritten", record_rewritten, ("hana", "bea")),
    ("14 forged withdrawal", forged_withdrawal, ("hana", "bea")),
    ("15 acknowledgement invented", ack_invented, ("hana", "bea")),
    ("16 comment rewritten", comment_rewritten, ("hana", "bea")),
    ("17 acknowledgement replayed", ack_replayed, ("hana", "bea")),
    ("18 parent's copy widened", parent_copy_widened, ("hana", "bea")),
]


def main():
    only = sys.argv[3:]  # optional scenario numbers, for debugging
    for name, fn, people in SCENARIOS:
        if only and name.split()[0] not in only:
            continue
        current["scenario"] = name
        w = None
        try:
            w = World(people)
            fn(w)
        except Exception:  # noqa: BLE001
            check("scenario ran to the end", False, traceback.format_exc().strip())
        finally:
            if w:
                w.close()
    failed = [r for r in results if not r[0]]
    print(f"{len(results) - len(failed)} of {len(results)} checks passed", flush=True)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

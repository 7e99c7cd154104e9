#!/usr/bin/env python3
"""Writes the golden vectors in protocol/testdata/vectors/ from PROTOCOL.md alone.

An implementation independent of the C++ one (Python with PyNaCl, Debian's python3-nacl): it
never calls liaise code. The C++ tests (tests/protocol/vectors_test.cpp) and any second
implementation (the browser client) must reproduce every value byte for byte.

    /usr/bin/python3 protocol/testdata/make_vectors.py          # rewrites vectors/*.json
    /usr/bin/python3 protocol/testdata/make_vectors.py --check  # ctest: are they current?

Every input is fixed, so running it again writes the same files. The keys, nonces and salts
below are test values: never reuse a fixed nonce or key outside these vectors.
"""

import base64
import hashlib
import json
import os
import sys

import nacl.bindings as s

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")


# --- encodings (PROTOCOL.md, "End-to-end encryption", Encoding) ---------------------------------

def b64(b: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def num(n: int) -> bytes:
    return n.to_bytes(8, "big")


def bin_(b: bytes) -> bytes:
    return num(len(b)) + b


def str_(t: str) -> bytes:
    return bin_(t.encode("utf-8"))


def blake2b256(data: bytes, key: bytes = b"") -> bytes:
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def fixed(label: str, n: int) -> bytes:
    """n reproducible test bytes named by `label` (BLAKE2b-512 of the label, repeated)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.blake2b(f"{label}/{i}".encode(), digest_size=64).digest()
        i += 1
    return out[:n]


# --- device identities ---------------------------------------------------------------------------

class Device:
    def __init__(self, account: str, device: str):
        self.account = account
        self.device = device
        self.sign_seed = fixed(f"liaise-vector-sign-seed:{device}", 32)
        self.sign_pk, self.sign_sk = s.crypto_sign_seed_keypair(self.sign_seed)
        self.box_sk = fixed(f"liaise-vector-box-secret:{device}", 32)
        self.box_pk = s.crypto_scalarmult_base(self.box_sk)
        self.box_key_signature = sign(self.sign_sk, b"liaise-box-key-v1" + self.box_pk)

    def export(self) -> bytes:
        """The keystore plaintext: sign_sk || box_sk || sign_pk || box_pk || signature."""
        return self.sign_sk + self.box_sk + self.sign_pk + self.box_pk + self.box_key_signature

    def public(self) -> dict:
        return {"account": self.account, "device": self.device,
                "sign_key": b64(self.sign_pk), "box_key": b64(self.box_pk),
                "box_key_signature": b64(self.box_key_signature)}

    def secret(self) -> dict:
        return {**self.public(), "sign_seed": b64(self.sign_seed),
                "sign_secret_key": b64(self.sign_sk), "box_secret_key": b64(self.box_sk)}


def sign(sign_sk: bytes, message: bytes) -> bytes:
    return s.crypto_sign(message, sign_sk)[:64]  # detached: the signature precedes the message


ALICE = Device("alice", "alice-laptop")
BOB_PHONE = Device("bob", "bob-phone")
BOB_LAPTOP = Device("bob", "bob-laptop")
CAROL = Device("carol", "carol-desktop")


def fingerprint(sign_pk: bytes) -> str:
    h = blake2b256(b"liaise-fingerprint-v1" + sign_pk)
    groups = []
    for chunk in range(6):
        v = int.from_bytes(h[chunk * 5:chunk * 5 + 5], "big")
        groups += [v >> 20, v & 0xFFFFF]
    return " ".join(f"{g % 100000:05d}" for g in groups)


def party_digits(account: str, keys: list) -> str:
    keys = sorted(set(keys))
    data = str_("liaise-safety-number-v1") + str_(account) + num(len(keys))
    for k in keys:
        data += bin_(k)
    h = blake2b256(data)
    return "".join(f"{int.from_bytes(h[c * 5:c * 5 + 5], 'big') % 100000:05d}" for c in range(6))


def safety_number(a, b) -> str:
    first, second = sorted([party_digits(*a), party_digits(*b)])
    digits = first + second
    return " ".join(digits[i:i + 5] for i in range(0, 60, 5))


def identities() -> dict:
    alice = ("alice", [ALICE.sign_pk])
    bob = ("bob", [BOB_PHONE.sign_pk, BOB_LAPTOP.sign_pk])
    carol = ("carol", [CAROL.sign_pk])
    pairs = []
    for (a, b) in [(alice, bob), (bob, alice), (alice, carol), (bob, carol)]:
        pairs.append({
            "a": {"account": a[0], "sign_keys": [b64(k) for k in a[1]],
                  "digits": party_digits(*a)},
            "b": {"account": b[0], "sign_keys": [b64(k) for k in b[1]],
                  "digits": party_digits(*b)},
            "safety_number": safety_number(a, b)})
    # The same keys listed twice and in another order count once, in byte order.
    bob_again = ("bob", [BOB_LAPTOP.sign_pk, BOB_PHONE.sign_pk, BOB_LAPTOP.sign_pk])
    pairs.append({
        "a": {"account": "alice", "sign_keys": [b64(ALICE.sign_pk)], "digits": party_digits(*alice)},
        "b": {"account": "bob", "sign_keys": [b64(k) for k in bob_again[1]],
              "digits": party_digits(*bob_again)},
        "safety_number": safety_number(alice, bob_again)})
    devices = []
    for d in (ALICE, BOB_PHONE, BOB_LAPTOP, CAROL):
        devices.append({**d.secret(), "fingerprint": fingerprint(d.sign_pk)})
    return {
        "description": (
            "Device identities and safety numbers (PROTOCOL.md, 'Device keys', 'Safety numbers'). "
            "Each device: sign_seed (32 bytes) -> Ed25519 key pair (crypto_sign_seed_keypair; "
            "sign_secret_key is libsodium's 64-byte seed || public key); box_secret_key (32 bytes) "
            "-> X25519 box_key (crypto_scalarmult_base); box_key_signature = Ed25519 detached "
            "signature by the sign key over 'liaise-box-key-v1' || box_key (raw bytes, no length); "
            "fingerprint = the 12 five-digit groups of BLAKE2b-256('liaise-fingerprint-v1' || "
            "sign_key), each 5-byte chunk split into its high and low 20 bits, each mod 100000. "
            "Safety numbers: for each pair, 'digits' is each party's 30 digits and "
            "'safety_number' the pair's number; it does not depend on which party is 'a'. "
            "Binary values are URL-safe base64 without padding."),
        "devices": devices,
        "safety_numbers": pairs,
    }


# --- login ---------------------------------------------------------------------------------------

def login() -> dict:
    challenge = fixed("liaise-vector-login-challenge", 32)
    message = b"liaise-login-v1" + challenge
    return {
        "description": (
            "The login signature (PROTOCOL.md, 'Sessions'): the Ed25519 detached signature by "
            "the device's sign key (devices[0] of identity.json, alice-laptop) over "
            "'liaise-login-v1' || challenge, where challenge is the 32 bytes the hello reply "
            "carried. 'signed_hex' is the exact byte string signed. The login request then "
            "carries it base64-encoded as 'signature'."),
        "device": ALICE.device,
        "sign_key": b64(ALICE.sign_pk),
        "challenge": b64(challenge),
        "signed_hex": message.hex(),
        "signature": b64(sign(ALICE.sign_sk, message)),
        "request": {"type": "login", "id": "l1", "user": ALICE.account, "device": ALICE.device,
                    "signature": b64(sign(ALICE.sign_sk, message))},
    }


# --- envelopes -----------------------------------------------------------------------------------

def seal(sender: Device, room: str, client_msg_id: str, plaintext: str, recipients: list,
         history: dict, label: str) -> dict:
    message_key = fixed(f"{label}/message-key", 32)
    nonce = fixed(f"{label}/nonce", 24)
    ad = str_("liaise-envelope-ad-v1") + num(3) + str_(room) + str_(sender.device) + \
        str_(client_msg_id)
    ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext.encode("utf-8"), ad, nonce, message_key)
    commitment = blake2b256(b"liaise-message-key-commitment-v2", key=message_key)
    ordered = sorted(recipients, key=lambda d: d.device.encode("utf-8"))
    wrap_nonces = [fixed(f"{label}/wrap-nonce/{i}", 24) for i in range(len(ordered))]
    keys = []
    for d, wn in zip(ordered, wrap_nonces):
        wrapped = wn + s.crypto_box(message_key, wn, d.box_pk, sender.box_sk)
        keys.append({"device": d.device, "wrapped": b64(wrapped)})
    previous_hash = history["previous_hash"]
    transcript = (str_("liaise-envelope-v3") + num(3) + str_(room) + str_(sender.device) +
                  str_(client_msg_id) + bin_(nonce) + bin_(ciphertext) + bin_(commitment) +
                  num(len(ordered)))
    for d in ordered:
        transcript += str_(d.device)
    transcript += (str_(history["sender"]) + num(history["counter"]) + num(history["sent_at"]) +
                   num(history["previous_seq"]) + bin_(previous_hash))
    signature = sign(sender.sign_sk, transcript)
    envelope = {
        "v": 3, "room": room, "sender_device": sender.device, "client_msg_id": client_msg_id,
        "nonce": b64(nonce), "ciphertext": b64(ciphertext), "key_commitment": b64(commitment),
        "recipients": [d.device for d in ordered], "sender": history["sender"],
        "counter": history["counter"], "sent_at": history["sent_at"],
        "previous_seq": history["previous_seq"]}
    if history["previous_seq"] > 0:
        envelope["previous_hash"] = b64(previous_hash)
    envelope["signature"] = b64(signature)
    envelope["keys"] = keys
    message_hash = blake2b256(b"liaise-message-hash-v3" + transcript + signature)
    copies = {}
    for k in keys:
        copy = dict(envelope)
        copy["keys"] = [k]
        copies[k["device"]] = compact(copy)
    return {
        "inputs": {
            "sender": sender.device,
            "room": room, "client_msg_id": client_msg_id, "plaintext": plaintext,
            "recipients": [d.device for d in recipients],
            "history": {"sender": history["sender"], "counter": history["counter"],
                        "sent_at": history["sent_at"], "previous_seq": history["previous_seq"],
                        "previous_hash": b64(previous_hash)},
            "message_key": b64(message_key), "nonce": b64(nonce),
            "wrap_nonces": [b64(n) for n in wrap_nonces],
        },
        "associated_data_hex": ad.hex(),
        "transcript_hex": transcript.hex(),
        "envelope": envelope,
        "envelope_text": compact(envelope),
        "message_hash": b64(message_hash),
        "copies": copies,
        "opens_to": {d.device: plaintext for d in recipients},
    }


def compact(value) -> str:
    """JSON as the C++ side serialises it: no spaces, keys in insertion order, UTF-8 as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def envelopes() -> dict:
    first = seal(ALICE, "case-2041", "0190a1b2c3d4-first", "Home visit moved to Tuesday 10:00.",
                 [BOB_PHONE, ALICE, BOB_LAPTOP],
                 {"sender": "alice", "counter": 1, "sent_at": 1764000000000,
                  "previous_seq": 0, "previous_hash": b""}, "liaise-vector-envelope-1")
    previous = base64.urlsafe_b64decode(first["message_hash"] + "=")
    second = seal(ALICE, "case-2041", "0190a1b2c3d5-second",
                  "Caf\u00e9 at 3? \u2014 \u201cJ\u201d is fine \U0001F44D",
                  [ALICE, CAROL, BOB_PHONE],
                  {"sender": "alice", "counter": 2, "sent_at": 1764000060000,
                   "previous_seq": 41, "previous_hash": previous}, "liaise-vector-envelope-2")
    return {
        "description": (
            "Version 3 envelopes sealed with fixed keys and nonces (PROTOCOL.md, 'Envelopes "
            "(version 3)'), by alice-laptop (identity.json). inputs: the plaintext, the "
            "recipient devices as given (sealing sorts them by byte order), the history, the "
            "32-byte message key, the 24-byte XChaCha20-Poly1305 nonce and one 24-byte "
            "crypto_box nonce per recipient in sorted order. associated_data_hex and "
            "transcript_hex are the exact AEAD associated data and signed transcript; envelope "
            "is the wire object, envelope_text its exact compact JSON text (the field order is "
            "part of the format); message_hash is BLAKE2b-256('liaise-message-hash-v3' || "
            "transcript || signature); copies[device] is the text the server delivers to that "
            "device (only its own wrapped key); opens_to[device] is the plaintext each "
            "recipient's box_secret_key recovers. The second envelope's previous_hash is the "
            "first's message_hash."),
        "envelopes": [first, second],
    }


# --- keystore ------------------------------------------------------------------------------------

def keystore() -> dict:
    passphrase = "correct horse battery staple, but longer \u00e9"
    salt = fixed("liaise-vector-keystore-salt", 16)
    nonce = fixed("liaise-vector-keystore-nonce", 24)
    opslimit = s.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE   # 2
    memlimit = s.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE   # 67108864
    key = s.crypto_pwhash_alg(32, passphrase.encode("utf-8"), salt, opslimit, memlimit,
                              s.crypto_pwhash_ALG_ARGON2ID13)
    box = s.crypto_secretbox(ALICE.export(), nonce, key)  # MAC || ciphertext
    doc = {"v": 1, "kdf": "argon2id13", "opslimit": opslimit, "memlimit": memlimit,
           "salt": b64(salt), "nonce": b64(nonce), "box": b64(box)}
    return {
        "description": (
            "The keystore file ($LIAISE_HOME/keystore.json; PROTOCOL.md, 'Keystore') of "
            "alice-laptop (identity.json) under 'passphrase' (UTF-8). key = Argon2id13 "
            "(crypto_pwhash, 32 bytes) of the passphrase with 'salt' and the recorded opslimit "
            "and memlimit (here libsodium's INTERACTIVE limits, the lowest a keystore may have; "
            "new keystores use MODERATE); box = crypto_secretbox_easy (MAC first) of sign_sk "
            "(64) || box_sk (32) || sign_pk (32) || box_pk (32) || box_key_signature (64) under "
            "that key and 'nonce'. 'derived_key' is the Argon2id output, for checking a KDF on "
            "its own; keystore_text is the file's exact content (compact JSON, fields in this "
            "order)."),
        "passphrase": passphrase,
        "derived_key": b64(key),
        "keystore": doc,
        "keystore_text": compact(doc),
        "device": ALICE.public(),
    }


# --- continuity: recovery key, key backup, transfer, history share -------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def base32(b: bytes) -> str:
    """Crockford's base32, 5 bits at a time from the most significant (len(b)*8 % 5 == 0)."""
    n = int.from_bytes(b, "big")
    count = len(b) * 8 // 5
    return "".join(CROCKFORD[(n >> (5 * (count - 1 - i))) & 31] for i in range(count))


def key_entry(room: str, seq: int, message_hash: bytes, key: bytes) -> bytes:
    return str_("liaise-key-entry-v1") + str_(room) + num(seq) + bin_(message_hash) + bin_(key)


def box_seal(message: bytes, pk: bytes, label: str) -> bytes:
    """crypto_box_seal with a fixed ephemeral key (libsodium's construction, spelled out so the
    vectors stay the same): epk || crypto_box(message, BLAKE2b-192(epk || pk), pk, esk)."""
    esk = fixed(label, 32)
    epk = s.crypto_scalarmult_base(esk)
    nonce = hashlib.blake2b(epk + pk, digest_size=24).digest()
    return epk + s.crypto_box(message, nonce, pk, esk)


def continuity() -> dict:
    first = envelopes()["envelopes"][0]
    message_key = base64.urlsafe_b64decode(first["inputs"]["message_key"] + "=")
    message_hash = base64.urlsafe_b64decode(first["message_hash"] + "=")
    room = first["inputs"]["room"]

    secret = fixed("liaise-vector-recovery-secret", 28)
    check = blake2b256(b"liaise-recovery-check-v1" + secret)[:2]
    symbols = base32(secret + check)
    text = " ".join(symbols[i:i + 4] for i in range(0, 48, 4))
    seed = blake2b256(b"liaise-backup-key-v1", key=secret)
    backup_pk, backup_sk = s.crypto_box_seed_keypair(seed)

    entry = key_entry(room, 41, message_hash, message_key)
    backup_sealed = box_seal(entry, backup_pk, "liaise-vector-seal-1")
    moved_sealed = box_seal(key_entry(room, 42, message_hash, message_key), backup_pk,
                            "liaise-vector-seal-2")

    record = (str_("liaise-backup-public-key-v1") + str_("alice") + num(1) + bin_(backup_pk) +
              str_(ALICE.device))
    record_signature = sign(ALICE.sign_sk, record)

    code = "7K3QD-M9XPA"
    canonical = code.replace("-", "")
    salt = fixed("liaise-vector-transfer-salt", 16)
    nonce = fixed("liaise-vector-transfer-nonce", 24)
    key = s.crypto_pwhash_alg(32, canonical.encode(), salt,
                              s.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                              s.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
                              s.crypto_pwhash_ALG_ARGON2ID13)
    payload = (str_("liaise-transfer-v1") + str_("alice") + str_(ALICE.device) + num(1) +
               str_(room) + num(41) + bin_(message_hash) + bin_(message_key))
    bundle = {"v": 1, "salt": b64(salt), "nonce": b64(nonce),
              "box": b64(s.crypto_secretbox(payload + sign(ALICE.sign_sk, payload), nonce, key))}

    shared = box_seal(entry, BOB_PHONE.box_pk, "liaise-vector-seal-3")
    share = {"room": room, "from_user": "alice", "from_device": ALICE.device, "to_user": "bob",
             "to_device": BOB_PHONE.device, "since": 1764000000000, "first_seq": 41,
             "last_seq": 41, "entries": [{"seq": 41, "hash": b64(message_hash),
                                          "sealed": b64(shared)}]}
    transcript = (str_("liaise-history-share-v1") + str_(room) + str_("alice") +
                  str_(ALICE.device) + str_("bob") + str_(BOB_PHONE.device) +
                  num(share["since"]) + num(41) + num(41) + num(1) + num(41) +
                  bin_(message_hash) + bin_(shared))
    share["signature"] = b64(sign(ALICE.sign_sk, transcript))
    return {
        "description": (
            "Continuity formats (PROTOCOL.md, 'Continuity'). recovery: the 28-byte secret, its "
            "text (48 Crockford base32 symbols of secret || check, check = first 2 bytes of "
            "BLAKE2b-256('liaise-recovery-check-v1' || secret), in groups of 4) and the backup "
            "public key (crypto_box_seed_keypair of BLAKE2b-256 keyed by the secret over "
            "'liaise-backup-key-v1'). backup_entry: the key entry plaintext of the first "
            "message of envelope.json (stored at seq 41) and crypto_box_seal of it to the backup "
            "public key (with a fixed ephemeral key; any sealing opens the same way); moved_sealed is the same key "
            "entry naming seq 42, which must be refused at seq 41. backup_key_record: the "
            "record alice-laptop signs. transfer: a bundle sealed under 'code' with fixed salt "
            "and nonce by alice-laptop, holding that one key. share: a history share from "
            "alice-laptop to bob-phone holding that key sealed to bob-phone's box key; "
            "transcript_hex is what is signed."),
        "recovery": {"secret": b64(secret), "text": text, "backup_public_key": b64(backup_pk)},
        "backup_entry": {"room": room, "seq": 41, "message_hash": b64(message_hash),
                         "message_key": b64(message_key), "plaintext_hex": entry.hex(),
                         "sealed": b64(backup_sealed), "moved_sealed": b64(moved_sealed)},
        "backup_key_record": {"account": "alice", "version": 1, "public_key": b64(backup_pk),
                              "device": ALICE.device, "transcript_hex": record.hex(),
                              "signature": b64(record_signature)},
        "transfer": {"code": code, "account": "alice", "from_device": ALICE.device,
                     "payload_hex": payload.hex(), "bundle_text": compact(bundle)},
        "share": {"share": share, "share_text": compact(share), "transcript_hex": transcript.hex()},
    }


CHECK_ONLY = "--check" in sys.argv[1:]
STALE = []


def write(name: str, doc: dict) -> None:
    """Writes vectors/NAME; with --check, only compares it with what is there."""
    path = os.path.join(OUT, name)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if CHECK_ONLY:
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            STALE.append(name)
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path)}", file=sys.stderr)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    write("identity.json", identities())
    write("login.json", login())
    write("envelope.json", envelopes())
    write("passphrase-sealed-device.json", keystore())
    write("continuity.json", continuity())
    if STALE:
        print("make_vectors.py: these vectors differ from what the script writes now: " +
              ", ".join(STALE) + " (run it without --check and review the diff)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""A malicious server for tests: a WebSocket proxy in front of the real liaise-server.

Every frame is forwarded both ways. The proxy learns which account each connection belongs to
from the client's `login` request, remembers each request by its "id" (so a reply's "re" says
what it answers), and keeps every request a client sent (what a server would see). A test
installs a rewrite for one victim account: every server->client frame on that account's
connections passes through it as JSON (the request it answers, or None for a live event) and
comes out changed, unchanged, or dropped (None).

Written independently of the C++ client library: Debian's python3-websockets and PyNaCl.
"""
import asyncio
import base64
import hashlib
import json
import socket
import threading

import nacl.bindings
import nacl.public
import nacl.signing
import websockets
from websockets.exceptions import ConnectionClosed


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(data):
    """URL-safe base64 without padding, as Liaise writes keys."""
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Identity:
    """A device identity the attacker made: Ed25519 sign key, X25519 box key, and the box key
    signed by the sign key over "liaise-box-key-v1" || box key, as a real device's is."""

    def __init__(self):
        self.sign = nacl.signing.SigningKey.generate()
        self.box = nacl.public.PrivateKey.generate()
        box_key = bytes(self.box.public_key)
        self.box_key_signature = self.sign.sign(b"liaise-box-key-v1" + box_key).signature

    def public(self):
        return {"sign_key": b64(self.sign.verify_key.encode()),
                "box_key": b64(bytes(self.box.public_key)),
                "box_key_signature": b64(self.box_key_signature)}


# --- Liaise's byte encodings, re-derived here from the protocol description -----------------

def _number(n):
    return n.to_bytes(8, "big")


def _text(s):
    b = s.encode() if isinstance(s, str) else bytes(s)
    return _number(len(b)) + b


def safety_number(account_a, sign_keys_a, account_b, sign_keys_b):
    """The 60-digit safety number for two accounts and their devices' sign keys (raw bytes),
    computed from the keys alone: what both people should see when nobody is in between."""
    def party(account, keys):
        keys = sorted(set(keys))
        enc = _text("liaise-safety-number-v1") + _text(account) + _number(len(keys))
        for k in keys:
            enc += _text(k)
        h = hashlib.blake2b(enc, digest_size=32).digest()
        return "".join(f"{int.from_bytes(h[i * 5:i * 5 + 5], 'big') % 100000:05d}" for i in range(6))
    first, second = sorted([party(account_a, sign_keys_a), party(account_b, sign_keys_b)])
    digits = first + second
    return " ".join(digits[i:i + 5] for i in range(0, 60, 5))


def open_wrapped(envelope, device, recipient_box_secret, sender_box_public):
    """Opens the copy of a version 3 envelope wrapped for `device`, as that device's key holder
    would: unwrap the message key, then XChaCha20-Poly1305 with the envelope's associated data.
    Returns the text. (The attacker uses it on a key a victim wrapped for the attacker's key.)"""
    wrapped = next(unb64(k["wrapped"]) for k in envelope["keys"] if k["device"] == device)
    box = nacl.public.Box(recipient_box_secret, nacl.public.PublicKey(sender_box_public))
    message_key = box.decrypt(wrapped[24:], wrapped[:24])
    ad = (_text("liaise-envelope-ad-v1") + _number(envelope["v"]) + _text(envelope["room"]) +
          _text(envelope["sender_device"]) + _text(envelope["client_msg_id"]))
    plain = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
        unb64(envelope["ciphertext"]), ad, unb64(envelope["nonce"]), message_key)
    return plain.decode()


# --- The proxy -------------------------------------------------------------------------------

class Proxy:
    """Listens on 127.0.0.1:port and relays each connection to the real server's /v1."""

    def __init__(self, upstream_port):
        self.upstream = f"ws://127.0.0.1:{upstream_port}/v1"
        self.port = free_port()
        self.rewrites = {}   # account -> rewrite(frame, request) -> frame or None
        self.requests = []   # (account, request) for every request any client sent
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        if not started.wait(10):
            raise RuntimeError("the proxy did not start")

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}"

    def rewrite(self, account, fn):
        """From now on, `account`'s connections get server frames through fn (None: honest)."""
        with self.lock:
            if fn is None:
                self.rewrites.pop(account, None)
            else:
                self.rewrites[account] = fn

    def requests_of(self, account, kind):
        with self.lock:
            return [r for who, r in self.requests if who == account and r.get("type") == kind]

    def stop(self):
        async def close():
            self.server.close()
            await self.server.wait_closed()
        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self, started):
        asyncio.set_event_loop(self.loop)

        async def start():
            self.server = await websockets.serve(self._handle, "127.0.0.1", self.port,
                                                 max_size=None, ping_interval=None)
        self.loop.run_until_complete(start())
        started.set()
        self.loop.run_forever()

    async def _handle(self, client, _path):
        conn = {"user": None, "requests": {}}
        try:
            async with websockets.connect(self.upstream, max_size=None,
                                          ping_interval=None) as server:
                tasks = [asyncio.ensure_future(self._up(conn, client, server)),
                         asyncio.ensure_future(self._down(conn, server, client))]
                _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for t in pending:
                    t.cancel()
        except (OSError, ConnectionClosed):
            pass

    async def _up(self, conn, client, server):
        try:
            async for frame in client:
                try:
                    request = json.loads(frame)
                except ValueError:
                    request = None
                if isinstance(request, dict):
                    if request.get("type") == "login":
                        conn["user"] = request.get("user")
                    if "id" in request:
                        conn["requests"][json.dumps(request["id"])] = request
                    with self.lock:
                        self.requests.append((conn["user"], request))
                await server.send(frame)
        except ConnectionClosed:
            pass

    async def _down(self, conn, server, client):
        try:
            async for frame in server:
                with self.lock:
                    fn = self.rewrites.get(conn["user"])
                if fn is not None:
                    reply = json.loads(frame)
                    request = None
                    if reply.get("type") in ("ok", "error") and "re" in reply:
                        request = conn["requests"].get(json.dumps(reply["re"]))
                    reply = fn(reply, request)
                    if reply is None:
                        continue
                    frame = json.dumps(reply, ensure_ascii=False)
                await client.send(frame)
        except ConnectionClosed:
            pass


# --- Rewrite building blocks ------------------------------------------------------------------

def reply_to(frame, request, kind):
    """True when `frame` is a successful reply to a `kind` request."""
    return frame.get("type") == "ok" and request is not None and request.get("type") == kind


def each_message(frame, request, fn):
    """Applies fn to every message object the frame carries (the messages of a sync reply, or a
    live "message" event). fn returns the object (changed or not), None to drop it, or a list to
    put several in its place. Returns the frame, or None when a live event was dropped."""
    if reply_to(frame, request, "sync"):
        out = []
        for m in frame.get("messages", []):
            r = fn(m)
            if r is None:
                continue
            out.extend(r if isinstance(r, list) else [r])
        frame["messages"] = out
        return frame
    if frame.get("type") == "message" and request is None:
        r = fn(frame)
        if isinstance(r, list):
            r = r[0] if r else None
        return r
    return frame


def swap_keys(target, identities):
    """A rewrite putting attacker identities (one per device of `target`, made on first sight,
    kept in the dict `identities`) in place of `target`'s device keys: in user_keys and
    room_show replies, and in the sender_keys of target's messages."""
    def put(obj, device):
        if device not in identities:
            identities[device] = Identity()
        obj.update(identities[device].public())

    def rewrite(frame, request):
        if reply_to(frame, request, "user_keys") and frame.get("user") == target:
            for d in frame.get("devices", []):
                put(d, d["device"])
        if reply_to(frame, request, "room_show"):
            for member in frame.get("members", []):
                if member.get("user") == target:
                    for d in member.get("devices", []):
                        put(d, d["device"])

        def message(m):
            if m.get("sender") == target and "sender_keys" in m:
                put(m["sender_keys"], m["sender_device"])
            return m
        return each_message(frame, request, message)
    return rewrite

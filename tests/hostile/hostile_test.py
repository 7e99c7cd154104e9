#!/usr/bin/env python3
"""Hostile clients against the real liaise-server, written independently of our client library
(Debian's python3-websockets, and python3-nacl for the one case that signs in). Each case sends something a well-behaved client never would and
checks that the server answers with a documented error or closes that one connection, stays up,
and keeps serving everyone else.

Usage: hostile_test.py PATH/TO/liaise-server
"""
import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import nacl.bindings as nacl
import websockets
from websockets.exceptions import ConnectionClosed

SERVER = sys.argv[1]
HANDSHAKE_TIMEOUT_MS = 700
results = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="liaise-hostile-")
        self.data = os.path.join(self.dir, "data")
        init = subprocess.run([SERVER, "init", "--data", self.data, "--admin", "ann", "--agency", "Test Agency",
                               "--discipline", "social-care", "--json"], check=True, capture_output=True, text=True)
        self.admin_code = json.loads(init.stdout)["code"]  # ann's, for the one case that enrols
        self.port = free_port()
        # A short handshake limit, so that the half-finished handshake case runs quickly.
        self.config = os.path.join(self.dir, "server.toml")
        with open(self.config, "w") as f:
            f.write(f"handshake_timeout_ms = {HANDSHAKE_TIMEOUT_MS}\n")
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen([SERVER, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}",
                                      "--threads", "2", "--config", self.config], stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.025)
        raise RuntimeError("server did not start")

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/v1"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def case(name):
    def wrap(fn):
        fn.case_name = name
        return fn
    return wrap


async def request(ws, frame):
    await ws.send(frame)
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def healthy(server):
    """The server still answers a well-formed hello on a fresh connection."""
    async with websockets.connect(server.url) as ws:
        reply = await request(ws, json.dumps({"type": "hello", "id": "ok", "version": 1}))
        return reply["type"] == "ok" and "challenge" in reply


@case("invalid JSON gets bad_request and the connection stays usable")
async def invalid_json(server):
    async with websockets.connect(server.url) as ws:
        for frame in ["{", "nope", "[1,2]", '{"type":"hello"}', '{"id":5,"type":"hello"}', "\x00\x01"]:
            reply = await request(ws, frame)
            assert reply["type"] == "error" and reply["code"] == "bad_request", reply
        reply = await request(ws, json.dumps({"type": "hello", "id": "1", "version": 1}))
        assert reply["type"] == "ok"


@case("binary frames are read as JSON; invalid UTF-8 inside is named")
async def binary_frames(server):
    async with websockets.connect(server.url) as ws:
        reply = await request(ws, json.dumps({"type": "hello", "id": "b", "version": 1}).encode())
        assert reply["type"] == "ok", reply
        reply = await request(ws, b'{"type":"hello","id":"c","version":1,"client":"caf\xc3\x28"}')
        assert reply["code"] == "bad_request" and "client: invalid UTF-8" in reply["message"], reply
        reply = await request(ws, bytes(range(256)))
        assert reply["code"] == "bad_request", reply


@case("a key written twice is bad_request naming the key, however it is spelt")
async def duplicate_keys(server):
    async with websockets.connect(server.url) as ws:
        frames = {
            '{"type":"hello","id":"d1","version":1,"version":2}': "version",
            '{"type":"hello","id":"d2","client":"a","version":1,"cli\\u0065nt":"b"}': "client",
            '{"type":"send","id":"d3","room":"r","envelope":{"v":2,"keys":[{"device":"1","device":"2"}]}}': "device",
        }
        for frame, key in frames.items():
            reply = await request(ws, frame)
            assert reply["type"] == "error" and reply["code"] == "bad_request", reply
            assert reply["message"] == f"duplicate key '{key}'", reply
            assert reply["re"] == json.loads(frame)["id"], reply
        reply = await request(ws, json.dumps({"type": "hello", "id": "d4", "version": 1}))
        assert reply["type"] == "ok", reply


@case("a fragmented frame is reassembled")
async def fragmented(server):
    async with websockets.connect(server.url) as ws:
        parts = ['{"type":"hel', 'lo","id":"f",', '"version":1}']
        await ws.send(iter(parts))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply["type"] == "ok" and reply["re"] == "f", reply


@case("a huge frame closes that connection with 1009")
async def huge(server):
    async with websockets.connect(server.url, max_size=None) as ws:
        try:
            # The server may close while the frame is still going out, so the
            # send itself can be what reports the close.
            await ws.send("x" * (2 << 20))
            await asyncio.wait_for(ws.recv(), 5)
            raise AssertionError("the server answered a 2 MiB frame")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1009, closed


@case("invalid UTF-8 in a text frame closes that connection with 1007")
async def invalid_utf8_text(server):
    async with websockets.connect(server.url) as ws:
        await ws.write_frame(True, 0x1, b'{"type":"hello","id":"\xc3\x28","version":1}')
        try:
            await asyncio.wait_for(ws.recv(), 5)
            raise AssertionError("the server answered invalid UTF-8 text")
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1007, closed


@case("requests before hello and before login are refused with their codes")
async def before_login(server):
    async with websockets.connect(server.url) as ws:
        reply = await request(ws, json.dumps({"type": "rooms", "id": "1"}))
        assert reply["code"] == "hello_required", reply
        await request(ws, json.dumps({"type": "hello", "id": "2", "version": 1}))
        for kind in ["rooms", "whoami", "agency_list"]:
            reply = await request(ws, json.dumps({"type": kind, "id": kind}))
            assert reply["code"] == "not_authenticated", reply
        reply = await request(ws, json.dumps({"type": "send", "id": "s", "room": "r", "envelope": {}}))
        assert reply["code"] == "not_authenticated", reply
        reply = await request(ws, json.dumps({"type": "login", "id": "l", "user": "ann", "device": "1",
                                              "signature": "A" * 86}))
        assert reply["code"] == "bad_signature", reply


@case("a flood of requests is answered in full or cut off, and others are still served")
async def flood(server):
    async with websockets.connect(server.url) as ws:
        frame = json.dumps({"type": "hello", "id": "x", "version": 1})
        answered = 0
        cut_off = None
        try:
            # A server that cuts the flood off may do so while it is still being sent.
            for _ in range(5000):
                await ws.send(frame)
            while answered < 5000:
                json.loads(await asyncio.wait_for(ws.recv(), 10))
                answered += 1
        except ConnectionClosed as closed:
            cut_off = closed.rcvd.code if closed.rcvd is not None else None
        except asyncio.TimeoutError:
            pass
        assert answered > 0 or cut_off == 1008, (answered, cut_off)
    assert await healthy(server)


@case("half-open connections do not stop the server serving others")
async def half_open(server):
    sockets = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")  # never finished
        sockets.append(s)
    try:
        assert await healthy(server)
    finally:
        for s in sockets:
            s.close()


@case("a half-finished handshake is closed after the configured handshake time")
async def slow_handshake(server):
    def wait_for_close(first_bytes):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            if first_bytes:
                s.sendall(first_bytes)
            started = time.monotonic()
            data = s.recv(4096)  # b"" when the server closes
            return data, time.monotonic() - started
    loop = asyncio.get_running_loop()
    limit = HANDSHAKE_TIMEOUT_MS / 1000
    for first in [b"", b"GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"]:
        data, waited = await loop.run_in_executor(None, wait_for_close, first)
        assert data == b"", data
        assert limit * 0.7 <= waited < limit + 3, waited


@case("plain HTTP: health, metrics, unknown paths and methods")
async def http(server):
    def get(raw):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(raw)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace")
    assert " 200 " in get(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert "liaise_connections" in get(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert " 404 " in get(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert " 405 " in get(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert get(b"\x16\x03\x01garbage\r\n\r\n") == "" or "400" in get(b"\x16\x03\x01garbage\r\n\r\n")


@case("a web page from another origin cannot open /v1; programs without Origin can")
async def foreign_origin(server):
    try:
        async with websockets.connect(server.url, origin="https://evil.example"):
            raise AssertionError("upgraded for a foreign origin")
    except websockets.exceptions.InvalidStatusCode as refused:
        assert refused.status_code == 403, refused
    own = f"http://127.0.0.1:{server.port}"
    async with websockets.connect(server.url, origin=own) as ws:
        reply = await request(ws, json.dumps({"type": "hello", "id": "o", "version": 1}))
        assert reply["type"] == "ok", reply


@case("a forged X-Forwarded-For from an untrusted peer is ignored: no escape from the sign-in budget")
async def forged_forwarded_for(server):
    # This server trusts no proxy: the header is the client's own claim and is ignored.
    replies = []
    for n in range(5):
        headers = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
        async with websockets.connect(server.url, extra_headers=headers) as ws:
            await request(ws, json.dumps({"type": "hello", "id": "h", "version": 1}))
            for i in range(10):
                await ws.send(json.dumps({"type": "login", "id": str(i), "user": "ann", "device": "1",
                                          "signature": "A" * 86}))
            for i in range(10):
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
    codes = [r.get("code") for r in replies]
    assert set(codes) <= {"bad_signature", "rate_limited"}, codes
    # Burst of 20 at 10 a second: 50 attempts from one address cannot all be answered.
    assert codes.count("rate_limited") >= 20, codes
    limited = next(r for r in replies if r.get("code") == "rate_limited")
    assert limited["retry_after_ms"] > 0 and "this address" in limited["message"], limited
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    # From loopback, the forged header changes nothing: still served.
    assert b" 200 " in data and b"liaise_connections" in data, data[:200]


def b64(data):
    """URL-safe base64 without padding, as Liaise writes keys."""
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def replies(ws, n):
    """The next `n` replies (events skipped) as (re, type, code)."""
    out = []
    while len(out) < n:
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if reply["type"] in ("ok", "error"):
            out.append((reply["re"], reply["type"], reply.get("code", "")))
    return out


@case("requests sent right behind an enrol or a login are answered after it, as the session it makes")
async def pipelined_sign_in(server):
    # Enrol and login read the store before they decide; the server reads nothing more from the
    # connection until they are answered (PROTOCOL.md, "Requests and replies"). A client that
    # does not wait for them finds its next requests handled in order, logged in.
    sign_pk, sign_sk = nacl.crypto_sign_keypair()
    box_pk = nacl.crypto_scalarmult_base(os.urandom(32))
    sign = lambda message: nacl.crypto_sign(message, sign_sk)[:64]  # noqa: E731 - detached
    async with websockets.connect(server.url) as ws:
        hello = await request(ws, json.dumps({"type": "hello", "id": "h", "version": 1}))
        challenge = unb64(hello["challenge"])
        for frame in [{"type": "enrol", "id": "enrol", "code": server.admin_code, "sign_key": b64(sign_pk),
                       "box_key": b64(box_pk), "box_key_signature": b64(sign(b"liaise-box-key-v1" + box_pk))},
                      # The first device of a fresh server is device 1.
                      {"type": "login", "id": "login", "user": "ann", "device": "1",
                       "signature": b64(sign(b"liaise-login-v1" + challenge))},
                      {"type": "whoami", "id": "whoami"}]:
            await ws.send(json.dumps(frame))
        got = await replies(ws, 3)
        assert got == [("enrol", "ok", ""), ("login", "ok", ""), ("whoami", "ok", "")], got
    for _ in range(5):  # each round a fresh connection of the same device
        async with websockets.connect(server.url) as ws:
            hello = await request(ws, json.dumps({"type": "hello", "id": "h", "version": 1}))
            await ws.send(json.dumps({"type": "login", "id": "login", "user": "ann", "device": "1",
                                      "signature": b64(sign(b"liaise-login-v1" + unb64(hello["challenge"])))}))
            for kind in ["whoami", "rooms", "agency_list"]:
                await ws.send(json.dumps({"type": kind, "id": kind}))
            got = await replies(ws, 4)
            assert got == [("login", "ok", ""), ("whoami", "ok", ""), ("rooms", "ok", ""),
                           ("agency_list", "ok", "")], got


async def main():
    server = Server()
    try:
        # pipelined_sign_in first: it signs in, which the later cases' sign-in budget tests use up.
        for fn in [pipelined_sign_in, invalid_json, binary_frames, duplicate_keys, fragmented, huge, invalid_utf8_text,
                   before_login, flood, half_open, slow_handshake, http, foreign_origin, forged_forwarded_for]:
            try:
                await asyncio.wait_for(fn(server), 60)
                ok = await healthy(server)
                results.append((fn.case_name, ok, "" if ok else "server unhealthy afterwards"))
            except Exception as e:  # noqa: BLE001 - report every failure, keep going
                results.append((fn.case_name, False, repr(e)))
    finally:
        code = server.stop()
        results.append(("the server exits 0 on SIGTERM afterwards", code == 0, f"exit {code}"))
    failed = [r for r in results if not r[1]]
    for name, ok, why in results:
        print(("ok    " if ok else "FAIL  ") + name + ("" if ok else ": " + why))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

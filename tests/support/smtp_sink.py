#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on a loopback port.

Every message it accepts is written to OUT/N.eml (N from 1), preceded by lines that say how it
came: "X-Sink-Tls: yes|no", "X-Sink-Auth: USER|-", "X-Sink-Rcpt: ADDRESS" for each recipient
and "X-Sink-From: ADDRESS". It prints "ready" once it accepts connections and runs until
killed.

    smtp_sink.py --port P --out DIR [--tls-cert PEM --tls-key PEM] [--auth USER:PASSWORD]
                 [--reject-rcpt ADDRESS] [--slow SECONDS]

With --tls-cert it offers STARTTLS and refuses MAIL before it. With --auth it requires AUTH
(PLAIN or LOGIN) with that user and password. --reject-rcpt answers 550 for that recipient.
--slow waits that long before answering DATA's end (a relay that hangs).
"""
import argparse
import asyncio
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth")
    p.add_argument("--reject-rcpt")
    p.add_argument("--slow", type=float, default=0)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    count = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if a.reject_rcpt and address == a.reject_rcpt:
                return "550 5.1.1 No such mailbox here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if a.slow:
                await asyncio.sleep(a.slow)
            count[0] += 1
            head = "X-Sink-Tls: %s\r\n" % ("yes" if session.ssl else "no")
            user = session.auth_data.login.decode() if session.authenticated and session.auth_data else "-"
            head += "X-Sink-Auth: %s\r\n" % user
            head += "X-Sink-From: %s\r\n" % envelope.mail_from
            for r in envelope.rcpt_tos:
                head += "X-Sink-Rcpt: %s\r\n" % r
            path = os.path.join(a.out, "%d.eml" % count[0])
            with open(path + ".tmp", "wb") as f:
                f.write(head.encode() + envelope.original_content)
            os.rename(path + ".tmp", path)
            return "250 Message accepted for delivery"

    kwargs = {}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs.update(auth_required=True, authenticator=authenticator,
                      auth_require_tls=bool(a.tls_cert))
    controller = Controller(Handler(), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())

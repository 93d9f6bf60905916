#!/usr/bin/env python3
"""A real SMTP server on loopback (aiosmtpd) that records what arrives, for wuye's tests and
`wuye bench notify`.

    python3 .ci/smtp_sink.py --port 0 --log FILE [--fail-first N] [--reject SUBSTRING]

Prints "listening on PORT" as its first line. Each accepted message is appended to FILE as one
JSON line: mail_from, rcpt_tos, message_id, subject and body decoded (so a test can assert the
Chinese text), and the time. --fail-first answers the first N messages with 451 (a transient
failure the sender must retry); --reject answers 550 to a recipient containing SUBSTRING (a
permanent one). --raw logs only recipients and Message-ID (the benchmark's pace). The Debian package is python3-aiosmtpd (for /usr/bin/python3); pip's is aiosmtpd.
"""
import argparse
import asyncio
import email
import email.policy
import json
import re
import sys
import time

from aiosmtpd.smtp import SMTP


MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self, log, fail_first, reject, raw):
        self.log = open(log, "a", encoding="utf-8")
        self.fail_left = fail_first
        self.reject = reject
        self.raw = raw

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return "451 4.3.0 try again later"
        if self.raw:
            # The benchmark's tally: the Message-ID header only, without parsing the MIME.
            m = MESSAGE_ID.search(envelope.content)
            mid = m.group(1).decode("ascii", "replace") if m else None
            self.log.write(json.dumps({"rcpt_tos": envelope.rcpt_tos, "message_id": mid}) + "\n")
            self.log.flush()
            return "250 2.0.0 queued"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        line = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": msg.get("Message-ID"),
            "subject": str(msg.get("Subject", "")),
            "body": body.get_content() if body is not None else "",
            "at": time.time(),
        }
        self.log.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.log.flush()
        return "250 2.0.0 queued as %s" % (msg.get("Message-ID") or "-")


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--log", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--reject", default="")
    p.add_argument("--raw", action="store_true", help="log recipients and Message-ID only (fast)")
    a = p.parse_args()
    sink = Sink(a.log, a.fail_first, a.reject, a.raw)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, enable_SMTPUTF8=True, decode_data=False, hostname="sink.local"),
        host=a.host,
        port=a.port,
        backlog=512,
    )
    port = server.sockets[0].getsockname()[1]
    print("listening on %d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

#!/usr/bin/env python3
"""A write load for wuye that remembers every acknowledged write, for drills that kill a node.

  writeload.py token  --url BASE --user USER --password PW
      prints a fresh API token (POST /api/v1/auth/token).
  writeload.py run    --url BASE --token TOKEN --community ID --seconds S --threads N --out DIR
      registers service requests (POST /api/v1/requests) for S seconds from N threads, each with a
      fresh Idempotency-Key. Every 2xx is appended to DIR/acked.jsonl (key, id, number, time); every
      failed attempt to DIR/failed.jsonl (key, time, status or error). A failed key is retried with
      the same key and body (on --retry-url when given, else --url) until it is acknowledged or
      --retry-seconds pass after the load ends. Prints a JSON summary on stdout.
  writeload.py verify --url BASE --token TOKEN --out DIR
      reads back every acknowledged request by id (GET /api/v1/requests/{id}) and checks that no two
      acknowledged keys share an id and no key was acknowledged with two ids. Prints a JSON summary;
      exits 1 when an acknowledged write is missing or doubled.

Only the standard library: CI runs it with Debian's python3. A "clean" failure is a refused or reset
connection, a timeout, or a 502/503/504 from a proxy or a server that lost its database; any other
status (a 500 above all) is counted as "unclean" and makes `run` exit 1.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid

CLEAN_STATUSES = {502, 503, 504}


class Endpoint:
    """One keep-alive connection per thread to BASE; reconnects after any error."""

    def __init__(self, base, token, timeout):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.token, self.timeout, self.conn = token, timeout, None

    def call(self, method, path, body=None, headers=None):
        """(status, parsed JSON or None); raises OSError/HTTPException on a transport failure."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        data = None if body is None else json.dumps(body).encode()
        try:
            self.conn.request(method, self.prefix + path, body=data, headers=h)
            resp = self.conn.getresponse()
            raw = resp.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, parsed


def request_body(community, seq):
    return {
        "community_id": community,
        "kind": "repair_common",
        "category": "elevator",
        "channel": "hotline",
        "location": "%d栋电梯厅" % (seq % 30 + 1),
        "description": "负载演练第 %d 单：电梯运行有异响" % seq,
    }


class Recorder:
    """Appends to the logs and keeps the counts; one lock for all threads."""

    def __init__(self, out):
        os.makedirs(out, exist_ok=True)
        self.lock = threading.Lock()
        self.acked_f = open(os.path.join(out, "acked.jsonl"), "a", encoding="utf-8")
        self.failed_f = open(os.path.join(out, "failed.jsonl"), "a", encoding="utf-8")
        self.sent = self.acked = self.failed = self.unclean = self.retried_ok = 0
        self.ack_times = []
        self.pending = {}  # key -> body, failed and not yet acknowledged

    def ack(self, key, body, rec, retried):
        now = time.time()
        line = json.dumps({"key": key, "id": rec.get("id"), "number": rec.get("number"), "t": now},
                          ensure_ascii=False)
        with self.lock:
            self.acked_f.write(line + "\n")
            self.acked_f.flush()
            self.acked += 1
            self.ack_times.append(now)
            self.pending.pop(key, None)
            if retried:
                self.retried_ok += 1

    def fail(self, key, body, what, clean):
        line = json.dumps({"key": key, "t": time.time(), "error": what, "clean": clean})
        with self.lock:
            self.failed_f.write(line + "\n")
            self.failed_f.flush()
            self.failed += 1
            if not clean:
                self.unclean += 1
            self.pending[key] = body

    def close(self):
        self.acked_f.close()
        self.failed_f.close()


def attempt(ep, rec, key, body, retried):
    """One POST; records its outcome; True when acknowledged."""
    with rec.lock:
        rec.sent += 1
    try:
        status, parsed = ep.call("POST", "/api/v1/requests", body, {"Idempotency-Key": key})
    except (OSError, http.client.HTTPException) as e:
        rec.fail(key, body, type(e).__name__, True)
        return False
    if 200 <= status < 300 and isinstance(parsed, dict) and "id" in parsed:
        rec.ack(key, body, parsed, retried)
        return True
    code = parsed.get("code") if isinstance(parsed, dict) else None
    rec.fail(key, body, "%d %s" % (status, code or ""), status in CLEAN_STATUSES)
    return False


def longest_gap(times, start, end):
    """The longest stretch of the load with no acknowledged write, in seconds."""
    points = [start] + sorted(t for t in times if start <= t <= end) + [end]
    return max(b - a for a, b in zip(points, points[1:]))


def cmd_token(a):
    ep = Endpoint(a.url, None, 10)
    status, parsed = ep.call("POST", "/api/v1/auth/token",
                             {"username": a.user, "password": a.password, "token_name": "writeload"})
    if status != 201:
        sys.exit("token: %d %s" % (status, parsed))
    print(parsed["token"])


def cmd_run(a):
    rec = Recorder(a.out)
    start = time.time()
    stop_at = start + a.seconds
    counter = [0]
    counter_lock = threading.Lock()

    def worker():
        ep = Endpoint(a.url, a.token, a.timeout)
        while time.time() < stop_at:
            with counter_lock:
                counter[0] += 1
                seq = counter[0]
            key = str(uuid.uuid4())
            body = request_body(a.community, seq)
            if not attempt(ep, rec, key, body, False):
                time.sleep(0.05)  # a dead node answers at once; do not spin

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load_end = time.time()

    # Retry what failed, same key and body, until acknowledged or the retry window closes.
    retry = Endpoint(a.retry_url or a.url, a.token, a.timeout)
    deadline = load_end + a.retry_seconds
    while time.time() < deadline:
        with rec.lock:
            todo = list(rec.pending.items())
        if not todo:
            break
        for key, body in todo:
            attempt(retry, rec, key, body, True)
        with rec.lock:
            left = len(rec.pending)
        if left:
            time.sleep(0.5)
    rec.close()
    summary = {
        "seconds": round(load_end - start, 2),
        "threads": a.threads,
        "sent": rec.sent,
        "acked": rec.acked,
        "failed_attempts": rec.failed,
        "unclean_failures": rec.unclean,
        "retried_ok": rec.retried_ok,
        "never_acked": len(rec.pending),
        "acked_per_second": round(rec.acked / max(load_end - start, 1e-9), 1),
        "longest_gap_seconds": round(longest_gap(rec.ack_times, start, load_end), 2),
    }
    print(json.dumps(summary))
    sys.exit(1 if rec.unclean or rec.pending else 0)


def cmd_verify(a):
    acked = []
    with open(os.path.join(a.out, "acked.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                acked.append(json.loads(line))
    ids_by_key, keys_by_id = {}, {}
    for r in acked:
        ids_by_key.setdefault(r["key"], set()).add(r["id"])
        keys_by_id.setdefault(r["id"], set()).add(r["key"])
    ep = Endpoint(a.url, a.token, a.timeout)
    missing = []
    for rid in sorted(keys_by_id):
        for _ in range(3):
            try:
                status, parsed = ep.call("GET", "/api/v1/requests/%d" % rid)
                break
            except (OSError, http.client.HTTPException):
                time.sleep(1)
        else:
            status, parsed = 0, None
        if status != 200 or not isinstance(parsed, dict) or parsed.get("id") != rid:
            missing.append(rid)
    summary = {
        "acked": len(acked),
        "distinct_keys": len(ids_by_key),
        "distinct_ids": len(keys_by_id),
        "keys_with_two_ids": sum(1 for v in ids_by_key.values() if len(v) > 1),
        "ids_with_two_keys": sum(1 for v in keys_by_id.values() if len(v) > 1),
        "lost": len(missing),
        "lost_ids": missing[:20],
    }
    print(json.dumps(summary))
    bad = summary["lost"] or summary["keys_with_two_ids"] or summary["ids_with_two_keys"]
    sys.exit(1 if bad else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("token")
    t.add_argument("--url", required=True)
    t.add_argument("--user", required=True)
    t.add_argument("--password", required=True)
    r = sub.add_parser("run")
    v = sub.add_parser("verify")
    for s in (r, v):
        s.add_argument("--url", required=True)
        s.add_argument("--token", required=True)
        s.add_argument("--out", required=True)
        s.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP call")
    r.add_argument("--community", type=int, required=True)
    r.add_argument("--seconds", type=float, default=30)
    r.add_argument("--threads", type=int, default=8)
    r.add_argument("--retry-url", help="where failed keys are retried (default: --url)")
    r.add_argument("--retry-seconds", type=float, default=60)
    a = p.parse_args()
    {"token": cmd_token, "run": cmd_run, "verify": cmd_verify}[a.cmd](a)


if __name__ == "__main__":
    main()

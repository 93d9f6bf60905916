#!/usr/bin/env python3
"""Grows a running wuye the way real use does, then times its request lists (issue 18).

  grow URL N   registers N requests in community 1 through POST /api/v1/requests as `agent`
               (16 keep-alive connections), nothing else: no ANALYZE, no bulk load.
  time URL     times GET /api/v1/requests?limit=20, the board, the month's statistics (each the
               median and the slowest of 15 calls with curl, after one call to warm up), and
               the desk's list under load (wrk -t2 -c32 -d10s).

Against a demo server: WUYE_DATA_DIR=/tmp/x WUYE_LISTEN=127.0.0.1:18441 wuye serve --demo
(logins `agent` and `manager`, password wuye2026demo). Restart the server between `grow` and
`time` so that the lists are timed as a freshly started server plans them. Needs curl and wrk.
"""

import datetime
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

PASSWORD = "wuye2026demo"


def token(url, user):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port)
    body = json.dumps({"username": user, "password": PASSWORD, "token_name": "scale"})
    c.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    if r.status != 201:
        sys.exit(f"token for {user}: {r.status} {data!r}")
    return json.loads(data)["token"]


def grow(url, n, connections=16):
    tok = token(url, "agent")
    u = urllib.parse.urlparse(url)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tok}"}
    next_no = iter(range(n))
    lock = threading.Lock()
    failures = []

    def worker():
        c = http.client.HTTPConnection(u.hostname, u.port)
        while True:
            with lock:
                i = next(next_no, None)
            if i is None:
                return
            body = json.dumps({
                "community_id": 1, "kind": "repair_common", "category": "lighting",
                "channel": "hotline", "location": f"{i % 30 + 1}栋电梯厅",
                "description": f"灯不亮 {i}",
            })
            c.request("POST", "/api/v1/requests", body, headers)
            r = c.getresponse()
            data = r.read()
            if r.status != 201:
                with lock:
                    failures.append((r.status, data[:200]))

    start = time.time()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.time() - start
    print(f"registered {n - len(failures)} requests in {secs:.1f} s ({n / secs:.0f}/s); "
          f"{len(failures)} failed {failures[:3]}")


def curl_ms(url, tok):
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
         "-H", f"Authorization: Bearer {tok}", url],
        capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "200":
        sys.exit(f"{url}: HTTP {out[0]}")
    return float(out[1]) * 1000


def time_lists(url, runs=15):
    agent, manager = token(url, "agent"), token(url, "manager")
    today = datetime.date.today()
    month = f"from={today.replace(day=1)}&to={today}"
    cases = [
        ("GET /api/v1/requests?limit=20 (agent)", agent, "/api/v1/requests?limit=20"),
        ("GET /api/v1/requests/board (manager)", manager, "/api/v1/requests/board"),
        (f"GET /api/v1/requests/stats?{month} (manager)", manager, f"/api/v1/requests/stats?{month}"),
        ("GET /api/v1/requests?view=mine&open=true&limit=20 (agent)", agent,
         "/api/v1/requests?view=mine&open=true&limit=20"),
    ]
    for name, tok, path in cases:
        first = curl_ms(url + path, tok)
        ms = [curl_ms(url + path, tok) for _ in range(runs)]
        print(f"{name}: first {first:.1f} ms, median {statistics.median(ms):.1f} ms, "
              f"max {max(ms):.1f} ms ({runs} calls)")
    desk = url + "/api/v1/requests?view=mine&open=true&limit=20"
    cmd = ["wrk", "-t2", "-c32", "-d10s", "--latency", "-H", f"Authorization: Bearer {agent}", desk]
    print("$ wrk -t2 -c32 -d10s --latency -H 'Authorization: Bearer …' " + desk)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if any(k in line for k in ("Requests/sec", "99%", "50%", "Non-2xx", "Latency ", "requests in")):
            print("  " + line.strip())


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "grow":
        grow(sys.argv[2].rstrip("/"), int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "time":
        time_lists(sys.argv[2].rstrip("/"))
    else:
        sys.exit(__doc__)

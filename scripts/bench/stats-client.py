#!/usr/bin/env python3
"""Logs in to a desk's staff pages and times GET requests, one at a time on one
keep-alive connection: `stats-client.py PORT NAME PASSWORD COUNT LABEL PATH...`.
Prints one line per path: label, path, p50 and p95 in ms, bytes of the last answer."""
import http.client
import re
import statistics
import sys
import time
import urllib.parse

port, name, password, count, label = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
paths = sys.argv[6:]
origin = f"http://127.0.0.1:{port}"
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
cookies = {}


def request(method, path, body=None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Origin": origin}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    for header, value in answer.getheaders():
        if header.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            cookies[key.strip()] = val.strip()
    return answer.status, data


status, page = request("GET", "/desk/login")
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
form = urllib.parse.urlencode({"csrf": csrf, "name": name, "password": password, "next": "/desk/"})
status, _ = request("POST", "/desk/login", form)
if status != 303:
    sys.exit(f"login failed: {status}")
for path in paths:
    status, data = request("GET", path)  # warm: the first answer is not counted
    if status != 200:
        sys.exit(f"{path}: {status}")
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status, data = request("GET", path)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            sys.exit(f"{path}: {status}")
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"{label}\t{path}\t{statistics.median(times):.0f}\t{p95:.0f}\t{len(data)}")

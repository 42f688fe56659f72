#!/usr/bin/env python3
"""Issue 11's attacks against the release example provider, measured (not pass/fail).

    cargo build --release -p provider && python3 examples/provider/bench/attacks.py

Starts target/release/provider on loopback in a scratch directory with the shipped
configuration, then:
  1. 150 concurrent password sign-ins (half wrong) from 150 addresses (the server trusts
     127.0.0.1 as a proxy, ROCKET_OAUTH2_TRUSTED_PROXIES, and each request names its client in
     X-Forwarded-For, so the throttle admits every one and all 150 reach password hashing):
     peak server RSS, statuses, and the median latency of client_credentials meanwhile;
  2. four clients sending 64 KiB queries of 11 494 parameters to /oauth/authorize:
     time per flood request, and /api/ping latency meanwhile;
  3. 1 500 client_credentials requests with 200 KB client ids in the Basic header: RSS.
Prints one line per figure. Bounded: loopback only, fixed request counts. Standard library only.
"""
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.join(ROOT, "target", "release", "provider")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(url, data=None, headers=None, timeout=60):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status = r.status
            r.read()
    except urllib.error.HTTPError as e:
        status = e.code
        e.read()
    return status, time.perf_counter() - started


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    work = tempfile.mkdtemp(prefix="provider-attacks-")
    env = dict(os.environ, ROCKET_LOG_LEVEL="off", DATABASE_URL="",
               ROCKET_OAUTH2_TRUSTED_PROXIES='["127.0.0.1"]')
    demo = json.loads(subprocess.check_output([BIN, "demo"], cwd=work, env=env, stderr=subprocess.DEVNULL))
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if request(base + "/api/ping")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        basic = "Basic " + base64.b64encode(
            f"{demo['client_id']}:{demo['client_secret']}".encode()).decode()
        form = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic}
        print(f"idle RSS: {rss_kib(server.pid) / 1024:.1f} MiB")

        # 1. 150 concurrent sign-ins, token endpoint latency meanwhile.
        peak = [0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kib(server.pid))
                time.sleep(0.01)

        statuses = []

        def sign_in(i):
            pw = "demo-password" if i % 2 == 0 else "wrong"
            body = urllib.parse.urlencode({"grant_type": "password", "username": "demo",
                                           "password": pw}).encode()
            headers = dict(form, **{"X-Forwarded-For": f"10.0.{i // 200}.{i % 200 + 1}"})
            statuses.append(request(base + "/oauth/token", body, headers)[0])

        cc_latency = []

        def client_credentials():
            body = b"grant_type=client_credentials&scope=profile"
            while not stop.is_set():
                cc_latency.append(request(base + "/oauth/token", body, form)[1])

        sampler = threading.Thread(target=sample)
        sampler.start()
        cc = threading.Thread(target=client_credentials)
        cc.start()
        threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(150)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        sampler.join()
        cc.join()
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(f"150 concurrent sign-ins: statuses {counts}, peak RSS {peak[0] / 1024:.1f} MiB, "
              f"client_credentials median {statistics.median(cc_latency) * 1000:.1f} ms "
              f"(n={len(cc_latency)})")

        # 2. 64 KiB parameter floods, /api/ping meanwhile.
        flood = "&".join(f"p{i}=1" for i in range(11494))[: 64 * 1024]
        flood_times = []
        stop.clear()

        def flooder():
            while not stop.is_set():
                flood_times.append(request(base + "/oauth/authorize?" + flood)[1])

        pings = []
        floods = [threading.Thread(target=flooder) for _ in range(4)]
        for t in floods:
            t.start()
        for _ in range(200):
            pings.append(request(base + "/api/ping")[1])
        stop.set()
        for t in floods:
            t.join()
        print(f"64 KiB floods x4: median {statistics.median(flood_times) * 1000:.1f} ms per flood "
              f"request (n={len(flood_times)}), /api/ping median {statistics.median(pings) * 1000:.1f} ms, "
              f"max {max(pings) * 1000:.1f} ms")

        # 3. Huge client ids in Basic headers.
        before = rss_kib(server.pid)
        huge = base64.b64encode(("c" * 200 * 1024 + ":secret").encode()).decode()
        codes = set()
        for _ in range(1500):
            codes.add(request(base + "/oauth/token", b"grant_type=client_credentials",
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Authorization": "Basic " + huge})[0])
        print(f"1500 x 200 KB client ids: statuses {sorted(codes)}, RSS {before / 1024:.1f} -> "
              f"{rss_kib(server.pid) / 1024:.1f} MiB")
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())

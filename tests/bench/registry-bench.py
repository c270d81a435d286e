#!/usr/bin/env python3
"""registry-bench.py: load benchmark of ekey-registry on loopback (run by hand, never a timed test)

  tests/bench/registry-bench.py [--registry _build/app/server/ekey-registry] [--clients 50] [--runs 3]

Part 1: N concurrent clients, each logged in as its own enterprise, create an application and
upload six ~200 KB PNG materials. Reports throughput (requests/s and MB/s), p50/p99 latency per
request kind, and the server's peak RSS (VmHWM). Repeated --runs times; medians are printed.

Part 2: a 100 MB upload, (a) with Content-Length and Expect: 100-continue (curl's default) and
(b) chunked without Expect, so the server must read and drop it all. Both must be refused with
413 while the server's peak RSS stays where it was.

Standard library only, plus the curl command line for part 2.
"""
import argparse
import http.client
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def png_of_size(target):
    """A real PNG of random pixels (incompressible, stored deflate) just under target bytes."""
    width = 256
    height = max(1, (target - 200) // (width * 3 + 1))
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")


def uscc():
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "%08d" % random.randrange(10 ** 8)
    org = sum((int(c)) * w for c, w in zip(body, [3, 7, 9, 10, 5, 8, 4, 2]))
    c = 11 - org % 11
    code = "91110108" + body + ("X" if c == 10 else "0" if c == 11 else str(c))
    total = sum(charset.index(ch) * w for ch, w in zip(code, weights))
    return code + charset[(31 - total % 31) % 31]


class Server:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.db = os.path.join(workdir, "bench.sqlite")
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--db", self.db,
                                      "--data-dir", os.path.join(workdir, "data"), "--rate-limit", "100000"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        url = self.proc.stdout.readline().strip()
        hostport = url.split("//")[1].split("/")[0]
        self.host, self.port = hostport.split(":")[0], int(hostport.split(":")[1])

    def status(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])  # kB
        return 0

    def run(self, *args):
        return subprocess.run([self.binary, *args, "--db", self.db], check=True, capture_output=True, text=True).stdout

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def request(conn, method, path, body=None, headers=None):
    started = time.perf_counter()
    conn.request(method, "/api/v1" + path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - started
    return resp.status, data, elapsed


def prepare_enterprise(server, conn):
    code = uscc()
    login = "bench-%s@example.cn" % uuid.uuid4().hex[:8]
    body = json.dumps({"uscc": code, "enterprise_name": "压测企业", "login_name": login,
                       "licence_type": "non-electromechanical", "email": login})
    status, _, _ = request(conn, "POST", "/accounts", body, {"Content-Type": "application/json"})
    assert status == 201, status
    mails = json.loads(server.run("outbox", "--json"))
    activation = [m["body"].split("activation code: ")[1].split("\n")[0] for m in mails if m["to"] == login][-1]
    status, _, _ = request(conn, "POST", "/accounts/activation",
                           json.dumps({"uscc": code, "login_name": login, "code": activation}),
                           {"Content-Type": "application/json"})
    assert status == 200, status
    status, data, _ = request(conn, "POST", "/captcha")
    captcha = json.loads(data)["id"]
    answer = server.run("captcha-answer", captcha).strip()
    status, data, _ = request(conn, "POST", "/sessions",
                              json.dumps({"method": "code", "uscc": code, "login_name": login,
                                          "captcha_id": captcha, "captcha_answer": answer}),
                              {"Content-Type": "application/json"})
    assert status == 201, status
    return json.loads(data)["token"]


MATERIALS = ["application-form", "confirmation-letter", "business-licence", "id-card",
             "authorisation-letter", "user-agreement"]


def materials_from_catalogue(conn):
    status, data, _ = request(conn, "GET", "/catalogue")
    doc = json.loads(data)
    sets = doc.get("material_rule_sets")
    if not sets:
        return MATERIALS, 204799
    chosen = [s for s in sets["sets"] if s["id"] == sets["default"]][0]
    kinds = [m["material"] for m in chosen["business_types"]["first-application"]]
    return (kinds + MATERIALS)[:6] if len(kinds) < 6 else kinds[:6], chosen["limits"]["max_bytes"]


def client(server, token, png, kinds, latencies, errors, barrier):
    barrier.wait()
    try:
        client_requests(server, token, png, kinds, latencies, errors)
    except OSError as e:
        errors.append("%s: %s" % (type(e).__name__, e))


def client_requests(server, token, png, kinds, latencies, errors):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    auth = {"Authorization": "Bearer " + token}
    status, data, t = request(conn, "POST", "/applications", json.dumps({"business_type": "first-application"}),
                              dict(auth, **{"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}))
    latencies["create"].append(t)
    if status != 201:
        errors.append(status)
        return
    app = json.loads(data)["id"]
    for kind in kinds:
        status, _, t = request(conn, "PUT", "/applications/%s/materials/%s" % (app, kind), png,
                               dict(auth, **{"Content-Type": "image/png"}))
        latencies["upload"].append(t)
        if status not in (200, 201):
            errors.append(status)
    conn.close()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load_run(binary, clients):
    with tempfile.TemporaryDirectory() as work:
        server = Server(binary, work)
        try:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
            kinds, limit = materials_from_catalogue(conn)
            png = png_of_size(min(200 * 1000, limit - 1))
            tokens = [prepare_enterprise(server, conn) for _ in range(clients)]
            conn.close()
            rss_before = server.status("VmRSS")
            latencies = {"create": [], "upload": []}
            errors = []
            barrier = threading.Barrier(clients + 1)
            threads = [threading.Thread(target=client, args=(server, tokens[i], png, kinds, latencies, errors, barrier))
                       for i in range(clients)]
            for t in threads:
                t.start()
            barrier.wait()
            started = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            requests = len(latencies["create"]) + len(latencies["upload"])
            if errors:
                print("errors:", sorted(set(map(str, errors))), file=sys.stderr)
            return {
                "png_bytes": len(png),
                "requests": requests,
                "errors": len(errors),
                "wall_s": wall,
                "req_per_s": requests / wall,
                "mb_per_s": len(latencies["upload"]) * len(png) / wall / 1e6,
                "create_p50_ms": percentile(latencies["create"], 50) * 1000,
                "create_p99_ms": percentile(latencies["create"], 99) * 1000,
                "upload_p50_ms": percentile(latencies["upload"], 50) * 1000,
                "upload_p99_ms": percentile(latencies["upload"], 99) * 1000,
                "rss_before_kb": rss_before,
                "peak_rss_kb": server.status("VmHWM"),
            }
        finally:
            server.stop()


def big_upload(binary):
    with tempfile.TemporaryDirectory() as work:
        server = Server(binary, work)
        try:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
            token = prepare_enterprise(server, conn)
            status, data, _ = request(conn, "POST", "/applications", json.dumps({"business_type": "first-application"}),
                                      {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                                       "Idempotency-Key": "big"})
            app = json.loads(data)["id"]
            conn.close()
            big = os.path.join(work, "big.png")
            with open(big, "wb") as f:
                f.write(b"\x89PNG\r\n\x1a\n")
                f.truncate(100 * 1024 * 1024)
            url = "http://%s:%d/api/v1/applications/%s/materials/application-form" % (server.host, server.port, app)
            results = {"hwm_before_kb": server.status("VmHWM")}
            for name, extra in (("expect", []), ("chunked", ["-H", "Transfer-Encoding: chunked", "-H", "Expect:"])):
                started = time.perf_counter()
                out = subprocess.run(["curl", "-s", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code} %{size_upload}",
                                      "-X", "PUT", "-H", "Authorization: Bearer " + token, "-H", "Content-Type: image/png",
                                      *extra, "--data-binary", "@" + big, url], capture_output=True, text=True).stdout
                code, sent = out.split()
                results[name] = {"status": int(code), "bytes_sent": int(float(sent)),
                                 "seconds": round(time.perf_counter() - started, 3),
                                 "hwm_after_kb": server.status("VmHWM")}
            return results
        finally:
            server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", default=os.path.join(TOP, "_build", "app", "server", "ekey-registry"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    runs = [load_run(args.registry, args.clients) for _ in range(args.runs)]
    for i, r in enumerate(runs):
        print("run %d: %s" % (i + 1, json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()})))
    print("median of %d runs, %d clients x (1 create + 6 uploads of %d bytes):" % (args.runs, args.clients, runs[0]["png_bytes"]))
    for key in ("req_per_s", "mb_per_s", "create_p50_ms", "create_p99_ms", "upload_p50_ms", "upload_p99_ms", "peak_rss_kb", "errors"):
        print("  %-14s %10.1f" % (key, statistics.median(r[key] for r in runs)))
    print("100 MB upload:", json.dumps(big_upload(args.registry)))


if __name__ == "__main__":
    sys.exit(main())

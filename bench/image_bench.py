#!/usr/bin/python3
"""Image upload benchmark (issue 4), every figure measured in the same run:

1. Throughput of `POST /v1/images?name=…` streaming a 2 GiB raw disk image (the time until
   the 202 answer: received, spooled to disk and identified), against a raw `cp` of the same
   file on the same disk followed by fsync (stratod fsyncs the spool before answering). Runs
   alternate so load from elsewhere hits both alike. Target: upload >= 0.8x cp.
2. The conversion the storage agent does afterwards (qcow2 + SHA-256), until `available`.
3. stratod's VmRSS sampled every 50 ms through each upload: start, peak, end (target: flat).

The image is mostly random data (incompressible, every block written) with a zeroed tail, as
a real disk image. Exits 0 whether or not a target is met; 1 only when it cannot run.

    bench/image_bench.py --stratod build/release/src/daemon/stratod [--size-gib 2] [--rounds 2]
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_bench import REGION, Daemon, fsync_path, rss_kib, timed  # noqa: E402

MIB = 1 << 20


def make_image(path, size):
    """`size` bytes: 7/8 random, the rest zeros (unwritten space of a real disk)."""
    data_bytes = size // 8 * 7
    with open(path, "wb") as f:
        left = data_bytes
        while left:
            n = min(left, 64 * MIB)
            f.write(os.urandom(n))
            left -= n
        f.truncate(size)
    fsync_path(path)


def upload(d, path, name):
    """Streams `path` as the body; returns (seconds to the answer, image JSON)."""
    target = f"/v1/images?name={name}"
    req = AWSRequest(method="POST", url=d.endpoint + target, data=b"",
                     headers={"Content-Type": "application/octet-stream",
                              "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(d.admin.creds, "strato", REGION).add_auth(req)
    headers = dict(req.headers.items())
    headers["Content-Length"] = str(os.path.getsize(path))
    # 1 MiB sends: http.client's default 8 KiB blocks make the client the bottleneck.
    conn = http.client.HTTPConnection(d.admin.conn.host, d.admin.conn.port, timeout=600,
                                      blocksize=1 << 20)
    t0 = time.monotonic()
    with open(path, "rb") as f:
        conn.request("POST", target, body=f, headers=headers)
        r = conn.getresponse()
        body = r.read()
    elapsed = time.monotonic() - t0
    conn.close()
    if r.status != 202:
        raise RuntimeError(f"upload -> {r.status} {body[:300]!r}")
    return elapsed, json.loads(body)


def wait_available(d, image_id):
    t0 = time.monotonic()
    while True:
        image = d.admin.json("GET", f"/v1/images/{image_id}")
        if image["state"] == "available":
            return time.monotonic() - t0, image
        if image["state"] == "failed":
            raise RuntimeError(f"import failed: {image}")
        time.sleep(0.1)


def wait_gone(d, image_id):
    d.admin.json("DELETE", f"/v1/images/{image_id}")
    storage = os.path.join(d.data, "storage")
    deadline = time.monotonic() + 120
    while os.listdir(storage) and time.monotonic() < deadline:
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratod", default="build/release/src/daemon/stratod")
    ap.add_argument("--size-gib", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--work", default=None, help="a directory on the disk to measure")
    args = ap.parse_args()
    if not os.access(args.stratod, os.X_OK):
        print(f"stratod not found at {args.stratod}", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="strato-image-bench-", dir=args.work)
    size = int(args.size_gib * (1 << 30))
    d = None
    try:
        src = os.path.join(work, "disk.img")
        make_image(src, size)
        d = Daemon(args.stratod, work)
        cps, ups, convs, rss = [], [], [], []
        for k in range(args.rounds):
            dst = os.path.join(work, "copy.img")
            cps.append(timed(lambda: (shutil.copyfile(src, dst), fsync_path(dst))))
            os.remove(dst)

            samples, stop = [], threading.Event()

            def sample():
                while not stop.is_set():
                    samples.append(rss_kib(d.proc.pid))
                    time.sleep(0.05)
            start = rss_kib(d.proc.pid)
            t = threading.Thread(target=sample)
            t.start()
            up, image = upload(d, src, f"bench-{k}")
            conv, image = wait_available(d, image["id"])
            stop.set()
            t.join()
            ups.append(up)
            convs.append(conv)
            rss.append((start, max(samples + [start]), rss_kib(d.proc.pid)))
            wait_gone(d, image["id"])
        mib = size / MIB
        cp_rate = mib / statistics.median(cps)
        up_rate = mib / statistics.median(ups)
        print(f"image size                 {mib:.0f} MiB ({args.rounds} rounds, medians)")
        print(f"cp + fsync                 {statistics.median(cps):6.2f} s  {cp_rate:7.1f} MiB/s")
        print(f"upload (to 202 answer)     {statistics.median(ups):6.2f} s  {up_rate:7.1f} MiB/s"
              f"  = {up_rate / cp_rate:.2f}x cp (target >= 0.8x)")
        print(f"conversion to qcow2+sha256 {statistics.median(convs):6.2f} s  (after the answer)")
        print(f"upload to available        {statistics.median(ups) + statistics.median(convs):6.2f} s")
        for k, (a, b, c) in enumerate(rss):
            print(f"stratod VmRSS round {k}      start {a / 1024:.1f} MiB, peak {b / 1024:.1f} MiB,"
                  f" end {c / 1024:.1f} MiB")
        return 0
    finally:
        if d:
            d.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

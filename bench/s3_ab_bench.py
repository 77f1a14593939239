#!/usr/bin/python3
"""Alternated A/B of stratod builds on 1 GiB objects (issue 6): each round runs `cp` + fsync,
then for every build a lean-client PUT, a lean GET (+ fsync) and a boto3 PutObject, so load
from elsewhere on the machine hits every build alike. Prints seconds per run and the median
MiB/s and ratio to cp. Loopback only.

    bench/s3_ab_bench.py before=/path/to/old/stratod after=build/release/src/daemon/stratod
"""
import argparse, os, shutil, statistics, subprocess, tempfile

import s3_bench as B


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="NAME=PATH of a stratod binary")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--temp-dir", default=None, help="where data dirs and files go (same disk)")
    a = ap.parse_args()
    bins = dict(b.split("=", 1) for b in a.builds)
    work = tempfile.mkdtemp(prefix="strato-s3ab-", dir=a.temp_dir)
    daemons, clients = [], {}
    try:
        for name, binary in bins.items():
            w = os.path.join(work, name)
            os.makedirs(w)
            d = B.Daemon(binary, w)
            daemons.append(d)
            t = d.admin.json("POST", "/v1/tenants", {"name": "bench"})
            u = d.admin.json("POST", "/v1/users", {"name": "bench", "tenant_id": t["id"],
                                                   "role": "member"})
            k = d.admin.json("POST", f"/v1/users/{u['id']}/access-keys")
            s3 = B.s3_client(d, k["access_key_id"], k["secret_access_key"])
            s3.create_bucket(Bucket="ab-bench")
            clients[name] = (B.LeanS3(d, k["access_key_id"], k["secret_access_key"]), s3)
        src, dst = os.path.join(work, "src"), os.path.join(work, "dst")
        with open(src, "wb") as f:
            for _ in range(1024):
                f.write(os.urandom(1 << 20))
        B.fsync_path(src)
        times = {}
        print(f"load average at start: {os.getloadavg()}")
        for _ in range(a.rounds):
            times.setdefault("cp", []).append(B.timed(lambda: (
                subprocess.run(["cp", src, dst], check=True), B.fsync_path(dst))))
            os.unlink(dst)
            for name, (lean, s3) in clients.items():
                def boto_put():
                    with open(src, "rb") as f:
                        s3.put_object(Bucket="ab-bench", Key="boto", Body=f, ContentLength=B.GIB)
                times.setdefault(f"{name} lean put", []).append(
                    B.timed(lambda: lean.put("/ab-bench/lean", src)))
                times.setdefault(f"{name} lean get", []).append(
                    B.timed(lambda: lean.get("/ab-bench/lean", dst)))
                os.unlink(dst)
                times.setdefault(f"{name} boto3 put", []).append(B.timed(boto_put))
        base = statistics.median(times["cp"])
        for k, v in times.items():
            m = statistics.median(v)
            print(f"  {k:24s} {1024 / m:6.0f} MiB/s  {base / m:4.2f}x   runs "
                  f"{['%.2f s' % x for x in v]}")
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        for d in daemons:
            d.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Snapshot benchmark (issue 4), every figure measured in the same run:

1. Snapshot time (POST /v1/snapshots until `completed`) of a detached 1 GiB and 8 GiB volume,
   each filled with data first (every cluster allocated, written with qemu-io into the
   volume's qcow2): a snapshot freezes the volume's layer and adds an empty overlay, so the
   time should not grow with the size.
2. Create-volume-from-snapshot time (POST /v1/volumes {snapshot_id} until `available`).

Exits 0 whether or not a target is met; 1 only when it cannot run. Loopback only.

    bench/snapshot_bench.py --stratod build/release/src/daemon/stratod [--rounds 5]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_bench import Daemon  # noqa: E402


def wait_state(d, path, state, timeout=600):
    t0 = time.monotonic()
    while True:
        obj = d.admin.json("GET", path)
        if obj["state"] == state:
            return time.monotonic() - t0, obj
        if obj["state"] == "error" or time.monotonic() - t0 > timeout:
            raise RuntimeError(f"{path}: {obj}")
        time.sleep(0.01)


def new_blob_file(d, before):
    storage = os.path.join(d.data, "storage")
    [name] = set(os.listdir(storage)) - before
    return os.path.join(storage, name)


def filled_volume(d, size_gib):
    storage = os.path.join(d.data, "storage")
    before = set(os.listdir(storage))
    v = d.admin.json("POST", "/v1/volumes", {"size": size_gib, "volume_type": "gp3"})
    wait_state(d, f"/v1/volumes/{v['id']}", "available")
    blob = new_blob_file(d, before)
    t0 = time.monotonic()
    # One request per GiB: qemu-io refuses a single request of several GiB.
    writes = [a for k in range(size_gib) for a in ("-c", f"write -P 0x5a {k}G 1G")]
    subprocess.run(["qemu-io", "-f", "qcow2", *writes, blob], check=True, capture_output=True)
    fill = time.monotonic() - t0
    return v["id"], fill, os.path.getsize(blob)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratod", default="build/release/src/daemon/stratod")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="1,8", help="volume sizes in GiB")
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    if not os.access(args.stratod, os.X_OK):
        print(f"stratod not found at {args.stratod}", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="strato-snapshot-bench-", dir=args.work)
    d = None
    try:
        d = Daemon(args.stratod, work)
        for size in [int(s) for s in args.sizes.split(",")]:
            vid, fill, on_disk = filled_volume(d, size)
            snaps, clones = [], []
            for _ in range(args.rounds):
                s = d.admin.json("POST", "/v1/snapshots", {"volume_id": vid})
                took, _ = wait_state(d, f"/v1/snapshots/{s['id']}", "completed")
                snaps.append(took)
                c = d.admin.json("POST", "/v1/volumes", {"snapshot_id": s["id"]})
                took, _ = wait_state(d, f"/v1/volumes/{c['id']}", "available")
                clones.append(took)
            print(f"{size} GiB volume ({on_disk / (1 << 30):.2f} GiB on disk, filled in {fill:.1f} s):"
                  f" snapshot median {statistics.median(snaps) * 1000:.0f} ms"
                  f" (min {min(snaps) * 1000:.0f}, max {max(snaps) * 1000:.0f});"
                  f" volume from snapshot median {statistics.median(clones) * 1000:.0f} ms"
                  f" (min {min(clones) * 1000:.0f}, max {max(clones) * 1000:.0f}),"
                  f" {args.rounds} rounds")
        return 0
    finally:
        if d:
            d.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

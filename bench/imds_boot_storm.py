#!/usr/bin/python3
"""Metadata boot storm: N real guests (TCG) launched in one call, all booting at once, each
fetching its metadata as it comes up: the contextualization at boot (waits for the
service, then key and user-data over IMDSv2) and a user-data script that then makes
--fetches more IMDSv2 requests and prints how many failed. Reports per-guest seconds from
the launch call to STRATO-CONTEXT-DONE, and the timeouts/failures (the target is 0).
Run as root.

    bench/imds_boot_storm.py --stratod build/release/src/daemon/stratod --guest build/guest
"""
import argparse, base64, os, re, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vm_launch_bench import Api, stop_and_clean, terminate_all  # noqa: E402

DONE = re.compile(rb"STRATO-CONTEXT-DONE (i-[0-9a-f]+)\r?\n")
FAILS = re.compile(rb"IMDS-STORM (i-[0-9a-f]+) failures=(\d+) of=(\d+)\r?\n")


def user_data(fetches):
    return (f"#!/bin/sh\nf=0\nfor i in $(seq {fetches}); do\n"
            "  strato-imds /latest/meta-data/instance-id >/dev/null 2>&1 || f=$((f+1))\n"
            "done\n"
            f"echo \"IMDS-STORM $(cat /run/strato/id) failures=$f of={fetches}\"\n")


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratod", default="build/release/src/daemon/stratod")
    ap.add_argument("--guest", default="build/guest")
    ap.add_argument("--guests", type=int, default=12)
    ap.add_argument("--fetches", type=int, default=20)
    ap.add_argument("--type", default="mv1.small")
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strato-imdsstorm-")
    data = os.path.join(work, "data")
    d = subprocess.Popen([a.stratod, "--data-dir", data, "--listen", "127.0.0.1:0",
                          "--guest-dir", a.guest, "--no-access-log", "--local-host", "qemu",
                          "--cpu-ratio", str(max(4, a.guests))],
                         stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(work, "stratod.log"), "w"))
    prefix = None
    try:
        while not os.path.exists(os.path.join(data, "endpoint")):
            time.sleep(0.05)
        api = Api(data)
        prefix = "strato-" + api.call("GET", "/v1/hosts")["hosts"][0]["id"] + "-"
        image = [i for i in api.call("GET", "/v1/images")["images"]
                 if i["name"] == "strato-guest"][0]["id"]
        t0 = time.monotonic()
        ids = [i["id"] for i in api.call("POST", "/v1/instances", {
            "image_id": image, "instance_type": a.type, "count": a.guests,
            "user_data": base64.b64encode(user_data(a.fetches).encode()).decode()})["instances"]]
        done, fails = {}, {}
        while (len(fails) < len(ids) or len(done) < len(ids)) and \
                time.monotonic() - t0 < a.timeout:
            for i in ids:
                if i in fails and i in done:
                    continue
                try:
                    text = open(os.path.join(data, "vms", i, "console.log"), "rb").read()
                except FileNotFoundError:
                    continue
                if i not in done and any(m.group(1).decode() == i for m in DONE.finditer(text)):
                    done[i] = time.monotonic() - t0
                for m in FAILS.finditer(text):
                    if m.group(1).decode() == i:
                        fails[i] = int(m.group(2))
            time.sleep(0.05)
        unreachable = sum(1 for i in ids
                          if b"metadata service unreachable" in
                          open(os.path.join(data, "vms", i, "console.log"), "rb").read())
        times = sorted(done.values())
        print(f"boot storm: {a.guests} {a.type} guests launched at once, {a.fetches} IMDSv2 "
              f"fetches each after contextualization")
        if times:
            print(f"  launch -> STRATO-CONTEXT-DONE: first {times[0]:.1f} s, median "
                  f"{statistics.median(times):.1f} s, last {times[-1]:.1f} s "
                  f"({len(times)}/{len(ids)} guests)")
        print(f"  metadata timeouts at boot: {unreachable}; failed fetches: "
              f"{sum(fails.values())} of {len(fails) * a.fetches} "
              f"({len(ids) - len(fails)} guests never reported)")
        terminate_all(api, ids, data, prefix, timeout=120)
    finally:
        stop_and_clean(d, data, prefix, work)


if __name__ == "__main__":
    main()

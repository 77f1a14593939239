#!/usr/bin/python3
"""Real-VM launch benchmark: API call → STRATO-READY on the console, against a bare
qemu-system-x86_64 command line booting the same guest in the same run (the physical limit).

Also: a burst of 10 concurrent launches, host-side memory per instance (QEMU RSS minus the
guest-RAM mapping's RSS) and stratod's own RSS growth per running instance.

    bench/vm_launch_bench.py --stratod build/release/src/daemon/stratod --guest build/guest
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

READY = re.compile(rb"STRATO-READY (\S+)\r?\n")


def tsc_args():
    for line in open("/proc/cpuinfo"):
        if line.startswith("cpu MHz"):
            khz = int(float(line.split(":")[1]) * 1000)
            return f" tsc_early_khz={khz} lpj={khz * 1000 // 250} tsc=reliable"
    return ""


def bare_qemu(guest, machine, workdir):
    """Seconds from exec to the READY line, the same machine options stratod uses."""
    kernel = os.path.join(guest, "vmlinux" if os.path.exists(os.path.join(guest, "vmlinux")) else "vmlinuz")
    console = os.path.join(workdir, f"bare-{machine}.log")
    if os.path.exists(console):
        os.unlink(console)
    m = ["-M", "q35"] if machine == "q35" else ["-M", "microvm,x-option-roms=off,isa-serial=on,rtc=on,acpi=on"]
    append = "console=ttyS0 panic=-1 quiet strato.id=i-bare" + (tsc_args() if machine == "microvm" else "")
    argv = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display", "none", *m,
            "-accel", "tcg", "-smp", "1" if machine == "microvm" else "2",
            "-m", "512M" if machine == "microvm" else "512M", "-kernel", kernel,
            "-initrd", os.path.join(guest, "initrd.img"), "-append", append,
            "-serial", "file:" + console, "-no-reboot"]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < 120:
            try:
                if READY.search(open(console, "rb").read()):
                    return time.monotonic() - t0
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        raise RuntimeError("bare QEMU never became ready")
    finally:
        p.kill(); p.wait()


class Api:
    def __init__(self, data_dir):
        cred = {}
        for line in open(os.path.join(data_dir, "credentials")):
            if "=" in line:
                k, v = line.split("=", 1); cred[k.strip()] = v.strip()
        self.endpoint = cred["endpoint_url"]
        self.creds = Credentials(cred["aws_access_key_id"], cred["aws_secret_access_key"])

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        req = AWSRequest(method=method, url=self.endpoint + path, data=data,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(self.creds, "strato", "strato-1").add_auth(req)
        r = urllib.request.Request(self.endpoint + path, data=data or None, method=method,
                                   headers=dict(req.headers.items()))
        with urllib.request.urlopen(r, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")


def wait_ready(api, ids, t0, timeout=300):
    done = {}
    while len(done) < len(ids) and time.monotonic() - t0 < timeout:
        for i in ids:
            if i not in done and READY.search(api.call("GET", f"/v1/instances/{i}/console")["output"].encode()):
                done[i] = time.monotonic() - t0
        time.sleep(0.01)
    if len(done) < len(ids):
        raise RuntimeError("instances never became ready")
    return done


def rss_kib(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def qemu_overhead_kib(pid, guest_mib):
    """RSS outside the guest-RAM mapping (the mapping whose size is the guest's memory)."""
    total, guest, size = 0, 0, 0
    for line in open(f"/proc/{pid}/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            lo, hi = line.split()[0].split("-")
            size = (int(hi, 16) - int(lo, 16)) // 1024
        elif line.startswith("Rss:"):
            kib = int(line.split()[1]); total += kib
            if size >= guest_mib * 1024:
                guest += kib
    return total - guest


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-up in finally
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratod", default="build/release/src/daemon/stratod")
    ap.add_argument("--guest", default="build/guest")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--burst", type=int, default=10)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strato-vmbench-")
    data = os.path.join(work, "data")
    d = subprocess.Popen([a.stratod, "--data-dir", data, "--listen", "127.0.0.1:0", "--guest-dir",
                          a.guest, "--no-access-log", "--local-host", "qemu"],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "stratod.log"), "w"))
    try:
        while not os.path.exists(os.path.join(data, "endpoint")):
            time.sleep(0.05)
        api = Api(data)
        image = [i for i in api.call("GET", "/v1/images")["images"] if i["name"] == "strato-guest"][0]["id"]
        rows = []
        for machine, itype in (("q35", "t3.nano"), ("microvm", "mv1.small")):
            bare, strato = [], []
            for _ in range(a.runs):
                bare.append(bare_qemu(a.guest, machine, work))
                t0 = time.monotonic()
                iid = api.call("POST", "/v1/instances", {"image_id": image, "instance_type": itype})["instances"][0]["id"]
                strato.append(wait_ready(api, [iid], t0)[iid])
                api.call("POST", f"/v1/instances/{iid}/terminate")
            b, s = statistics.median(bare), statistics.median(strato)
            rows.append((machine, b, s))
            print(f"{machine:8s} bare QEMU median {b:6.2f} s   Strato median {s:6.2f} s   "
                  f"ratio {s / b:5.2f}x  (+{(s - b) * 1000:5.0f} ms)   runs bare={['%.2f' % x for x in bare]} strato={['%.2f' % x for x in strato]}")
        time.sleep(2)
        base_rss = rss_kib(d.pid)
        t0 = time.monotonic()
        ids = [i["id"] for i in api.call("POST", "/v1/instances", {"image_id": image, "instance_type": "mv1.small", "count": a.burst})["instances"]]
        ready = wait_ready(api, ids, t0, timeout=600)
        times = sorted(ready.values())
        print(f"burst of {a.burst} microvm launches: first ready {times[0]:.2f} s, median {statistics.median(times):.2f} s, last {times[-1]:.2f} s")
        pids = [int(open(os.path.join(data, "vms", i, "qemu.pid")).read()) for i in ids]
        overhead = [qemu_overhead_kib(p, 512) for p in pids]
        rss = [rss_kib(p) for p in pids]
        per_instance = (rss_kib(d.pid) - base_rss) / a.burst
        print(f"QEMU RSS per instance (512 MiB guest): median {statistics.median(rss) / 1024:.1f} MiB; "
              f"outside guest RAM: median {statistics.median(overhead) / 1024:.1f} MiB")
        print(f"stratod RSS growth per running instance: {per_instance:.0f} KiB (stratod RSS {rss_kib(d.pid) / 1024:.1f} MiB)")
        for i in ids:
            api.call("POST", f"/v1/instances/{i}/terminate")
        deadline = time.monotonic() + 60
        while os.listdir(os.path.join(data, "vms")) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        d.send_signal(signal.SIGTERM); d.wait(timeout=30)
        subprocess.run(["pkill", "-9", "-f", os.path.join(data, "vms")])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

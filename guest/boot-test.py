#!/usr/bin/python3
"""Boot the guest built by guest/build.sh under QEMU (TCG) and check it.

    guest/boot-test.py OUTDIR [--machine q35|microvm] [--disk] [--nic | --nic-no-dhcp]
                       [--stop powerdown|timer] [--no-shutdown] [--all]

Per run it prints the wall time from QEMU start to "STRATO-READY <id>" on the
serial console, and how the guest stopped: QMP system_powerdown (ACPI power
button) or strato.poweroff_after. --nic puts the guest on a tap in a bridge
inside a private network namespace (strato-gtest) with dnsmasq as DHCP
server; nothing is routed to the host's interfaces. --all runs the matrix.
Needs root for --nic. Exit status 0 only if every run passed.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

NETNS = "strato-gtest"
MAC = "52:54:00:12:34:56"
LEASE_IP = "10.99.0.23"
INSTANCE_ID = "i-test"


def host_tsc_khz():
    """Under TCG the guest TSC is the host TSC; 'cpu MHz' is close enough."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return int(float(line.split(":")[1]) * 1000)
    raise RuntimeError("no 'cpu MHz' in /proc/cpuinfo")


def microvm_timing_append():
    # ACPI microvm is hardware-reduced: no PIT/HPET to calibrate the TSC or
    # the LAPIC timer against, so the kernel hangs unless told the TSC rate.
    khz = host_tsc_khz()
    return f"tsc_early_khz={khz} lpj={khz * 1000 // 250} tsc=reliable"


MICROVM = "microvm,x-option-roms=off,isa-serial=on,rtc=on"
MACHINES = {
    # Device names differ: PCI on q35, virtio-mmio on microvm.
    "q35": {"machine": "q35", "blk": "virtio-blk-pci", "net": "virtio-net-pci", "append": ""},
    "microvm": {"machine": MICROVM, "blk": "virtio-blk-device", "net": "virtio-net-device",
                "append": "timing"},
    # Boots, but finds no virtio-mmio devices (Debian's kernel lacks
    # VIRTIO_MMIO_CMDLINE_DEVICES) and has no power button; not in --all.
    "microvm-noacpi": {"machine": MICROVM + ",acpi=off", "blk": "virtio-blk-device",
                       "net": "virtio-net-device", "append": ""},
}


def run(*cmd):
    subprocess.run(cmd, check=True)


class Netns:
    """Bridge br0 (10.99.0.1/24) + tap0 (+ dnsmasq) inside a private netns."""

    def __init__(self, workdir, dhcp):
        self.workdir = workdir
        self.dhcp = dhcp
        self.dnsmasq = None

    def __enter__(self):
        subprocess.run(["ip", "netns", "del", NETNS], stderr=subprocess.DEVNULL)
        run("ip", "netns", "add", NETNS)
        ns = ["ip", "-n", NETNS]
        run(*ns, "link", "set", "lo", "up")
        run(*ns, "link", "add", "br0", "type", "bridge")
        run(*ns, "addr", "add", "10.99.0.1/24", "dev", "br0")
        run(*ns, "link", "set", "br0", "up")
        run(*ns, "tuntap", "add", "dev", "tap0", "mode", "tap")
        run(*ns, "link", "set", "tap0", "master", "br0", "up")
        if not self.dhcp:
            return self
        self.dnsmasq = subprocess.Popen(
            ["ip", "netns", "exec", NETNS, "dnsmasq", "--no-daemon",
             "--conf-file=/dev/null", "--port=0", "--interface=br0",
             "--bind-interfaces", "--dhcp-range=10.99.0.10,10.99.0.50,1h",
             f"--dhcp-host={MAC},{LEASE_IP}", "--no-resolv",
             f"--dhcp-leasefile={self.workdir}/leases"],
            stdout=subprocess.DEVNULL, stderr=open(f"{self.workdir}/dnsmasq.log", "w"))
        return self

    def __exit__(self, *exc):
        if self.dnsmasq:
            self.dnsmasq.terminate()
            self.dnsmasq.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", NETNS], stderr=subprocess.DEVNULL)


class Qmp:
    def __init__(self, path, deadline):
        while True:
            # QEMU creates the socket file a moment before it listens on it.
            self.sock = socket.socket(socket.AF_UNIX)
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise TimeoutError("QMP socket never accepted a connection")
                time.sleep(0.01)
        self.file = self.sock.makefile("rw")
        self.events = []
        self.read()  # greeting
        self.command("qmp_capabilities")

    def read(self):
        line = self.file.readline()
        if not line:
            return None
        msg = json.loads(line)
        if "event" in msg:
            self.events.append(msg)
        return msg

    def command(self, name):
        self.file.write(json.dumps({"execute": name}) + "\n")
        self.file.flush()
        while True:
            msg = self.read()
            if msg is None or "return" in msg or "error" in msg:
                return msg

    def drain(self, until):
        """Reads events until EOF, a SHUTDOWN event (if until) or an error."""
        try:
            while (msg := self.read()) is not None:
                if until and msg.get("event") == "SHUTDOWN":
                    return
        except (OSError, ValueError):
            pass


def qemu_command(args, machine, workdir, disk):
    m = MACHINES[machine]
    append = f"console=ttyS0 quiet panic=-1 strato.id={INSTANCE_ID}"
    if m["append"] == "timing":
        append += " " + microvm_timing_append()
    if disk:
        append += " strato.root=/dev/vda"
    if args.stop == "timer":
        append += " strato.poweroff_after=1"
    if args.extra_append:
        append += " " + args.extra_append
    cmd = [
        "qemu-system-x86_64", "-M", m["machine"] + (f",{args.machine_opts}" if args.machine_opts else ""), "-accel", "tcg", "-nodefaults",
        "-no-user-config", "-display", "none", "-m", "256", "-smp", "1",
        "-chardev", f"file,id=ser0,path={workdir}/serial.log", "-serial", "chardev:ser0",
        "-qmp", f"unix:{workdir}/qmp.sock,server=on,wait=off",
        "-kernel", f"{args.out}/{args.kernel}", "-initrd", f"{args.out}/initrd.img",
        "-append", append, "-no-reboot",
    ]
    if args.no_shutdown:
        cmd.append("-no-shutdown")
    if disk:
        cmd += ["-drive", f"file={disk},format=qcow2,if=none,id=d0,cache=unsafe",
                "-device", f"{m['blk']},drive=d0"]
    if args.nic:
        cmd += ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                "-device", f"{m['net']},netdev=n0,mac={MAC}"]
        cmd = ["ip", "netns", "exec", NETNS] + cmd
    return cmd


def find_line(path, needle):
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                # The serial port writes byte by byte: skip a half-written line.
                if line.startswith(needle) and line.endswith("\n"):
                    return line.strip()
    return None


def wait_for_line(path, needle, proc, deadline):
    while time.monotonic() < deadline and proc.poll() is None:
        if line := find_line(path, needle):
            return line
        time.sleep(0.01)
    return find_line(path, needle)


def cpu_seconds(pid):
    """QEMU's CPU time so far: a load-independent proxy for boot cost."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def boot_once(args, machine, workdir):
    disk = None
    if args.disk:
        # An overlay keeps the built disk pristine across runs.
        disk = f"{workdir}/overlay.qcow2"
        run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
            "-b", f"{args.out}/disk.qcow2", disk)
    cmd = qemu_command(args, machine, workdir, disk)
    result = {"machine": machine, "disk": bool(disk), "nic": args.nic, "stop": args.stop}
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(f"{workdir}/qemu.err", "w"))
    deadline = t0 + 90
    try:
        qmp = Qmp(f"{workdir}/qmp.sock", deadline)
        serial = f"{workdir}/serial.log"
        ready = wait_for_line(serial, "STRATO-READY", proc, deadline)
        result["ready_s"] = round(time.monotonic() - t0, 2) if ready else None
        result["ready_cpu_s"] = cpu_seconds(proc.pid)
        result["ready_line"] = ready
        if args.nic == "dhcp":
            result["ip_line"] = wait_for_line(serial, "STRATO-IP", proc, t0 + 5)
            ping = subprocess.run(["ip", "netns", "exec", NETNS, "busybox", "ping", "-c", "1", "-W", "5",
                                   LEASE_IP], stdout=subprocess.DEVNULL)
            result["ping_ok"] = ping.returncode == 0
        if disk:
            result["switched_root"] = wait_for_line(serial, "strato-init: switching root", proc, t0 + 5) is not None
        t1 = time.monotonic()
        if args.stop == "powerdown" and ready:
            qmp.command("system_powerdown")
        qmp.drain(until=args.no_shutdown)
        if args.no_shutdown:
            proc.kill()
        proc.wait(timeout=max(1, deadline - time.monotonic()))
        result["stop_s"] = round(time.monotonic() - t1, 2)
        result["shutdown_events"] = [e.get("data") for e in qmp.events if e["event"] == "SHUTDOWN"]
        result["poweroff_line"] = find_line(serial, "STRATO-POWEROFF")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    ok = bool(result["ready_line"]) and result["ready_line"] == f"STRATO-READY {INSTANCE_ID}"
    ok = ok and any(e and e.get("guest") for e in result["shutdown_events"])
    if args.nic == "dhcp":
        ok = ok and bool(result["ip_line"]) and LEASE_IP in result["ip_line"] and result["ping_ok"]
    if disk:
        ok = ok and result["switched_root"]
    result["ok"] = ok
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--machine", choices=MACHINES, default="q35")
    p.add_argument("--disk", action="store_true")
    p.add_argument("--nic", action="store_const", const="dhcp", default="",
                   help="a NIC on a bridge with dnsmasq; expects a lease")
    p.add_argument("--nic-no-dhcp", dest="nic", action="store_const", const="silent",
                   help="a NIC on a bridge without DHCP server; expects READY anyway")
    p.add_argument("--stop", choices=["powerdown", "timer"], default="powerdown")
    p.add_argument("--no-shutdown", action="store_true")
    p.add_argument("--all", action="store_true")
    p.add_argument("--kernel", choices=["vmlinux", "vmlinuz"], default="vmlinux")
    p.add_argument("--extra-append", default="", help="more kernel command line")
    p.add_argument("--machine-opts", default="", help="more -M options, e.g. acpi=off")
    p.add_argument("--keep", action="store_true", help="keep the work dir (serial log)")
    args = p.parse_args()
    args.out = os.path.abspath(args.out)

    runs = []
    if args.all:
        for machine in ["q35", "microvm"]:
            for disk, nic, stop in [(False, "", "powerdown"), (False, "", "timer"),
                                    (True, "", "powerdown"), (False, "dhcp", "powerdown")]:
                runs.append((machine, disk, nic, stop, False))
        runs.append(("q35", False, "silent", "powerdown", False))
        runs.append(("q35", False, "", "powerdown", True))
        runs.append(("microvm", False, "", "powerdown", True))
    else:
        runs.append((args.machine, args.disk, args.nic, args.stop, args.no_shutdown))

    all_ok = True
    for machine, disk, nic, stop, no_shutdown in runs:
        one = argparse.Namespace(**{**vars(args), "disk": disk, "nic": nic, "stop": stop,
                                    "no_shutdown": no_shutdown})
        workdir = tempfile.mkdtemp(prefix="strato-guest-")
        try:
            if nic:
                with Netns(workdir, dhcp=nic == "dhcp"):
                    result = boot_once(one, machine, workdir)
            else:
                result = boot_once(one, machine, workdir)
            result["no_shutdown"] = no_shutdown
        finally:
            if args.keep:
                print(f"work dir: {workdir}", file=sys.stderr)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        print(json.dumps(result), flush=True)
        all_ok = all_ok and result["ok"]
    return 0 if all_ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())

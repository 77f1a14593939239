"""Real guests under QEMU (TCG) through the API and the CLI: boot to the guest's readiness
line on q35 and microvm, graceful and forced stop, start, reboot, terminate, a guest that
powers itself off and a QEMU that crashes. Every assertion is on something observed: the
serial console, the QEMU process, the per-VM directory, the host's accounting."""

import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BOOT_TIMEOUT, READY_LINE, STRATO_CLI, pid_runs, qmp, \
    wait_for

# Not anchored: the console shell's prompt may precede it on the same line.
POWEROFF_LINE = re.compile(r"STRATO-POWEROFF (i-[0-9a-f]{17}) (\w+)\r?\n", re.M)


def launch(cloud, image, instance_type):
    [inst] = cloud.admin.run(instance_type=instance_type, image_id=image)
    return inst["id"]


def poweroffs(text, iid):
    """How each STRATO-POWEROFF line of `iid` in `text` says it was asked (acpi|timer|signal)."""
    return [how for i, how in POWEROFF_LINE.findall(text) if i == iid]


def booted_again(cloud, iid):
    """True once the API console shows a READY line after the guest's last power-off line.
    (A stopped VM's old console may be gone, see test_stopped_instance_keeps_its_console:
    then any READY line is from the new boot.)"""
    text = cloud.console(iid)
    last_off = max((m.end() for m in POWEROFF_LINE.finditer(text)), default=0)
    return any(m.group(1) == iid for m in READY_LINE.finditer(text, last_off))


def test_boot_q35_and_microvm_to_ready_then_terminate(cloud, image):
    q35 = launch(cloud, image, "t3.nano")
    micro = launch(cloud, image, "mv1.small")  # both boot at once
    pids = {}
    for iid, machine in ((q35, "q35"), (micro, "microvm")):
        cloud.wait_state(iid, "running")
        pids[iid] = cloud.wait_qemu_pid(iid)
        cmd = open(f"/proc/{pids[iid]}/cmdline", "rb").read().split(b"\0")
        assert machine.encode() in cmd[cmd.index(b"-M") + 1], cmd
        assert b"tcg" in cmd[cmd.index(b"-accel") + 1], cmd
    for iid in (q35, micro):
        cloud.wait_ready(iid)
        assert cloud.ready_count(iid) == 1
        assert cloud.instance_state(iid) == "running"

    for iid in (q35, micro):
        cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    for iid in (q35, micro):
        term = cloud.wait_state(iid, "terminated")
        assert term["host_id"] is None
        wait_for(lambda: not pid_runs(pids[iid], str(cloud.vm_dir(iid))), 10,
                 message=f"the QEMU of {iid} to exit")
        assert not cloud.vm_dir(iid).exists()


@pytest.fixture
def cli(cloud):
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.fail(f"the strato CLI is not built at {STRATO_CLI}", pytrace=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    env["STRATO_CREDENTIALS_FILE"] = str(cloud.data_dir / "credentials")
    env["HOME"] = str(cloud.root)

    def run(*args, timeout=BOOT_TIMEOUT + 30):
        p = subprocess.run([STRATO_CLI, *args], env=env, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, (args, p.returncode, p.stdout, p.stderr)
        return p.stdout

    return run


def test_cli_run_wait_and_console(cloud, image, cli):
    out = json.loads(cli("-o", "json", "instance", "run", "--image-id", image, "--type",
                         "mv1.nano", "--wait"))
    [inst] = out["instances"]
    iid = inst["id"]
    assert inst["state"] == "running" and inst["instance_type"] == "mv1.nano"
    assert cloud.wait_qemu_pid(iid)

    def cli_console_ready():
        text = cli("instance", "console", iid)
        return text if any(i == iid for i in
                           READY_LINE.findall(text)) else None

    text = wait_for(cli_console_ready, BOOT_TIMEOUT, interval=0.5, message="READY via the CLI")
    # The console the API serves (text mode turned its \r\n into \n); it may have grown
    # since the CLI read it, so the CLI's text is a prefix of it.
    served = cloud.console(iid).replace("\r\n", "\n")
    assert served.startswith(text[:200]), (text, served)

    out = json.loads(cli("-o", "json", "instance", "terminate", iid, "--wait"))
    assert [i["state"] for i in out["instances"]] == ["terminated"]
    assert not cloud.vm_dir(iid).exists()


def test_stop_start_reboot_force_stop_terminate(cloud, image):
    iid = launch(cloud, image, "t3.nano")
    cloud.wait_state(iid, "running")
    pid = cloud.wait_qemu_pid(iid)
    needle = str(cloud.vm_dir(iid)) + "/"
    with cloud.serial_log(iid) as serial:
        cloud.wait_ready(iid)  # a power button pressed before acpid runs is lost

        # Graceful stop: the guest hears the ACPI button and powers off before the 15 s
        # deadline after which stratod would force it.
        began = time.monotonic()
        assert cloud.admin.ok("POST", f"/v1/instances/{iid}/stop")["state"] == "stopping"
        stopped = cloud.wait_state(iid, "stopped", timeout=30)
        assert time.monotonic() - began < 14, "the stop was forced, not graceful"
        assert stopped["state_reason"].startswith("Client.UserInitiatedShutdown"), stopped
        assert stopped["host_id"] is None
        wait_for(lambda: not pid_runs(pid, needle), 10, message="the stopped QEMU to exit")
        assert poweroffs(serial.text(), iid) == ["acpi"]

    # Start: a new QEMU, and the guest boots a second time.
    assert cloud.admin.ok("POST", f"/v1/instances/{iid}/start")["state"] == "pending"
    running = cloud.wait_state(iid, "running")
    assert running["state_reason"] is None
    pid2 = cloud.wait_qemu_pid(iid)
    assert pid2 != pid
    with cloud.serial_log(iid) as serial:
        wait_for(lambda: booted_again(cloud, iid), BOOT_TIMEOUT, interval=0.25,
                 message="a READY line after the restart")

        # Reboot: same QEMU, the guest boots again, the instance stays running throughout.
        booted = cloud.ready_count(iid)
        assert cloud.admin.ok("POST", f"/v1/instances/{iid}/reboot")["state"] == "running"
        seen = set()

        def rebooted():
            seen.add(cloud.instance_state(iid))
            return cloud.ready_count(iid) > booted

        wait_for(rebooted, BOOT_TIMEOUT, interval=0.25, message="the guest to boot again")
        assert seen == {"running"}, seen
        assert cloud.qemu_pid(iid) == pid2

        # Forced stop: QEMU is ended at once, without asking the guest.
        offs = poweroffs(serial.text(), iid)
        began = time.monotonic()
        cloud.admin.ok("POST", f"/v1/instances/{iid}/stop", {"force": True})
        forced = cloud.wait_state(iid, "stopped", timeout=10)
        assert time.monotonic() - began < 10
        assert forced["state_reason"].startswith("Client.UserInitiatedShutdown"), forced
        wait_for(lambda: not pid_runs(pid2, needle), 10, message="the forced QEMU to exit")
        assert poweroffs(serial.text(), iid) == offs, "a forced stop went through the guest"

    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    cloud.wait_state(iid, "terminated")
    wait_for(lambda: not cloud.vm_dir(iid).exists(), 10, message=f"{cloud.vm_dir(iid)} removed")


def test_guest_powering_itself_off_is_instance_initiated(cloud, image):
    iid = launch(cloud, image, "mv1.nano")
    cloud.wait_state(iid, "running")
    pid = cloud.wait_qemu_pid(iid)
    with cloud.serial_log(iid) as serial:
        cloud.wait_ready(iid)

        # The operator socket: stratod never talks to it, so for stratod nobody asked.
        [reply] = qmp(cloud.vm_dir(iid) / "ops.sock", "system_powerdown")
        assert reply == {"return": {}}, reply
        stopped = cloud.wait_state(iid, "stopped")
        assert stopped["state_reason"].startswith("Client.InstanceInitiatedShutdown"), stopped
        assert stopped["desired_state"] == "stopped" and stopped["host_id"] is None
        wait_for(lambda: not pid_runs(pid, str(cloud.vm_dir(iid))), 10, message="QEMU to exit")
        assert poweroffs(serial.text(), iid) == ["acpi"]

    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    cloud.wait_state(iid, "terminated")


def test_stopped_instance_keeps_its_console(cloud, image):
    iid = launch(cloud, image, "mv1.nano")
    cloud.wait_state(iid, "running")
    cloud.wait_ready(iid)
    cloud.admin.ok("POST", f"/v1/instances/{iid}/stop", {"force": True})
    try:
        cloud.wait_state(iid, "stopped")
        time.sleep(3.5)  # three resync intervals
        assert cloud.ready_count(iid) == 1, repr(cloud.console(iid))
    finally:
        cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
        cloud.wait_state(iid, "terminated")


def test_crashed_qemu_stops_the_instance_and_frees_capacity(cloud, image):
    host_before = cloud.qemu_host
    iid = launch(cloud, image, "t3.nano")
    running = cloud.wait_state(iid, "running")
    pid = cloud.wait_qemu_pid(iid)
    host = cloud.admin.ok("GET", f"/v1/hosts/{running['host_id']}")
    assert host["allocated_memory_mib"] == host_before["allocated_memory_mib"] + 512, host

    os.kill(pid, signal.SIGKILL)
    stopped = cloud.wait_state(iid, "stopped")
    assert "QEMU exited unexpectedly" in stopped["state_reason"], stopped
    assert stopped["host_id"] is None
    host = cloud.admin.ok("GET", f"/v1/hosts/{host['id']}")
    assert host["allocated_memory_mib"] == host_before["allocated_memory_mib"], host
    assert host["instance_count"] == host_before["instance_count"], host

    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    cloud.wait_state(iid, "terminated")

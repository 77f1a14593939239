"""Reconcile after a crash of stratod itself, with real guests: VMs outlive a kill -9 of the
daemon and are controlled again after its restart; a QEMU nobody owns is ended."""

import subprocess
import time


from conftest import pid_runs, processes_matching, wait_for

ORPHAN = "i-00000000000000bad"


def test_guests_survive_kill_9_of_stratod_and_stay_controllable(cloud, image):
    ids = [i["id"] for i in cloud.admin.run(count=2, instance_type="mv1.nano", image_id=image)]
    for iid in ids:
        cloud.wait_state(iid, "running")
    pids = {iid: cloud.wait_qemu_pid(iid) for iid in ids}
    for iid in ids:
        cloud.wait_ready(iid)

    cloud.kill9()
    for iid in ids:
        assert pid_runs(pids[iid], str(cloud.vm_dir(iid)) + "/"), f"{iid}'s QEMU died with stratod"
    cloud.start()

    # Re-attached, not restarted: the same processes, still running, over several resyncs.
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        for iid in ids:
            assert cloud.instance_state(iid) == "running"
            assert cloud.qemu_pid(iid) == pids[iid]
        time.sleep(0.25)
    for iid in ids:
        assert cloud.ready_count(iid) == 1  # the console of the boot before the crash

    stop, term = ids
    cloud.admin.ok("POST", f"/v1/instances/{stop}/stop")
    cloud.admin.ok("POST", f"/v1/instances/{term}/terminate")
    stopped = cloud.wait_state(stop, "stopped", timeout=30)
    assert stopped["state_reason"].startswith("Client.UserInitiatedShutdown"), stopped
    cloud.wait_state(term, "terminated")
    for iid in ids:
        wait_for(lambda: not pid_runs(pids[iid], str(cloud.vm_dir(iid)) + "/"), 10,
                 message=f"the QEMU of {iid} to exit")
    assert not cloud.vm_dir(term).exists()

    cloud.admin.ok("POST", f"/v1/instances/{stop}/terminate")
    cloud.wait_state(stop, "terminated")


def test_orphaned_qemu_is_ended_and_its_directory_removed(cloud, image):
    # A legitimate VM that must survive the clean-up of the orphan beside it.
    [inst] = cloud.admin.run(instance_type="mv1.nano", image_id=image)
    keep = inst["id"]
    cloud.wait_state(keep, "running")
    keep_pid = cloud.wait_qemu_pid(keep)

    assert cloud.stop() == 0, cloud.log()
    orphan_dir = cloud.vm_dir(ORPHAN)
    orphan_dir.mkdir()
    subprocess.run(
        ["qemu-system-x86_64", "-nodefaults", "-display", "none", "-M", "q35", "-accel", "tcg",
         "-m", "64", "-S", "-qmp", f"unix:{orphan_dir}/qmp.sock,server=on,wait=off",
         "-pidfile", f"{orphan_dir}/qemu.pid", "-daemonize"],
        check=True, timeout=30, stdin=subprocess.DEVNULL, capture_output=True)
    orphan_pid = int((orphan_dir / "qemu.pid").read_text())
    assert pid_runs(orphan_pid, str(orphan_dir) + "/")

    cloud.start()
    wait_for(lambda: not pid_runs(orphan_pid, str(orphan_dir) + "/"), 15, interval=0.1,
             message="the orphaned QEMU to be ended")
    wait_for(lambda: not orphan_dir.exists(), 10, message=f"{orphan_dir} removed")
    assert not processes_matching(str(orphan_dir))

    assert cloud.instance_state(keep) == "running"
    assert cloud.qemu_pid(keep) == keep_pid
    cloud.admin.ok("POST", f"/v1/instances/{keep}/terminate")
    cloud.wait_state(keep, "terminated")

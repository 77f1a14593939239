"""Volume types are enforced: inside a real guest (QEMU, TCG), a throttled volume's measured
IOPS and throughput stay within 15% of its type's limits, and a faster volume goes faster."""
import re

from conftest import VM_STATE_TIMEOUT, wait_for
from test_vm_volumes import attached, guest_disk, launch, wait_volume

REAL = re.compile(r"real\s+(\d+)m\s*([\d.]+)s")


def timed(sh, command):
    """Seconds the guest took for `command` (busybox time)."""
    status, out = sh.run(f"time {command} 2>&1")
    assert status == 0, out
    m = REAL.search(out)
    assert m, out
    return int(m.group(1)) * 60 + float(m.group(2))


def test_io1_iops_and_throughput_limits_hold_in_the_guest(cloud, image):
    api = cloud.admin
    iid = launch(cloud, image)
    slow = api.ok("POST", "/v1/volumes", {"size": 4, "volume_type": "io1", "iops": 100},
                  expect=(202,))
    fast = api.ok("POST", "/v1/volumes", {"size": 1, "volume_type": "gp3"}, expect=(202,))
    assert slow["iops"] == 100 and slow["throughput"] == 25
    for v, dev in ((slow, "/dev/sdf"), (fast, "/dev/sdg")):
        wait_volume(api, v["id"], lambda x: x["state"] == "available", "available")
        api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": iid, "device": dev},
               expect=(202,))
        wait_volume(api, v["id"], attached, "attached")
    slow_dev = guest_disk(cloud, iid, slow["id"])
    fast_dev = guest_disk(cloud, iid, fast["id"])
    with cloud.guest_shell(iid) as sh:
        # 300 small direct reads: IOPS-bound.
        t = timed(sh, f"dd if={slow_dev} of=/dev/null bs=4096 count=300 iflag=direct")
        iops = 300 / t
        print(f"io1 4k: {t:.2f} s = {iops:.1f} IOPS")
        assert 85 <= iops <= 115, f"io1 at 100 IOPS measured {iops:.1f} IOPS ({t:.2f} s)"
        t_fast = timed(sh, f"dd if={fast_dev} of=/dev/null bs=4096 count=300 iflag=direct")
        print(f"gp3 4k: {t_fast:.2f} s")
        assert t_fast < t / 2, f"gp3 took {t_fast:.2f} s, io1 {t:.2f} s"
        # 60 MiB in 1 MiB direct reads: throughput-bound (25 MiB/s for 100 IOPS of io1).
        t = timed(sh, f"dd if={slow_dev} of=/dev/null bs=1048576 count=60 iflag=direct")
        mibps = 60 / t
        print(f"io1 1M: {t:.2f} s = {mibps:.1f} MiB/s")
        assert 21.25 <= mibps <= 28.75, f"io1 measured {mibps:.1f} MiB/s ({t:.2f} s)"
        # A modify changes the live throttle group: twice the IOPS, half the time.
        api.ok("POST", f"/v1/volumes/{slow['id']}/modify", {"iops": 200}, expect=(202,))

        def doubled():
            t = timed(sh, f"dd if={slow_dev} of=/dev/null bs=4096 count=300 iflag=direct")
            print(f"io1 at 200 IOPS, 4k: {t:.2f} s = {300 / t:.1f} IOPS")
            return 170 <= 300 / t <= 230
        wait_for(doubled, 30, interval=0.5, message="io1 to run at 200 IOPS")
        # Growing a volume a running guest holds: the guest sees the new size.
        api.ok("POST", f"/v1/volumes/{slow['id']}/modify", {"size": 5}, expect=(202,))
        name = slow_dev.rsplit("/", 1)[1]

        def grown():
            status, out = sh.run(f"cat /sys/block/{name}/size")
            return status == 0 and out.strip() == str(5 * 2 * 1024 * 1024)
        wait_for(grown, 30, interval=0.5, message="the guest to see 5 GiB")
        wait_volume(api, slow["id"], lambda x: x["state_reason"] is None and x["size"] == 5,
                    "the size applied")
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    for v in (slow, fast):
        wait_volume(api, v["id"], lambda x: x["state"] == "available", "released")
        api.ok("DELETE", f"/v1/volumes/{v['id']}", expect=(202,))

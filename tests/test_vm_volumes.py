"""Volumes on real guests (QEMU, TCG): hot-plug into a running q35 guest, data written in one
guest read back in another after detach, and a volume plugged at start into a stopped one."""
import re

from conftest import VM_STATE_TIMEOUT, wait_for


def wait_volume(api, vid, pred, message, timeout=VM_STATE_TIMEOUT):
    return wait_for(lambda: (lambda v: v if pred(v) else None)(
        api.ok("GET", f"/v1/volumes/{vid}")), timeout, message=message)


def attached(v):
    return bool(v["attachments"]) and v["attachments"][0]["state"] == "attached"


def guest_disk(cloud, iid, vid, present=True, timeout=60.0, boots=1):
    """The /dev name of the guest disk whose serial is the volume id without its dash."""
    serial = vid.replace("-", "")
    found = {}

    def look():
        status, out = sh.run("for d in /sys/block/vd*; do [ -e $d ] && echo $(basename $d) "
                             "$(cat $d/serial 2>/dev/null); done; true")
        assert status == 0, out
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == serial:
                found["dev"] = "/dev/" + parts[0]
                return present
        return not present
    cloud.wait_ready(iid, count=boots)
    with cloud.guest_shell(iid) as sh:  # one session: the serial socket takes one client
        wait_for(look, timeout, message=f"{vid} {'in' if present else 'gone from'} {iid}")
    return found.get("dev")


def launch(cloud, image):
    [inst] = cloud.admin.run(instance_type="t3.nano", image_id=image)
    cloud.wait_state(inst["id"], "running", timeout=VM_STATE_TIMEOUT)
    cloud.wait_ready(inst["id"])
    return inst["id"]


def test_hot_plug_write_detach_and_read_in_another_guest(cloud, image):
    api = cloud.admin
    a, b = launch(cloud, image), launch(cloud, image)
    v = api.ok("POST", "/v1/volumes", {"size": 1, "volume_type": "gp3"}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "available")
    api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": a, "device": "/dev/sdf"},
           expect=(202,))
    wait_volume(api, v["id"], attached, "attached to a")
    dev = guest_disk(cloud, a, v["id"])
    status, out = cloud.guest_run(a, f"echo strato-data-123 | dd of={dev} bs=512 conv=sync "
                                     f"oflag=direct 2>&1 && sync")
    assert status == 0, out
    api.ok("POST", f"/v1/volumes/{v['id']}/detach", {}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "detached")
    guest_disk(cloud, a, v["id"], present=False)
    # Another guest reads what the first one wrote.
    api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": b, "device": "/dev/sdg"},
           expect=(202,))
    wait_volume(api, v["id"], attached, "attached to b")
    dev = guest_disk(cloud, b, v["id"])
    status, out = cloud.guest_run(b, f"dd if={dev} bs=512 count=1 iflag=direct 2>/dev/null "
                                     f"| head -c 15")
    assert status == 0 and "strato-data-123" in out, out
    # An attached volume cannot be deleted; terminating its instance lets it go.
    r = api.request("DELETE", f"/v1/volumes/{v['id']}")
    assert r.status == 409 and r.code == "VolumeInUse", r
    for iid in (a, b):
        api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "released")
    api.ok("DELETE", f"/v1/volumes/{v['id']}", expect=(202,))
    wait_for(lambda: not any((cloud.data_dir / "storage").iterdir()), 30,
             message="no blob left on disk")


def test_volume_attached_to_stopped_instance_is_plugged_at_start(cloud, image):
    api = cloud.admin
    iid = launch(cloud, image)
    api.ok("POST", f"/v1/instances/{iid}/stop", {"force": True}, expect=(202,))
    cloud.wait_state(iid, "stopped", timeout=VM_STATE_TIMEOUT)
    v = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "available")
    api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": iid, "device": "/dev/sdh"},
           expect=(202,))
    wait_volume(api, v["id"], attached, "attached while stopped")
    api.ok("POST", f"/v1/instances/{iid}/start", expect=(202,))
    cloud.wait_state(iid, "running", timeout=VM_STATE_TIMEOUT)
    assert guest_disk(cloud, iid, v["id"], boots=2)
    # And it can be hot-unplugged although it came in at start.
    api.ok("POST", f"/v1/volumes/{v['id']}/detach", {}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "detached")
    guest_disk(cloud, iid, v["id"], present=False, boots=2)
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    api.ok("DELETE", f"/v1/volumes/{v['id']}", expect=(202,))


def write(cloud, iid, dev, text, boots=1):
    cloud.wait_ready(iid, count=boots)
    with cloud.guest_shell(iid) as sh:
        status, out = sh.run(f"echo {text} | dd of={dev} bs=512 conv=sync oflag=direct 2>&1 "
                             f"&& sync")
    assert status == 0, out


def read(cloud, iid, dev, boots=1):
    cloud.wait_ready(iid, count=boots)
    with cloud.guest_shell(iid) as sh:
        status, out = sh.run(f"dd if={dev} bs=512 count=1 iflag=direct 2>/dev/null | head -c 20")
    assert status == 0, out
    return out


def test_live_snapshot_of_attached_volume_keeps_point_in_time_data(cloud, image):
    api = cloud.admin
    a, b = launch(cloud, image), launch(cloud, image)
    v = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "available")
    api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": a, "device": "/dev/sdf"},
           expect=(202,))
    wait_volume(api, v["id"], attached, "attached")
    write(cloud, a, guest_disk(cloud, a, v["id"]), "before-snapshot")
    # Live: the running guest is switched onto a new overlay (QMP blockdev-snapshot).
    s = api.ok("POST", "/v1/snapshots", {"volume_id": v["id"]}, expect=(202,))
    wait_for(lambda: api.ok("GET", f"/v1/snapshots/{s['id']}")["state"] == "completed", 30,
             message="snapshot completed")
    # The guest goes on writing, now into the overlay; the snapshot must not see it.
    dev = guest_disk(cloud, a, v["id"])
    write(cloud, a, dev, "after-snapshot")
    assert "after-snapshot" in read(cloud, a, dev)
    # A volume from the snapshot, in another guest, has the data of the snapshot's moment.
    c = api.ok("POST", "/v1/volumes", {"snapshot_id": s["id"]}, expect=(202,))
    wait_volume(api, c["id"], lambda x: x["state"] == "available", "clone available")
    api.ok("POST", f"/v1/volumes/{c['id']}/attach", {"instance_id": b, "device": "/dev/sdg"},
           expect=(202,))
    wait_volume(api, c["id"], attached, "clone attached")
    assert "before-snapshot" in read(cloud, b, guest_disk(cloud, b, c["id"]))
    for iid in (a, b):
        api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    for vid in (v["id"], c["id"]):
        wait_volume(api, vid, lambda x: x["state"] == "available", "released")
        api.ok("DELETE", f"/v1/volumes/{vid}", expect=(202,))
    api.ok("DELETE", f"/v1/snapshots/{s['id']}", expect=(202,))
    wait_for(lambda: not any((cloud.data_dir / "storage").iterdir()), 30,
             message="no blob left on disk")

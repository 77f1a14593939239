"""The classic disk-image flow on real guests (QEMU, TCG), through the native API and CLI:
dd + mkfs.ext4 -d with a hello.txt, bzip2, upload, launch, find the file on the console;
volumes, snapshots and a second instance reading the data back; volume-backed roots that
survive stop/start, instance-store roots that refuse to stop, images made from instances;
and nothing left under the data directory at the end."""
import json
import os
import subprocess

import pytest

from conftest import (BOOT_TIMEOUT, READY_LINE, STRATO_CLI, VM_STATE_TIMEOUT, new_tenant,
                      wait_for)
from image_support import (attach_new_volume, bzip2, files_under, make_ext4_image, upload_file,
                           wait_image)
from test_vm_volumes import attached, guest_disk, read, wait_volume, write

HELLO = "hello from a strato disk image"


def file_line(text):
    return f"STRATO-FILE hello.txt: {text}"


@pytest.fixture(scope="module")
def hello_image(cloud, tmp_path_factory):
    """The classic demo image, uploaded with the CLI: ext4 with hello.txt, bzip2'd."""
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip(f"the strato CLI is not built at {STRATO_CLI}")
    work = tmp_path_factory.mktemp("disk")
    compressed = bzip2(make_ext4_image(work / "disk.img", {"hello.txt": HELLO + "\n"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    env["STRATO_CREDENTIALS_FILE"] = str(cloud.data_dir / "credentials")
    env["HOME"] = str(work)
    p = subprocess.run([STRATO_CLI, "-o", "json", "image", "upload", str(compressed),
                        "--name", "hello-disk"], env=env, capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, (p.stdout, p.stderr)
    image = json.loads(p.stdout)
    assert image["disk"]["compression"] == "bzip2" and image["disk"]["source_format"] == "raw"
    return wait_image(cloud.admin, image["id"])["id"]


def launch(cloud, image_id, **extra):
    [inst] = cloud.admin.run(instance_type="t3.nano", image_id=image_id, **extra)
    cloud.wait_state(inst["id"], "running", timeout=VM_STATE_TIMEOUT)
    return inst["id"]


def root_volume(api, iid):
    vols = [v for v in api.ok("GET", "/v1/volumes")["volumes"]
            if v["attachments"] and v["attachments"][0]["instance_id"] == iid
            and v["attachments"][0]["device"] == "/dev/vda"]
    assert len(vols) == 1, vols
    return vols[0]


def test_uploaded_image_boots_and_its_file_is_on_the_console(cloud, hello_image):
    iid = launch(cloud, hello_image)
    assert file_line(HELLO) in cloud.wait_ready(iid)
    root = root_volume(cloud.admin, iid)
    assert root["state"] == "in-use" and root["attachments"][0]["delete_on_termination"] is True
    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    # delete-on-termination: the root volume goes with its instance.
    wait_for(lambda: root["id"] not in {v["id"] for v in cloud.admin.ok("GET", "/v1/volumes")["volumes"]},
             VM_STATE_TIMEOUT, message="the root volume deleted with its instance")


def test_the_classic_flow_leaves_nothing_behind(cloud, tmp_path):
    api = cloud.admin
    # What other tests of the module keep (their image's disk); nothing else may remain.
    kept = files_under(cloud.data_dir / "storage")
    compressed = bzip2(make_ext4_image(tmp_path / "classic.img", {"hello.txt": "classic\n"}))
    r = upload_file(api, compressed, "classic")
    assert r.status == 202, r
    image_id = wait_image(api, r.json["id"])["id"]
    a, b = launch(cloud, image_id), launch(cloud, image_id)
    assert file_line("classic") in cloud.wait_ready(a)
    assert file_line("classic") in cloud.wait_ready(b)
    # A data volume: write in a, snapshot, a volume from the snapshot read back in b.
    v = attach_new_volume(api, a, "/dev/sdf", message="attached to a")
    write(cloud, a, guest_disk(cloud, a, v["id"]), "classic-data-42")
    s = api.ok("POST", "/v1/snapshots", {"volume_id": v["id"]}, expect=(202,))
    wait_for(lambda: api.ok("GET", f"/v1/snapshots/{s['id']}")["state"] == "completed", 60,
             message="snapshot completed")
    c = api.ok("POST", "/v1/volumes", {"snapshot_id": s["id"]}, expect=(202,))
    wait_volume(api, c["id"], lambda x: x["state"] == "available", "clone available")
    api.ok("POST", f"/v1/volumes/{c['id']}/attach", {"instance_id": b, "device": "/dev/sdg"},
           expect=(202,))
    wait_volume(api, c["id"], attached, "clone attached to b")
    assert "classic-data-42" in read(cloud, b, guest_disk(cloud, b, c["id"]))
    api.ok("POST", f"/v1/volumes/{c['id']}/detach", {}, expect=(202,))
    wait_volume(api, c["id"], lambda x: x["state"] == "available", "clone detached")
    # The image still backs both roots: deregistering says so and keeps what they need.
    out = api.ok("DELETE", f"/v1/images/{image_id}")
    assert out["data_deleted"] is False, out
    assert {root_volume(api, a)["id"], root_volume(api, b)["id"]} <= set(out["dependents"]), out
    for iid in (a, b):
        api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "released")
    for vid in (v["id"], c["id"]):
        api.ok("DELETE", f"/v1/volumes/{vid}", expect=(202,))
    api.ok("DELETE", f"/v1/snapshots/{s['id']}", expect=(202,))
    # (A root volume of an earlier test may still have been going when `kept` was taken.)
    wait_for(lambda: set(files_under(cloud.data_dir / "storage")) <= set(kept), 60,
             message="no blob of this flow left on disk")
    assert files_under(cloud.data_dir / "uploads") == []
    gone = {v["id"], c["id"], *out["dependents"]}
    assert [x for x in api.ok("GET", "/v1/volumes")["volumes"] if x["id"] in gone] == []


def test_volume_backed_root_survives_stop_and_start(cloud, hello_image):
    api = cloud.admin
    iid = launch(cloud, hello_image, delete_on_termination=False)
    cloud.wait_ready(iid)
    root = root_volume(api, iid)
    assert root["attachments"][0]["delete_on_termination"] is False
    # A mark on the root disk past its ext4 filesystem (16 MiB of a 1 GiB volume).
    status, out = cloud.guest_run(iid, "echo root-kept | dd of=/dev/vda bs=512 seek=1048576 "
                                       "conv=sync oflag=direct 2>&1 && sync")
    assert status == 0, out
    api.ok("POST", f"/v1/instances/{iid}/stop", expect=(202,))
    cloud.wait_state(iid, "stopped")
    assert root_volume(api, iid)["id"] == root["id"]
    api.ok("POST", f"/v1/instances/{iid}/start", expect=(202,))
    cloud.wait_state(iid, "running")
    console = cloud.wait_ready(iid, count=2)
    assert console.count(file_line(HELLO)) == 2, console
    with cloud.guest_shell(iid) as sh:
        status, out = sh.run("dd if=/dev/vda bs=512 skip=1048576 count=1 iflag=direct "
                             "2>/dev/null | head -c 9")
    assert status == 0 and "root-kept" in out, out
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    # Kept at terminate: an ordinary available volume now, deleted by hand.
    wait_volume(api, root["id"], lambda x: x["state"] == "available", "released")
    api.ok("DELETE", f"/v1/volumes/{root['id']}", expect=(202,))


def test_instance_store_root_reboots_and_terminates_but_refuses_to_stop(cloud, hello_image):
    api = cloud.admin
    # (A root volume of an earlier test may still be going while this is taken.)
    kept = files_under(cloud.data_dir / "storage")
    iid = launch(cloud, hello_image, root_device_type="instance-store")
    assert file_line(HELLO) in cloud.wait_ready(iid)
    # The root device is part of the instance, not a volume.
    assert [v for v in api.ok("GET", "/v1/volumes")["volumes"]
            if v["attachments"] and v["attachments"][0]["instance_id"] == iid] == []
    assert set(files_under(cloud.data_dir / "storage")) - set(kept), "no file for the root"
    r = api.request("POST", f"/v1/instances/{iid}/stop")
    assert r.status == 400 and r.code == "UnsupportedOperation", r
    assert api.instance(iid)["state"] == "running"
    api.ok("POST", f"/v1/instances/{iid}/reboot", expect=(202,))
    cloud.wait_ready(iid, count=2)
    r = api.request("POST", f"/v1/instances/{iid}/image", {"name": "nope"})
    assert r.status == 400 and r.code == "UnsupportedOperation", r
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    wait_for(lambda: set(files_under(cloud.data_dir / "storage")) <= set(kept), VM_STATE_TIMEOUT,
             message="the instance-store root's file gone with its instance")


def test_image_from_a_running_instance_boots_and_holds_its_snapshot(cloud, hello_image):
    api = cloud.admin
    iid = launch(cloud, hello_image)
    cloud.wait_ready(iid)
    image = api.ok("POST", f"/v1/instances/{iid}/image", {"name": "burned"}, expect=(202,))
    snap_id = image["disk"]["snapshot_id"]
    wait_image(api, image["id"])
    r = api.request("DELETE", f"/v1/snapshots/{snap_id}")
    assert r.status == 400 and r.code == "InvalidSnapshot.InUse", r
    other = launch(cloud, image["id"])
    assert file_line(HELLO) in cloud.wait_ready(other)
    for i in (iid, other):
        api.ok("POST", f"/v1/instances/{i}/terminate", expect=(202,))
    api.ok("DELETE", f"/v1/images/{image['id']}")
    api.ok("DELETE", f"/v1/snapshots/{snap_id}", expect=(202,))


def test_a_shared_images_instance_outlives_the_owners_deregistration(cloud, tmp_path):
    """Tenant B boots from tenant A's shared image; A deregisters it; B's volume-backed root
    still reads the image's data across a stop/start."""
    a, b = new_tenant(cloud.admin), new_tenant(cloud.admin)
    compressed = bzip2(make_ext4_image(tmp_path / "shared.img", {"hello.txt": "shared\n"}))
    r = upload_file(a.api, compressed, "shared")
    assert r.status == 202, r
    image_id = wait_image(a.api, r.json["id"])["id"]
    a.api.ok("PATCH", f"/v1/images/{image_id}/launch-permission", {"add": [b.id]})
    [inst] = b.api.run(instance_type="t3.nano", image_id=image_id)
    iid = inst["id"]

    def wait_ready(count):
        def ready():
            text = b.api.ok("GET", f"/v1/instances/{iid}/console")["output"]
            return text if len(READY_LINE.findall(text)) >= count else None
        return wait_for(ready, BOOT_TIMEOUT, interval=0.5, message=f"{iid} ready x{count}")

    b.api.wait_state(iid, "running", timeout=VM_STATE_TIMEOUT)
    assert file_line("shared") in wait_ready(1)
    out = a.api.ok("DELETE", f"/v1/images/{image_id}")
    assert out == {"image_id": image_id, "data_deleted": False, "dependents": []}, out
    # A new QEMU boots from the root, which reads through the deregistered image's data.
    b.api.ok("POST", f"/v1/instances/{iid}/stop", expect=(202,))
    b.api.wait_state(iid, "stopped", timeout=VM_STATE_TIMEOUT)
    b.api.ok("POST", f"/v1/instances/{iid}/start", expect=(202,))
    b.api.wait_state(iid, "running", timeout=VM_STATE_TIMEOUT)
    assert wait_ready(2).count(file_line("shared")) == 2
    b.api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    b.api.wait_state(iid, "terminated", timeout=VM_STATE_TIMEOUT)

"""kill -9 of stratod in the middle of storage work, then a restart: an upload in flight, a
live snapshot, a hot-plug attach. Afterwards the state is consistent (each operation either
happened or did not, and converges) and no partial file is left under the data directory."""
import http.client
import subprocess
import time

from conftest import VM_STATE_TIMEOUT, wait_for
from image_support import attach_new_volume, files_under, make_ext4_image
from test_vm_volumes import attached, guest_disk, launch, read, wait_volume, write


def storage_is_clean(cloud):
    """No temporary file, and every stored blob passes qemu-img check."""
    names = files_under(cloud.data_dir / "storage")
    assert not [n for n in names if n.startswith(".tmp-")], names
    for n in names:
        r = subprocess.run(["qemu-img", "check", "-U", "-q", "-f", "qcow2",
                            str(cloud.data_dir / "storage" / n)], capture_output=True, text=True)
        assert r.returncode in (0, 3), (n, r.stdout, r.stderr)
    return names


def test_kill_9_during_an_upload_leaves_no_image_and_no_partial_file(cloud, tmp_path):
    api = cloud.admin
    disk = make_ext4_image(tmp_path / "big.img", {"hello.txt": "never\n"}, size_mib=64)
    data = disk.read_bytes()
    blobs_before = files_under(cloud.data_dir / "storage")
    target = "/v1/images?name=interrupted"
    headers = api.signed_headers("POST", target, b"", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    headers["Content-Length"] = str(len(data))
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    conn.putrequest("POST", target, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    conn.send(data[: 16 << 20])
    wait_for(lambda: files_under(cloud.data_dir / "uploads"), 10, message="the upload spooling")
    cloud.kill9()
    conn.close()
    assert files_under(cloud.data_dir / "uploads")  # the partial spool, before reconcile
    cloud.start()
    wait_for(lambda: files_under(cloud.data_dir / "uploads") == [], 30,
             message="the partial upload removed at restart")
    assert [i for i in api.ok("GET", "/v1/images")["images"] if i["name"] == "interrupted"] == []
    assert storage_is_clean(cloud) == blobs_before


def test_kill_9_during_a_live_snapshot_and_an_attach_then_restart_converges(cloud, image):
    api = cloud.admin
    a = launch(cloud, image)
    v = attach_new_volume(api, a, "/dev/sdf")
    write(cloud, a, guest_disk(cloud, a, v["id"]), "pre-crash-data")

    # Snapshot, and the daemon dies while the guest is being switched onto the new overlay.
    s = api.ok("POST", "/v1/snapshots", {"volume_id": v["id"]}, expect=(202,))
    time.sleep(0.3)
    cloud.kill9()
    cloud.start()
    snap = wait_for(lambda: (lambda x: x if x["state"] in ("completed", "error") else None)(
        api.ok("GET", f"/v1/snapshots/{s['id']}")), 60, message="the snapshot settled")
    vol = api.ok("GET", f"/v1/volumes/{v['id']}")
    assert vol["state"] == "in-use" and attached(vol), vol
    dev = guest_disk(cloud, a, v["id"])
    assert "pre-crash-data" in read(cloud, a, dev)
    write(cloud, a, dev, "post-crash-data")
    assert "post-crash-data" in read(cloud, a, dev)
    storage_is_clean(cloud)

    # A second volume attached, and the daemon dies before the hot-plug is confirmed.
    w = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, w["id"], lambda x: x["state"] == "available", "available")
    api.ok("POST", f"/v1/volumes/{w['id']}/attach", {"instance_id": a, "device": "/dev/sdg"},
           expect=(202,))
    cloud.kill9()
    cloud.start()
    wait_volume(api, w["id"], attached, "attached after the restart")
    assert guest_disk(cloud, a, w["id"])
    storage_is_clean(cloud)

    api.ok("POST", f"/v1/instances/{a}/terminate", expect=(202,))
    for vid in (v["id"], w["id"]):
        wait_volume(api, vid, lambda x: x["state"] == "available", "released",
                    timeout=VM_STATE_TIMEOUT)
        api.ok("DELETE", f"/v1/volumes/{vid}", expect=(202,))
    assert snap["state"] in ("completed", "error")
    api.ok("DELETE", f"/v1/snapshots/{s['id']}", expect=(202,))
    wait_for(lambda: files_under(cloud.data_dir / "storage") == [], 60,
             message="no blob left on disk")

"""Volumes and snapshots through the native API, on real qcow2 files made by real qemu-img
(sim hosts: no guest needed for the storage side)."""
import json
import subprocess

from conftest import add_sim_hosts, new_tenant, unique, wait_for

GIB = 1 << 30


def storage_files(d):
    root = d.data_dir / "storage"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def qemu_img_info(path):
    out = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def wait_volume(api, vid, state, timeout=20.0):
    return wait_for(lambda: (lambda v: v if v["state"] == state else None)(
        api.ok("GET", f"/v1/volumes/{vid}")), timeout, message=f"{vid} to be {state}")


def wait_snapshot(api, sid, state, timeout=20.0):
    return wait_for(lambda: (lambda s: s if s["state"] == state else None)(
        api.ok("GET", f"/v1/snapshots/{sid}")), timeout, message=f"{sid} to be {state}")


def wait_gone(api, path, timeout=20.0):
    wait_for(lambda: api.request("GET", path).status == 404, timeout, message=f"{path} gone")


def test_volume_lifecycle_leaves_nothing_on_disk(stratod):
    api = stratod.admin
    v = api.ok("POST", "/v1/volumes", {"size": 2, "volume_type": "gp3", "tags": {"k": "v"}},
               expect=(202,))
    assert v["state"] == "creating" and v["size"] == 2 and v["iops"] == 3000
    assert v["throughput"] == 125 and v["attachments"] == [] and v["tags"] == {"k": "v"}
    v = wait_volume(api, v["id"], "available")
    files = storage_files(stratod)
    assert len(files) == 1
    assert qemu_img_info(stratod.data_dir / "storage" / files[0])["virtual-size"] == 2 * GIB
    # Grow.
    api.ok("POST", f"/v1/volumes/{v['id']}/modify", {"size": 10, "iops": 4000}, expect=(202,))
    wait_for(lambda: qemu_img_info(stratod.data_dir / "storage" / files[0])["virtual-size"]
             == 10 * GIB, 20, message="the blob to grow")
    v = api.ok("GET", f"/v1/volumes/{v['id']}")
    assert v["size"] == 10 and v["iops"] == 4000
    listed = [x["id"] for x in api.list_all("/v1/volumes", "volumes")]
    assert v["id"] in listed
    api.ok("DELETE", f"/v1/volumes/{v['id']}", expect=(202,))
    wait_gone(api, f"/v1/volumes/{v['id']}")
    wait_for(lambda: storage_files(stratod) == [], 20, message="the volume's file to go")


def test_snapshot_is_a_frozen_layer_and_volumes_from_it_keep_what_they_need(stratod):
    api = stratod.admin
    v = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], "available")
    original_blob = storage_files(stratod)[0]
    # Write data into the volume's blob, as a guest would.
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k",
                    str(stratod.data_dir / "storage" / original_blob)], check=True,
                   capture_output=True)
    s = api.ok("POST", "/v1/snapshots", {"volume_id": v["id"], "description": "before"},
               expect=(202,))
    assert s["state"] == "pending" and s["volume_size"] == 1
    s = wait_snapshot(api, s["id"], "completed")
    assert s["progress"] == "100%"
    # The volume now writes to an overlay on top of the frozen blob; nothing was copied.
    files = storage_files(stratod)
    assert len(files) == 2
    overlay = [f for f in files if f != original_blob][0]
    info = qemu_img_info(stratod.data_dir / "storage" / overlay)
    assert info["backing-filename"] == original_blob
    assert info["actual-size"] < 1 << 20
    # Write after the snapshot: the snapshot must not see it.
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x77 0 64k",
                    str(stratod.data_dir / "storage" / overlay)], check=True, capture_output=True)
    # A bigger volume from the snapshot sees the point-in-time data.
    c = api.ok("POST", "/v1/volumes", {"snapshot_id": s["id"], "size": 2}, expect=(202,))
    c = wait_volume(api, c["id"], "available")
    assert c["snapshot_id"] == s["id"] and c["size"] == 2
    clone_blob = [f for f in storage_files(stratod) if f not in files][0]
    check = subprocess.run(["qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x5a 0 64k",
                            str(stratod.data_dir / "storage" / clone_blob)],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "verification failed" not in check.stdout, check.stdout
    # Deleting the snapshot and the source volume keeps the frozen blob the clone needs.
    api.ok("DELETE", f"/v1/snapshots/{s['id']}", expect=(202,))
    wait_gone(api, f"/v1/snapshots/{s['id']}")
    api.ok("DELETE", f"/v1/volumes/{v['id']}", expect=(202,))
    wait_gone(api, f"/v1/volumes/{v['id']}")
    wait_for(lambda: storage_files(stratod) == sorted([original_blob, clone_blob]), 20,
             message="only the clone's chain to remain")
    api.ok("DELETE", f"/v1/volumes/{c['id']}", expect=(202,))
    wait_for(lambda: storage_files(stratod) == [], 20, message="everything to go")


def test_attach_detach_rules(stratod):
    api = stratod.admin
    add_sim_hosts(api, 1, vcpus=16, memory_mib=65536)
    i = api.run()[0]
    api.wait_state(i["id"], "running")
    v = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], "available")
    r = api.request("POST", f"/v1/volumes/{v['id']}/attach",
                    {"instance_id": i["id"], "device": "/dev/sda"})
    assert r.status == 400 and r.code == "InvalidParameterValue", r
    v = api.ok("POST", f"/v1/volumes/{v['id']}/attach",
               {"instance_id": i["id"], "device": "/dev/sdf"}, expect=(202,))
    assert v["state"] == "in-use" and v["attachments"][0]["device"] == "/dev/sdf"
    wait_for(lambda: api.ok("GET", f"/v1/volumes/{v['id']}")["attachments"][0]["state"]
             == "attached", 20, message="attached")
    # In use: no second attachment, no delete.
    r = api.request("POST", f"/v1/volumes/{v['id']}/attach",
                    {"instance_id": i["id"], "device": "/dev/sdg"})
    assert r.status == 409 and r.code == "VolumeInUse", r
    r = api.request("DELETE", f"/v1/volumes/{v['id']}")
    assert r.status == 409 and r.code == "VolumeInUse", r
    # The same device twice on one instance is refused.
    w = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, w["id"], "available")
    r = api.request("POST", f"/v1/volumes/{w['id']}/attach",
                    {"instance_id": i["id"], "device": "/dev/sdf"})
    assert r.status == 400 and r.code == "InvalidParameterValue", r
    # A snapshot of an attached volume works.
    s = api.ok("POST", "/v1/snapshots", {"volume_id": v["id"]}, expect=(202,))
    wait_snapshot(api, s["id"], "completed")
    api.ok("POST", f"/v1/volumes/{v['id']}/detach", {}, expect=(202,))
    v = wait_volume(api, v["id"], "available")
    assert v["attachments"] == []
    r = api.request("POST", f"/v1/volumes/{v['id']}/detach", {})
    assert r.status == 409 and r.code == "IncorrectState", r
    # Terminating the instance detaches what is attached to it.
    api.ok("POST", f"/v1/volumes/{w['id']}/attach", {"instance_id": i["id"], "device": "/dev/sdg"},
           expect=(202,))
    api.ok("POST", f"/v1/instances/{i['id']}/terminate", expect=(202,))
    wait_volume(api, w["id"], "available")


def test_bad_input_is_4xx_and_changes_nothing(stratod):
    api = stratod.admin
    cases = [
        ({"size": 0}, 400, "InvalidParameterValue"),
        ({"size": 16385}, 400, "InvalidParameterValue"),
        ({}, 400, "MissingParameter"),
        ({"size": 10, "volume_type": "gp9"}, 400, "InvalidParameterValue"),
        ({"size": 10, "volume_type": "io1"}, 400, "MissingParameter"),
        ({"size": 10, "volume_type": "io1", "iops": 501}, 400, "InvalidParameterValue"),
        ({"size": 10, "volume_type": "gp2", "iops": 3000}, 400, "InvalidParameterValue"),
        ({"size": 100, "volume_type": "st1"}, 400, "InvalidParameterValue"),
        ({"size": 10, "zone": "nowhere-1z"}, 400, "InvalidParameterValue"),
        ({"size": 10, "snapshot_id": "snap-0123456789abcdef0"}, 404, "InvalidSnapshot.NotFound"),
        ({"size": 10, "snapshot_id": "nope"}, 400, None),
        ({"size": "ten"}, 400, "InvalidParameterValue"),
        ({"size": 10, "colour": "red"}, 400, "UnknownParameter"),
    ]
    for body, status, code in cases:
        r = api.request("POST", "/v1/volumes", body)
        assert r.status == status, (body, r)
        if code:
            assert r.code == code, (body, r)
    r = api.request("POST", "/v1/volumes", raw_body=b"{not json")
    assert r.status == 400, r
    for method, path, body, status, code in [
        ("GET", "/v1/volumes/vol-0123456789abcdef0", None, 404, "InvalidVolume.NotFound"),
        ("DELETE", "/v1/volumes/vol-0123456789abcdef0", None, 404, "InvalidVolume.NotFound"),
        ("GET", "/v1/snapshots/snap-0123456789abcdef0", None, 404, "InvalidSnapshot.NotFound"),
        ("POST", "/v1/snapshots", {"volume_id": "vol-0123456789abcdef0"}, 404,
         "InvalidVolume.NotFound"),
        ("POST", "/v1/snapshots", {}, 400, "MissingParameter"),
        ("GET", "/v1/volumes", {"state": "bogus"}, 400, "InvalidParameterValue"),
    ]:
        if method == "GET" and body:
            r = api.request(method, path, query=body)
        else:
            r = api.request(method, path, body)
        assert r.status == status and r.code == code, (path, r)
    v = api.ok("POST", "/v1/volumes", {"size": 5}, expect=(202,))
    wait_volume(api, v["id"], "available")
    for body, code in [({"size": 4}, "InvalidParameterValue"),
                       ({}, "MissingParameter"),
                       ({"volume_type": "io1", "iops": 1000}, "InvalidParameterValue")]:
        r = api.request("POST", f"/v1/volumes/{v['id']}/modify", body)
        assert r.status == 400 and r.code == code, (body, r)
    assert api.ok("GET", f"/v1/volumes/{v['id']}")["size"] == 5
    assert len(storage_files(stratod)) == 1


def test_tenants_see_only_their_own_volumes(stratod):
    api = stratod.admin
    a, b = new_tenant(api), new_tenant(api)
    v = a.api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(a.api, v["id"], "available")
    s = a.api.ok("POST", "/v1/snapshots", {"volume_id": v["id"]}, expect=(202,))
    for method, path in [("GET", f"/v1/volumes/{v['id']}"), ("DELETE", f"/v1/volumes/{v['id']}"),
                         ("GET", f"/v1/snapshots/{s['id']}")]:
        r = b.api.request(method, path)
        assert r.status == 404, r
    r = b.api.request("POST", "/v1/snapshots", {"volume_id": v["id"]})
    assert r.status == 404 and r.code == "InvalidVolume.NotFound", r
    wait_snapshot(a.api, s["id"], "completed")
    r = b.api.request("POST", "/v1/volumes", {"snapshot_id": s["id"]})
    assert r.status == 404 and r.code == "InvalidSnapshot.NotFound", r
    assert b.api.list_all("/v1/volumes", "volumes") == []
    assert b.api.list_all("/v1/snapshots", "snapshots") == []
    # Another tenant's instance is not found either.
    add_sim_hosts(api, 1, vcpus=16, memory_mib=65536)
    i = b.api.run()[0]
    r = a.api.request("POST", f"/v1/volumes/{v['id']}/attach",
                      {"instance_id": i["id"], "device": "/dev/sdf"})
    assert r.status == 404 and r.code == "InvalidInstanceID.NotFound", r


def test_restart_after_kill9_removes_partial_and_unknown_files(stratod):
    api = stratod.admin
    v = api.ok("POST", "/v1/volumes", {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], "available")
    stratod.kill9()
    root = stratod.data_dir / "storage"
    (root / ".tmp-blob-0123456789abcdef0.qcow2").write_bytes(b"partial")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2",
                    str(root / "blob-0123456789abcdef1.qcow2"), "1M"], check=True)
    stratod.start()
    wait_for(lambda: len(storage_files(stratod)) == 1, 20, message="strays removed")
    assert api.ok("GET", f"/v1/volumes/{v['id']}")["state"] == "available"

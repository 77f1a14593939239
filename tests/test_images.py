"""The image repository through the native API and the CLI, on a daemon without guests:
streamed uploads whose format is found from the content (raw, qcow2, bzip2/gzip raw), stored
as qcow2 with a SHA-256, bad uploads refused with nothing left, deregistration, tenancy."""
import gzip
import hashlib
import http.client
import json
import os
import subprocess

import pytest

from conftest import STRATO_CLI, add_sim_hosts, new_tenant, wait_for
from image_support import (bzip2, files_under, make_ext4_image, upload_bytes, upload_file,
                           wait_image)


@pytest.fixture
def disk(tmp_path):
    return make_ext4_image(tmp_path / "disk.img", {"hello.txt": "hello from the repository\n"})


def stored_files(stratod):
    return files_under(stratod.data_dir / "storage")


def only_blob_sha256(stratod):
    [name] = stored_files(stratod)
    return hashlib.sha256((stratod.data_dir / "storage" / name).read_bytes()).hexdigest()


def test_raw_bzip2_gzip_and_qcow2_uploads_are_detected_and_stored_as_qcow2(stratod, disk,
                                                                          tmp_path):
    api = stratod.admin
    gz = tmp_path / "disk.img.gz"
    gz.write_bytes(gzip.compress(disk.read_bytes()))
    qcow = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(disk), str(qcow)],
                   check=True)
    # Names never decide the format: the bzip2 file goes up under a misleading name.
    cases = [(disk, "raw", "none"), (bzip2(disk), "raw", "bzip2"), (gz, "raw", "gzip"),
             (qcow, "qcow2", "none")]
    for path, fmt, compression in cases:
        r = upload_file(api, path, f"img-{path.name.replace('.', '-')}.qcow2")
        assert r.status == 202, r
        assert r.json["state"] == "pending" and r.json["disk"]["source_format"] == fmt, r
        assert r.json["disk"]["compression"] == compression, r
        image = wait_image(api, r.json["id"])
        assert image["disk"]["virtual_size"] == 16 << 20, image
        assert len(image["disk"]["sha256"]) == 64
        assert image["disk"]["uploaded_bytes"] == os.path.getsize(path)
        assert only_blob_sha256(stratod) == image["disk"]["sha256"]
        assert api.ok("DELETE", f"/v1/images/{image['id']}") == {
            "image_id": image["id"], "data_deleted": True, "dependents": []}
        wait_for(lambda: not stored_files(stratod), 30, message="the image's blob deleted")
    assert files_under(stratod.data_dir / "uploads") == []


def test_corrupt_and_truncated_uploads_are_refused_and_leave_nothing(stratod, disk, tmp_path):
    api = stratod.admin
    compressed = bzip2(disk).read_bytes()
    qcow = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(disk), str(qcow)],
                   check=True)
    qcow_bytes = qcow.read_bytes()
    corrupt_bz2 = compressed[:200] + bytes(b ^ 0x5A for b in compressed[200:400]) + compressed[400:]
    bad = {
        "truncated-bzip2": compressed[: len(compressed) // 2],
        "corrupt-bzip2": corrupt_bz2,
        "truncated-gzip": gzip.compress(disk.read_bytes())[:5000],
        "truncated-qcow2": qcow_bytes[: len(qcow_bytes) // 3],
        "empty": b"",
    }
    for name, data in bad.items():
        r = upload_bytes(api, data, name)
        assert r.status == 400 and r.code == "InvalidParameterValue", (name, r)
    assert [i for i in api.ok("GET", "/v1/images")["images"] if i["name"] in bad] == []
    assert files_under(stratod.data_dir / "uploads") == []
    assert stored_files(stratod) == []


def test_a_body_that_ends_early_is_refused_and_leaves_nothing(stratod, disk):
    api = stratod.admin
    target = "/v1/images?name=cut"
    headers = api.signed_headers("POST", target, b"", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    headers["Content-Length"] = str(disk.stat().st_size)
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    conn.putrequest("POST", target, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    conn.send(disk.read_bytes()[: 1 << 20])
    conn.close()  # the client goes away mid-body
    wait_for(lambda: files_under(stratod.data_dir / "uploads") == [], 10,
             message="the partial upload removed")
    assert [i for i in api.ok("GET", "/v1/images")["images"] if i["name"] == "cut"] == []
    assert stored_files(stratod) == []


def test_a_signed_body_that_does_not_match_its_hash_is_refused(stratod, disk):
    api = stratod.admin
    data = disk.read_bytes()
    r = upload_bytes(api, data, "forged")
    assert r.status == 202, r  # the same body, signed as it is, goes through
    r = api.request("POST", "/v1/images", raw_body=data, query={"name": "forged"},
                    headers={"X-Amz-Content-SHA256": hashlib.sha256(b"other").hexdigest()})
    assert r.status in (400, 403), r
    assert [i["name"] for i in api.ok("GET", "/v1/images")["images"]].count("forged") == 1
    wait_for(lambda: files_under(stratod.data_dir / "uploads") == [], 30,
             message="the accepted upload converted and its spool removed")


def test_images_are_private_to_their_tenant(stratod, disk):
    owner, other = new_tenant(stratod.admin), new_tenant(stratod.admin)
    r = upload_file(owner.api, disk, "private")
    assert r.status == 202, r
    iid = r.json["id"]
    assert other.api.request("GET", f"/v1/images/{iid}").code == "InvalidAMIID.NotFound"
    assert other.api.request("DELETE", f"/v1/images/{iid}").code == "InvalidAMIID.NotFound"
    r = other.api.request("POST", "/v1/instances", {"image_id": iid, "instance_type": "t3.nano"})
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r
    wait_image(owner.api, iid)


def test_the_record_only_image_route_still_takes_json(stratod):
    image = stratod.admin.ok("POST", "/v1/images", {"name": "record"}, expect=(201,))
    assert image["state"] == "available" and "disk" not in image


def test_cli_uploads_lists_shows_and_deletes(stratod, disk):
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip(f"the strato CLI is not built at {STRATO_CLI}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    env["STRATO_CREDENTIALS_FILE"] = str(stratod.data_dir / "credentials")
    env["HOME"] = str(stratod.root)

    def cli(*args):
        p = subprocess.run([STRATO_CLI, "-o", "json", *args], env=env, capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p.stdout

    image = json.loads(cli("image", "upload", str(bzip2(disk)), "--name", "from-cli"))
    assert image["disk"]["compression"] == "bzip2"
    wait_image(stratod.admin, image["id"])
    listed = json.loads(cli("image", "list"))["images"]
    assert image["id"] in {i["id"] for i in listed}
    shown = json.loads(cli("image", "show", image["id"]))
    assert shown["state"] == "available" and len(shown["disk"]["sha256"]) == 64
    cli("image", "delete", image["id"])
    wait_for(lambda: not stored_files(stratod), 30, message="the image's blob deleted")


def test_a_launch_whose_root_volume_cannot_be_made_ends_terminated(stratod, disk):
    """As EC2 ends a launch whose volume cannot be made: the instance goes to terminated with
    Server.InternalError and the reason, instead of waiting in pending holding its host's
    capacity, and its root volume goes with it."""
    api = stratod.admin
    [host] = add_sim_hosts(api, 1, vcpus=4, memory_mib=4096, cpu_ratio=1.0)
    r = upload_file(api, disk, "lost")
    assert r.status == 202, r
    image = wait_image(api, r.json["id"])
    [name] = stored_files(stratod)
    (stratod.data_dir / "storage" / name).unlink()  # its data lost behind Strato's back
    [inst] = api.run(image_id=image["id"], instance_type="t3.micro")
    ended = api.wait_state(inst["id"], "terminated", timeout=30)
    reason = ended["state_reason"]
    assert reason.startswith("Server.InternalError: Internal error on launch: the volume "), reason
    assert "could not be made" in reason and "does not exist" in reason, reason
    assert ended["host_id"] is None and ended["private_ip"] is None, ended
    h = api.ok("GET", f"/v1/hosts/{host}")
    assert (h["allocated_memory_mib"], h["instance_count"]) == (0, 0), h
    wait_for(lambda: not api.ok("GET", "/v1/volumes")["volumes"], 30,
             message="the failed root volume deleted with its instance")
    # The host's capacity serves the next launch (of an image whose data is there).
    [other] = api.run(instance_type="t3.micro")
    api.wait_state(other["id"], "running", timeout=30)

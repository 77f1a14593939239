"""Image launch permissions between tenants, through the native API, the strato CLI and the
EC2 Query API (the real aws CLI): private images are invisible and unlaunchable to others,
shared ones usable by the tenants they are shared with, public ones by everyone; only the
owner changes them; deregistering keeps what other tenants' instances read. Also: an
instance-store root device is not a volume (and DescribeInstances says rootDeviceType
instance-store). Sim hosts only, no guests."""
import json
import os
import sqlite3
import subprocess

import pytest

from conftest import STRATO_CLI, add_sim_hosts, new_tenant, wait_for
from ec2_support import cli_for
from image_support import files_under, make_ext4_image, upload_file, wait_image


def record_image(api, name="shared-record"):
    """An image without a disk (boots the default guest): enough to launch on a sim host."""
    return api.ok("POST", "/v1/images", {"name": name}, expect=(201,))["id"]


def permissions_path(image_id):
    return f"/v1/images/{image_id}/launch-permission"


def listed(api, image_id):
    return [i for i in api.ok("GET", "/v1/images")["images"] if i["id"] == image_id]


def launch(api, image_id, **extra):
    return api.request("POST", "/v1/instances",
                       {"image_id": image_id, "instance_type": "t3.nano", **extra})


def assert_invisible(tenant, image_id):
    api = tenant.api
    assert listed(api, image_id) == []
    r = api.request("GET", f"/v1/images/{image_id}")
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r
    r = launch(api, image_id)
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r
    for method, body in (("GET", None), ("PATCH", {"add": [tenant.id]})):
        r = api.request(method, permissions_path(image_id), body)
        assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r
    r = api.request("DELETE", f"/v1/images/{image_id}")
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r


def test_a_private_image_is_invisible_and_unlaunchable_to_another_tenant(shared_stratod):
    a, b = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    image_id = record_image(a.api)
    assert a.api.ok("GET", f"/v1/images/{image_id}")["shared"] is False
    assert_invisible(b, image_id)
    aws = cli_for(shared_stratod.endpoint, b)
    aws.fails("InvalidAMIID.NotFound", "ec2", "describe-images", "--image-ids", image_id)
    aws.fails("InvalidAMIID.NotFound", "ec2", "run-instances", "--image-id", image_id,
              "--instance-type", "t3.nano")
    assert image_id not in str(aws.ok("ec2", "describe-images"))


def test_sharing_lets_a_tenant_list_show_and_launch_until_it_is_unshared(shared_stratod):
    admin = shared_stratod.admin
    a, b, c = new_tenant(admin), new_tenant(admin), new_tenant(admin)
    image_id = record_image(a.api)
    out = a.api.ok("PATCH", permissions_path(image_id), {"add": [b.id]})
    assert out == {"image_id": image_id, "public": False, "tenants": [b.id]}, out
    assert a.api.ok("GET", permissions_path(image_id)) == out
    [seen] = listed(b.api, image_id)
    assert seen["tenant_id"] == a.id and seen["shared"] is True and seen["public"] is False
    assert b.api.ok("GET", f"/v1/images/{image_id}")["id"] == image_id
    assert a.api.ok("GET", f"/v1/images/{image_id}")["shared"] is True
    r = launch(b.api, image_id)
    assert r.status == 202, r
    iid = r.json["instances"][0]["id"]
    b.api.wait_state(iid, "running")
    # B may use the image, not change it, read its grants or deregister it.
    for method, path, body in (("GET", permissions_path(image_id), None),
                               ("PATCH", permissions_path(image_id), {"add": [c.id]}),
                               ("PATCH", permissions_path(image_id), {"remove": [b.id]}),
                               ("DELETE", f"/v1/images/{image_id}", None)):
        r = b.api.request(method, path, body)
        assert r.status == 403 and r.code == "UnauthorizedOperation", (method, path, r)
        assert "owner" in r.message, r
    assert_invisible(c, image_id)
    out = a.api.ok("PATCH", permissions_path(image_id), {"remove": [b.id]})
    assert out["tenants"] == [], out
    assert_invisible(b, image_id)
    # What B launched while it could keeps running.
    assert b.api.instance(iid)["state"] == "running"
    b.api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))


def test_a_public_image_is_for_every_tenant_until_made_private(shared_stratod):
    a, c = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    image_id = record_image(a.api)
    out = a.api.ok("PATCH", permissions_path(image_id), {"public": True})
    assert out == {"image_id": image_id, "public": True, "tenants": []}, out
    [seen] = listed(c.api, image_id)
    assert seen["public"] is True and seen["shared"] is False
    r = launch(c.api, image_id)
    assert r.status == 202, r
    c.api.ok("POST", f"/v1/instances/{r.json['instances'][0]['id']}/terminate", expect=(202,))
    r = c.api.request("PATCH", permissions_path(image_id), {"public": False})
    assert r.status == 403 and r.code == "UnauthorizedOperation", r
    a.api.ok("PATCH", permissions_path(image_id), {"public": False})
    assert_invisible(c, image_id)


def test_bad_permission_changes_are_refused_and_change_nothing(shared_stratod):
    a, b = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    image_id = record_image(a.api)
    path = permissions_path(image_id)
    cases = [
        ({"add": [b.id, "t-00000000000000000"]}, "InvalidParameterValue"),
        ({"add": ["no-such-tenant"], "public": True}, "InvalidParameterValue"),
        ({"add": b.id}, "InvalidParameterValue"),
        ({"add": [7]}, "InvalidParameterValue"),
        ({"public": "yes"}, "InvalidParameterValue"),
        ({"add": [b.id], "remove": [b.id]}, "InvalidParameterCombination"),
        ({"grant": [b.id]}, "UnknownParameter"),
        ({}, "MissingParameter"),
    ]
    for body, code in cases:
        r = a.api.request("PATCH", path, body)
        assert r.status == 400 and r.code == code, (body, r)
    r = a.api.request("PATCH", path, raw_body=b"{not json")
    assert r.status == 400, r
    r = a.api.request("PATCH", permissions_path("ami-bad"), {"public": True})
    assert r.status == 400 and r.code == "InvalidAMIID.Malformed", r
    assert a.api.ok("GET", path) == {"image_id": image_id, "public": False, "tenants": []}
    assert_invisible(b, image_id)
    # Sharing with yourself changes nothing; revoking what was never granted neither.
    assert a.api.ok("PATCH", path, {"add": [a.id], "remove": [b.id]})["tenants"] == []


def test_the_cli_shares_unshares_and_makes_public(shared_stratod, tmp_path):
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip(f"the strato CLI is not built at {STRATO_CLI}")
    a, b = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    image_id = record_image(a.api)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    env.update({"HOME": str(tmp_path), "STRATO_ENDPOINT": shared_stratod.endpoint,
                "AWS_ACCESS_KEY_ID": a.api.access_key_id,
                "AWS_SECRET_ACCESS_KEY": a.api.secret_access_key})

    def cli(*args):
        p = subprocess.run([STRATO_CLI, "-o", "json", *args], env=env, capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert p.returncode == 0, (args, p.stdout, p.stderr)
        return json.loads(p.stdout)

    assert cli("image", "share", image_id, "--tenant", b.id)["tenants"] == [b.id]
    assert listed(b.api, image_id)
    assert cli("image", "permissions", image_id) == {"image_id": image_id, "public": False,
                                                     "tenants": [b.id]}
    assert cli("image", "unshare", image_id, "--tenant", b.id)["tenants"] == []
    assert not listed(b.api, image_id)
    assert cli("image", "set-public", image_id, "true")["public"] is True
    assert listed(b.api, image_id)
    assert cli("image", "set-public", image_id, "false")["public"] is False
    assert not listed(b.api, image_id)
    described = cli("image", "set-description", image_id, "from the CLI")
    assert (described["id"], described["description"]) == (image_id, "from the CLI"), described


def test_the_aws_cli_modifies_describes_and_resets_the_launch_permission(shared_stratod):
    a, b = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    aws_a = cli_for(shared_stratod.endpoint, a)
    aws_b = cli_for(shared_stratod.endpoint, b)
    image_id = aws_a.ok("ec2", "register-image", "--name", "shared-by-ec2",
                        "--description", "for b")["ImageId"]
    [mine] = aws_a.ok("ec2", "describe-images", "--image-ids", image_id)["Images"]
    assert mine["OwnerId"] == a.id and mine["Public"] is False, mine

    def permissions():
        out = aws_a.ok("ec2", "describe-image-attribute", "--image-id", image_id,
                       "--attribute", "launchPermission")
        assert out["ImageId"] == image_id, out
        return out["LaunchPermissions"]

    assert permissions() == []
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--launch-permission", f"Add=[{{UserId={b.id}}}]")
    assert permissions() == [{"UserId": b.id}]
    [seen] = aws_b.ok("ec2", "describe-images", "--image-ids", image_id)["Images"]
    assert seen["OwnerId"] == a.id and seen["Public"] is False, seen
    shared = aws_b.ok("ec2", "describe-images", "--executable-users", "self")["Images"]
    assert [i["ImageId"] for i in shared] == [image_id], shared
    assert aws_b.ok("ec2", "describe-images", "--owners", "self")["Images"] == []
    by_owner = aws_b.ok("ec2", "describe-images", "--owners", a.id)["Images"]
    assert [i["ImageId"] for i in by_owner] == [image_id], by_owner
    mine_for_b = aws_a.ok("ec2", "describe-images", "--executable-users", b.id)["Images"]
    assert [i["ImageId"] for i in mine_for_b] == [image_id], mine_for_b
    described = aws_b.ok("ec2", "describe-image-attribute", "--image-id", image_id,
                         "--attribute", "description")
    assert described["Description"] == {"Value": "for b"}, described
    [inst] = aws_b.ok("ec2", "run-instances", "--image-id", image_id,
                      "--instance-type", "t3.nano")["Instances"]
    aws_b.ok("ec2", "terminate-instances", "--instance-ids", inst["InstanceId"])
    # B sees the image, but only its owner changes or reads the permission.
    aws_b.fails("UnauthorizedOperation", "ec2", "modify-image-attribute", "--image-id", image_id,
                "--launch-permission", "Add=[{Group=all}]")
    aws_b.fails("UnauthorizedOperation", "ec2", "describe-image-attribute", "--image-id",
                image_id, "--attribute", "launchPermission")
    aws_b.fails("UnauthorizedOperation", "ec2", "reset-image-attribute", "--image-id", image_id,
                "--attribute", "launchPermission")
    aws_b.fails("UnauthorizedOperation", "ec2", "deregister-image", "--image-id", image_id)

    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--launch-permission", "Add=[{Group=all}]")
    assert permissions() == [{"Group": "all"}, {"UserId": b.id}]
    [public] = aws_b.ok("ec2", "describe-images", "--image-ids", image_id)["Images"]
    assert public["Public"] is True, public
    public_ids = [i["ImageId"] for i in
                  aws_b.ok("ec2", "describe-images", "--executable-users", "all")["Images"]]
    assert image_id in public_ids
    # The older form: OperationType with UserId.N / UserGroup.N.
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--attribute", "launchPermission", "--operation-type", "remove",
             "--user-groups", "all")
    assert permissions() == [{"UserId": b.id}]
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--attribute", "launchPermission", "--operation-type", "remove",
             "--user-ids", b.id)
    assert permissions() == []
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--attribute", "launchPermission", "--operation-type", "add",
             "--user-ids", b.id, "--user-groups", "all")
    assert permissions() == [{"Group": "all"}, {"UserId": b.id}]
    aws_a.ok("ec2", "reset-image-attribute", "--image-id", image_id,
             "--attribute", "launchPermission")
    assert permissions() == []
    aws_b.fails("InvalidAMIID.NotFound", "ec2", "describe-images", "--image-ids", image_id)
    aws_b.fails("InvalidAMIID.NotFound", "ec2", "modify-image-attribute", "--image-id", image_id,
                "--launch-permission", "Add=[{Group=all}]")
    # Refused: an unknown tenant, a group other than all, both forms at once, nothing.
    aws_a.fails("InvalidParameterValue", "ec2", "modify-image-attribute", "--image-id", image_id,
                "--launch-permission", "Add=[{UserId=t-00000000000000000}]")
    aws_a.fails("InvalidParameterValue", "ec2", "modify-image-attribute", "--image-id", image_id,
                "--launch-permission", "Add=[{Group=friends}]")
    aws_a.fails("InvalidParameterCombination", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--launch-permission", "Add=[{Group=all}]", "--operation-type", "add",
                "--user-ids", b.id)
    aws_a.fails("MissingParameter", "ec2", "modify-image-attribute", "--image-id", image_id)
    aws_a.fails("InvalidParameterValue", "ec2", "reset-image-attribute", "--image-id", image_id,
                "--attribute", "kernel")
    assert permissions() == []


@pytest.fixture
def disk_cloud(stratod, tmp_path):
    """A daemon of its own (its storage directory is checked), a sim host, and an uploaded
    disk image of tenant A shared with tenant B."""
    add_sim_hosts(stratod.admin, 1, vcpus=16, memory_mib=1 << 16)
    a, b = new_tenant(stratod.admin), new_tenant(stratod.admin)
    disk = make_ext4_image(tmp_path / "disk.img", {"hello.txt": "shared\n"})
    r = upload_file(a.api, disk, "shared-disk")
    assert r.status == 202, r
    image_id = wait_image(a.api, r.json["id"])["id"]
    a.api.ok("PATCH", permissions_path(image_id), {"add": [b.id]})
    return stratod, a, b, image_id


def roots_of(api, iid):
    return [v for v in api.ok("GET", "/v1/volumes")["volumes"]
            if v["attachments"] and v["attachments"][0]["instance_id"] == iid]


def test_another_tenants_instance_keeps_its_root_after_the_owner_deregisters(disk_cloud):
    stratod, a, b, image_id = disk_cloud
    r = launch(b.api, image_id)
    assert r.status == 202, r
    iid = r.json["instances"][0]["id"]
    b.api.wait_state(iid, "running", timeout=30)
    [root] = roots_of(b.api, iid)
    [reservation] = cli_for(stratod.endpoint, b).ok(
        "ec2", "describe-instances", "--instance-ids", iid)["Reservations"]
    [inst] = reservation["Instances"]
    assert (inst["RootDeviceType"], inst["RootDeviceName"]) == ("ebs", "/dev/vda"), inst
    assert [m["Ebs"]["VolumeId"] for m in inst["BlockDeviceMappings"]] == [root["id"]], inst
    assert b.api.ok("GET", f"/v1/instances/{iid}")["root_device_type"] == "ebs"
    out = a.api.ok("DELETE", f"/v1/images/{image_id}")
    # The disk stays for B's root volume, which is not A's to know of.
    assert out == {"image_id": image_id, "data_deleted": False, "dependents": []}, out
    assert_invisible(b, image_id)
    b.api.ok("POST", f"/v1/instances/{iid}/stop", expect=(202,))
    b.api.wait_state(iid, "stopped", timeout=30)
    b.api.ok("POST", f"/v1/instances/{iid}/start", expect=(202,))
    b.api.wait_state(iid, "running", timeout=30)
    assert [v["id"] for v in roots_of(b.api, iid)] == [root["id"]]
    assert b.api.ok("GET", f"/v1/volumes/{root['id']}")["state"] == "in-use"
    # With the last reader gone, the image's disk goes too.
    b.api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    wait_for(lambda: files_under(stratod.data_dir / "storage") == [], 60,
             message="the image's disk and the root deleted")


def instance_store_root_id(stratod, iid):
    """The root device's volume id, which no API shows any more: from the store itself."""
    db = sqlite3.connect(f"file:{stratod.data_dir / 'strato.db'}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute("SELECT volume_id FROM root_volumes WHERE instance_id = ? AND "
                          "instance_store = 1", (iid,)).fetchall()
    finally:
        db.close()
    assert len(rows) == 1, rows
    return rows[0][0]


def test_an_instance_store_root_is_not_a_volume(disk_cloud):
    stratod, a, b, image_id = disk_cloud
    r = launch(b.api, image_id, root_device_type="instance-store")
    assert r.status == 202, r
    iid = r.json["instances"][0]["id"]
    b.api.wait_state(iid, "running", timeout=30)
    vid = instance_store_root_id(stratod, iid)
    assert roots_of(b.api, iid) == []
    for method, path, body in (("GET", f"/v1/volumes/{vid}", None),
                               ("DELETE", f"/v1/volumes/{vid}", None),
                               ("POST", f"/v1/volumes/{vid}/detach", {}),
                               ("POST", f"/v1/volumes/{vid}/attach",
                                {"instance_id": iid, "device": "/dev/sdf"}),
                               ("POST", f"/v1/volumes/{vid}/modify", {"size": 4}),
                               ("POST", "/v1/snapshots", {"volume_id": vid})):
        r = b.api.request(method, path, body)
        assert r.status == 404 and r.code == "InvalidVolume.NotFound", (method, path, r)
    aws = cli_for(stratod.endpoint, b)
    # The instance says so: an instance-store root, and no EBS volume mapped.
    [reservation] = aws.ok("ec2", "describe-instances", "--instance-ids", iid)["Reservations"]
    [inst] = reservation["Instances"]
    assert (inst["RootDeviceType"], inst["RootDeviceName"]) == ("instance-store", "/dev/vda"), inst
    assert inst["BlockDeviceMappings"] == [], inst
    assert b.api.ok("GET", f"/v1/instances/{iid}")["root_device_type"] == "instance-store"
    assert aws.ok("ec2", "describe-volumes")["Volumes"] == []
    aws.fails("InvalidVolume.NotFound", "ec2", "describe-volumes", "--volume-ids", vid)
    aws.fails("InvalidVolume.NotFound", "ec2", "create-snapshot", "--volume-id", vid)
    aws.fails("InvalidVolume.NotFound", "ec2", "delete-volume", "--volume-id", vid)
    aws.fails("InvalidVolume.NotFound", "ec2", "detach-volume", "--volume-id", vid)
    # The instance itself works on: it reboots, and its root goes when it is terminated.
    b.api.ok("POST", f"/v1/instances/{iid}/reboot", expect=(202,))
    b.api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    b.api.wait_state(iid, "terminated", timeout=30)
    a.api.ok("DELETE", f"/v1/images/{image_id}")
    wait_for(lambda: files_under(stratod.data_dir / "storage") == [], 60,
             message="the instance-store root deleted with its instance")

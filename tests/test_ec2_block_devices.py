"""Volumes mapped at launch: RunInstances' BlockDeviceMapping with the real aws CLI v2 and the
native API's "block_devices". Each instance gets its own new volumes, attached at their
devices before the guest boots, each attachment with its DeleteOnTermination (shown by
DescribeVolumes and DescribeInstances); terminate deletes the ones that say so and leaves the
others available; a bad mapping is refused before anything is made. On sim hosts for the
rules, and on real guests (QEMU, TCG) to find the disks, with their sizes, in the guest."""
import re

from conftest import BOOT_TIMEOUT, VM_STATE_TIMEOUT, add_sim_hosts, default_image_id, wait_for
from ec2_support import cli_for
from image_support import files_under, make_ext4_image

HELLO = "hello from a mapped volume"
GiB = 1 << 30


def run(aws, image, *mappings, count=1, itype="t3.nano", extra=()):
    return aws.ok("ec2", "run-instances", "--image-id", image, "--instance-type", itype,
                  "--count", str(count), *extra, "--block-device-mappings",
                  *mappings)["Instances"]


def describe(aws, iid):
    return aws.ok("ec2", "describe-instances", "--instance-ids", iid)[
        "Reservations"][0]["Instances"][0]


def wait_state(aws, iid, state, timeout=VM_STATE_TIMEOUT):
    return wait_for(lambda: (lambda i: i if i["State"]["Name"] == state else None)(
        describe(aws, iid)), timeout, interval=0.25, message=f"{iid} {state}")


def volumes_of(aws, iid):
    """The instance's volumes by device, from DescribeVolumes."""
    vols = aws.ok("ec2", "describe-volumes", "--filters",
                  f"Name=attachment.instance-id,Values={iid}")["Volumes"]
    return {v["Attachments"][0]["Device"]: v for v in vols}


def volume_gone(aws, vid):
    rc, _, err = aws.run("ec2", "describe-volumes", "--volume-ids", vid)
    return rc != 0 and "(InvalidVolume.NotFound)" in err


def volume_state(aws, vid):
    return aws.ok("ec2", "describe-volumes", "--volume-ids", vid)["Volumes"][0]["State"]


def wait_snapshot(aws, snap):
    wait_for(lambda: aws.ok("ec2", "describe-snapshots", "--snapshot-ids", snap)["Snapshots"][0][
        "State"] == "completed", 60, interval=0.5, message=f"{snap} completed")


def sim_cloud(stratod):
    add_sim_hosts(stratod.admin, 1, vcpus=64, memory_mib=1 << 18)
    return cli_for(stratod.endpoint, stratod.admin), default_image_id(stratod.admin)


def test_mapped_volumes_are_made_per_instance_and_follow_delete_on_termination(stratod):
    aws, image = sim_cloud(stratod)
    # A completed snapshot of a 3 GiB volume to map one volume from.
    src = aws.ok("ec2", "create-volume", "--size", "3", "--availability-zone",
                 "strato-1a")["VolumeId"]
    wait_for(lambda: volume_state(aws, src) == "available", 30, message="source available")
    snap = aws.ok("ec2", "create-snapshot", "--volume-id", src)["SnapshotId"]
    wait_snapshot(aws, snap)

    launched = run(aws, image,
                   "DeviceName=/dev/sdf,Ebs={VolumeSize=2,VolumeType=gp3,DeleteOnTermination=true}",
                   "DeviceName=/dev/sdg,Ebs={VolumeSize=4,VolumeType=io1,Iops=200,"
                   "DeleteOnTermination=false}",
                   f"DeviceName=/dev/sdh,Ebs={{SnapshotId={snap}}}", count=2,
                   extra=["--tag-specifications",
                          "ResourceType=volume,Tags=[{Key=app,Value=db}]"])
    ids = [i["InstanceId"] for i in launched]
    assert len(ids) == 2
    # RunInstances already lists what it mapped.
    assert [m["DeviceName"] for m in launched[0]["BlockDeviceMappings"]] == [
        "/dev/sdf", "/dev/sdg", "/dev/sdh"], launched[0]
    seen = set()
    for iid in ids:
        wait_state(aws, iid, "running")
        vols = volumes_of(aws, iid)
        assert sorted(vols) == ["/dev/sdf", "/dev/sdg", "/dev/sdh"], vols
        expect = {"/dev/sdf": (2, "gp3", True), "/dev/sdg": (4, "io1", False),
                  "/dev/sdh": (3, "gp2", True)}
        for device, (size, vtype, dot) in expect.items():
            v = vols[device]
            assert (v["Size"], v["VolumeType"], v["State"]) == (size, vtype, "in-use"), v
            [a] = v["Attachments"]
            assert (a["InstanceId"], a["State"], a["DeleteOnTermination"]) == (iid, "attached",
                                                                               dot), v
            assert v["AvailabilityZone"] == describe(aws, iid)["Placement"]["AvailabilityZone"]
            seen.add(v["VolumeId"])
        assert vols["/dev/sdg"]["Iops"] == 200
        assert all(v["Tags"] == [{"Key": "app", "Value": "db"}] for v in vols.values()), vols
        assert vols["/dev/sdh"]["SnapshotId"] == snap
        mappings = {m["DeviceName"]: m["Ebs"] for m in describe(aws, iid)["BlockDeviceMappings"]}
        assert sorted(mappings) == sorted(expect), mappings
        for device, ebs in mappings.items():
            assert ebs["VolumeId"] == vols[device]["VolumeId"], (device, ebs)
            assert ebs["Status"] == "attached" and ebs["AttachTime"], ebs
            assert ebs["DeleteOnTermination"] is expect[device][2], (device, ebs)
    assert len(seen) == 6, "each instance has volumes of its own"
    kept = aws.ok("ec2", "describe-volumes", "--filters",
                  "Name=attachment.delete-on-termination,Values=false")["Volumes"]
    assert sorted(v["Attachments"][0]["InstanceId"] for v in kept) == sorted(ids), kept

    by_device = [volumes_of(aws, iid) for iid in ids]
    gone = {v["VolumeId"] for vols in by_device for d, v in vols.items() if d != "/dev/sdg"}
    stay = {vols["/dev/sdg"]["VolumeId"] for vols in by_device}
    aws.ok("ec2", "terminate-instances", "--instance-ids", *ids)
    for iid in ids:
        wait_state(aws, iid, "terminated")
    wait_for(lambda: all(volume_gone(aws, v) for v in gone), 30,
             message="the delete-on-termination volumes deleted")
    for vid in stay:
        wait_for(lambda: volume_state(aws, vid) == "available", 30, message=f"{vid} released")
        v = aws.ok("ec2", "describe-volumes", "--volume-ids", vid)["Volumes"][0]
        assert v["Attachments"] == [] and v["Size"] == 4, v
        aws.ok("ec2", "delete-volume", "--volume-id", vid)
    aws.ok("ec2", "delete-snapshot", "--snapshot-id", snap)
    aws.ok("ec2", "delete-volume", "--volume-id", src)
    wait_for(lambda: files_under(stratod.data_dir / "storage") == [], 30,
             message="no volume file left")


def test_bad_mappings_are_refused_and_create_nothing(stratod):
    aws, image = sim_cloud(stratod)
    many = [f"DeviceName=/dev/sd{c},Ebs={{VolumeSize=1}}" for c in "fghijklm"]
    cases = [
        ("InvalidBlockDeviceMapping", ["DeviceName=/dev/sdz,Ebs={VolumeSize=1}"]),
        ("InvalidBlockDeviceMapping", ["DeviceName=/dev/sdf,Ebs={VolumeSize=1}",
                                       "DeviceName=/dev/sdf,Ebs={VolumeSize=2}"]),
        ("InvalidBlockDeviceMapping", ["DeviceName=/dev/sdf,Ebs={VolumeType=gp3}"]),
        ("InvalidParameterValue", ["DeviceName=/dev/sdf,Ebs={VolumeSize=1,VolumeType=gp9}"]),
        ("InvalidParameterValue", ["DeviceName=/dev/sdf,Ebs={VolumeSize=2,VolumeType=st1}"]),
        ("InvalidParameterValue", ["DeviceName=/dev/sdf,Ebs={VolumeSize=1,VolumeType=gp2,"
                                   "Iops=3000}"]),
        ("MissingParameter", ["DeviceName=/dev/sdf,Ebs={VolumeSize=10,VolumeType=io1}"]),
        ("Unsupported", ["DeviceName=/dev/sdf,Ebs={VolumeSize=1,Encrypted=true}"]),
        ("Unsupported", ["DeviceName=/dev/sdb,VirtualName=ephemeral0"]),
        ("InvalidSnapshot.NotFound", ["DeviceName=/dev/sdf,Ebs={VolumeSize=1}",
                                      "DeviceName=/dev/sdg,Ebs={SnapshotId=snap-0000000000000000f}"]),
        ("AttachmentLimitExceeded", many),
        # The default guest has no disk: there is no root volume to size.
        ("InvalidParameterValue", ["DeviceName=/dev/vda,Ebs={VolumeSize=4}"]),
    ]
    for code, mappings in cases:
        aws.fails(code, "ec2", "run-instances", "--image-id", image, "--instance-type", "t3.nano",
                  "--count", "2", "--block-device-mappings", *mappings)
    aws.fails("Unsupported", "ec2", "run-instances", "--image-id", image, "--instance-type",
              "mv1.nano", "--block-device-mappings", "DeviceName=/dev/sdf,Ebs={VolumeSize=1}")
    assert aws.ok("ec2", "describe-instances")["Reservations"] == []
    assert aws.ok("ec2", "describe-volumes")["Volumes"] == []
    # NoDevice on a data device suppresses nothing (images map none): a plain launch.
    [inst] = run(aws, image, '[{"DeviceName": "/dev/sdf", "NoDevice": ""}]')
    assert inst["BlockDeviceMappings"] == [], inst
    assert aws.ok("ec2", "describe-volumes")["Volumes"] == []


def test_native_block_devices_and_their_errors(stratod):
    api = stratod.admin
    add_sim_hosts(api, 1, vcpus=64, memory_mib=1 << 18)
    [inst] = api.run(instance_type="t3.nano", block_devices=[
        {"device": "/dev/sdf", "size_gib": 10, "volume_type": "gp3", "iops": 4000,
         "throughput_mibps": 200},
        {"device": "/dev/vdc", "size_gib": 1, "delete_on_termination": False}],
        volume_tags={"team": "storage"})
    iid = inst["id"]
    assert [(d["device"], d["state"], d["delete_on_termination"])
            for d in inst["block_devices"]] == [("/dev/sdf", "attached", True),
                                                ("/dev/vdc", "attached", False)], inst
    api.wait_state(iid, "running", timeout=30)
    devices = {d["device"]: d for d in api.instance(iid)["block_devices"]}
    f = api.ok("GET", f"/v1/volumes/{devices['/dev/sdf']['volume_id']}")
    assert (f["size"], f["volume_type"], f["iops"], f["throughput"], f["state"]) == (
        10, "gp3", 4000, 200, "in-use"), f
    assert f["attachments"][0]["delete_on_termination"] is True, f
    assert f["tags"] == {"team": "storage"}, f
    c = api.ok("GET", f"/v1/volumes/{devices['/dev/vdc']['volume_id']}")
    assert (c["size"], c["volume_type"]) == (1, "gp2") and \
        c["attachments"][0]["delete_on_termination"] is False, c

    for body, status, code in [
        ([{"device": "/dev/sdf"}], 400, "InvalidBlockDeviceMapping"),
        ([{"device": "/dev/hda", "size_gib": 1}], 400, "InvalidBlockDeviceMapping"),
        ([{"device": "/dev/sdf", "size_gib": 1}, {"device": "/dev/sdf", "size_gib": 1}], 400,
         "InvalidBlockDeviceMapping"),
        ([{"device": "/dev/sdf", "size_gib": 1, "volume_type": "io1"}], 400,
         "InvalidParameterValue"),
        ([{"device": "/dev/sdf", "snapshot_id": "snap-0000000000000000f"}], 404,
         "InvalidSnapshot.NotFound"),
        ([{"device": "/dev/sdf", "size_gib": "2"}], 400, "InvalidParameterValue"),
        ([{"device": "/dev/sdf", "size_gib": 1, "encrypted": True}], 400, "UnknownParameter"),
        ({"device": "/dev/sdf"}, 400, "InvalidParameterValue"),
    ]:
        r = api.request("POST", "/v1/instances", {"image_id": default_image_id(api),
                                                  "instance_type": "t3.nano", "count": 2,
                                                  "block_devices": body})
        assert (r.status, r.code) == (status, code), (body, r)
    assert [i["id"] for i in api.instances()] == [iid]
    assert len(api.ok("GET", "/v1/volumes")["volumes"]) == 2

    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    api.wait_state(iid, "terminated", timeout=30)
    wait_for(lambda: api.request("GET", f"/v1/volumes/{f['id']}").status == 404, 30,
             message="the delete-on-termination volume deleted")
    wait_for(lambda: api.ok("GET", f"/v1/volumes/{c['id']}")["state"] == "available", 30,
             message="the kept volume released")
    assert api.ok("GET", f"/v1/volumes/{c['id']}")["attachments"] == []


# ---------------------------------------------------------------- real guests


def guest_disks(cloud, iid):
    """{volume serial: (guest device, size in bytes)} of the running guest's virtio disks."""
    status, out = cloud.guest_run(
        iid, "for d in /sys/block/vd*; do echo DISK $(basename $d) $(cat $d/serial) "
             "$(cat $d/size); done")
    assert status == 0, out
    disks = {}
    for line in out.splitlines():
        m = re.fullmatch(r"DISK (vd[a-z]) (\S+) (\d+)", line.strip())
        if m:
            disks[m.group(2)] = (m.group(1), int(m.group(3)) * 512)
    return disks


def serial(vid):
    return vid.replace("-", "")[:20]


def test_mapped_volumes_are_in_the_guest_from_boot(cloud, tmp_path):
    aws = cli_for(cloud.endpoint, cloud.admin)
    disk = make_ext4_image(tmp_path / "disk.img", {"hello.txt": HELLO + "\n"})
    aws.ok("s3api", "create-bucket", "--bucket", "bdm-images")
    aws.ok("s3api", "put-object", "--bucket", "bdm-images", "--key", "disk.img", "--body",
           str(disk))
    ami = aws.ok("ec2", "register-image", "--name", "bdm",
                 "--image-location", "bdm-images/disk.img")["ImageId"]
    wait_for(lambda: aws.ok("ec2", "describe-images", "--image-ids", ami)["Images"][0][
        "State"] == "available", 120, interval=0.5, message="image available")

    # A grown root, a gp3 data volume that goes with the instance and a gp2 one that stays.
    [inst] = run(aws, ami, "DeviceName=/dev/sda1,Ebs={VolumeSize=2}",
                 "DeviceName=/dev/sdf,Ebs={VolumeSize=2,VolumeType=gp3}",
                 "DeviceName=/dev/sdg,Ebs={VolumeSize=1,DeleteOnTermination=false}")
    a = inst["InstanceId"]
    wait_state(aws, a, "running")
    console = cloud.wait_ready(a)
    assert f"STRATO-FILE hello.txt: {HELLO}" in console
    vols = volumes_of(aws, a)
    assert sorted(vols) == ["/dev/sdf", "/dev/sdg", "/dev/vda"], vols
    # Plugged before boot, in device order: the root first.
    disks = guest_disks(cloud, a)
    assert disks[serial(vols["/dev/vda"]["VolumeId"])] == ("vda", 2 * GiB), disks
    assert disks[serial(vols["/dev/sdf"]["VolumeId"])] == ("vdb", 2 * GiB), disks
    assert disks[serial(vols["/dev/sdg"]["VolumeId"])] == ("vdc", 1 * GiB), disks
    mappings = {m["DeviceName"]: m["Ebs"]["DeleteOnTermination"]
                for m in describe(aws, a)["BlockDeviceMappings"]}
    assert mappings == {"/dev/vda": True, "/dev/sdf": True, "/dev/sdg": False}, mappings

    # A second guest (the default one, no root disk) gets a volume made from a snapshot of
    # the first one's root: its hello.txt shows on that guest's console.
    snap = aws.ok("ec2", "create-snapshot", "--volume-id", vols["/dev/vda"]["VolumeId"])[
        "SnapshotId"]
    wait_snapshot(aws, snap)
    [inst] = run(aws, default_image_id(cloud.admin), f"DeviceName=/dev/sdh,Ebs={{SnapshotId={snap}}}")
    b = inst["InstanceId"]
    wait_state(aws, b, "running")
    assert f"STRATO-FILE hello.txt: {HELLO}" in cloud.wait_ready(b, timeout=BOOT_TIMEOUT)
    [from_snap] = volumes_of(aws, b).values()
    assert from_snap["Size"] == 2 and from_snap["SnapshotId"] == snap, from_snap
    assert guest_disks(cloud, b)[serial(from_snap["VolumeId"])] == ("vda", 2 * GiB)

    aws.ok("ec2", "terminate-instances", "--instance-ids", a, b)
    for iid in (a, b):
        wait_state(aws, iid, "terminated")
    kept = vols["/dev/sdg"]["VolumeId"]
    wait_for(lambda: [v["VolumeId"] for v in aws.ok("ec2", "describe-volumes")["Volumes"]] ==
             [kept], 60, interval=0.5, message="only the kept volume left")
    assert volume_state(aws, kept) == "available"
    aws.ok("ec2", "delete-volume", "--volume-id", kept)
    aws.ok("ec2", "delete-snapshot", "--snapshot-id", snap)
    aws.ok("ec2", "deregister-image", "--image-id", ami)
    aws.ok("s3api", "delete-object", "--bucket", "bdm-images", "--key", "disk.img")
    aws.ok("s3api", "delete-bucket", "--bucket", "bdm-images")
    wait_for(lambda: files_under(cloud.data_dir / "storage") == [], 60,
             message="no volume, snapshot or image file left")

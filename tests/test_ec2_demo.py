"""The classic disk-image demo, end to end with the aws CLI v2 only, on real guests (QEMU,
TCG): an ext4 image with hello.txt (dd, mkfs.ext4), bzip2-compressed, `aws s3 cp` to a
bucket, registered as an image, two instances launched from it, the file found in
get-console-output, a volume created, attached and written in the first guest, snapshotted,
a volume made from the snapshot attached to the second guest and read back, stop/start,
terminate, everything deleted — then every describe-* is empty and no file is left under
the daemon's storage, uploads or object store."""

from conftest import BOOT_TIMEOUT, wait_for
from ec2_support import cli_for
from image_support import bzip2, files_under, make_ext4_image
from s3_clients import AwsCli as S3Cli
from test_vm_volumes import guest_disk, read, write

HELLO = "hello from the classic demo"
DATA = "demo-volume-data-42"
WAIT = 600


def console(ec2, iid):
    return ec2.ok("ec2", "get-console-output", "--instance-id", iid).get("Output", "")


def kept_files(cloud):
    """Every file the daemon keeps for volumes, snapshots, images and objects."""
    return {d: files_under(cloud.data_dir / d) for d in ("storage", "uploads", "objects")}


def test_classic_disk_image_demo_with_the_aws_cli(vm_cloud, tmp_path):
    # Its own daemon, so the leak check below is exact; the admin's keys, so the guest shell
    # helpers (which read consoles as the admin) see the instances.
    cloud = vm_cloud.start()
    ec2 = cli_for(cloud.endpoint, cloud.admin)
    s3 = S3Cli(cloud.endpoint, cloud.admin.access_key_id, cloud.admin.secret_access_key)
    before = kept_files(cloud)

    image_file = bzip2(make_ext4_image(tmp_path / "disk.img", {"hello.txt": HELLO + "\n"}))
    s3.run("s3", "mb", "s3://demo-images")
    s3.run("s3", "cp", str(image_file), "s3://demo-images/disk.img.bz2")
    ami = ec2.ok("ec2", "register-image", "--name", "demo",
                 "--image-location", "demo-images/disk.img.bz2")["ImageId"]
    ec2.ok("ec2", "wait", "image-available", "--image-ids", ami, timeout=WAIT)

    run = ec2.ok("ec2", "run-instances", "--image-id", ami, "--instance-type", "t3.micro",
                 "--count", "2")
    a, b = sorted(i["InstanceId"] for i in run["Instances"])
    ec2.ok("ec2", "wait", "instance-running", "--instance-ids", a, b, timeout=WAIT)
    for iid in (a, b):
        wait_for(lambda: f"STRATO-FILE hello.txt: {HELLO}" in console(ec2, iid), BOOT_TIMEOUT,
                 interval=1.0, message=f"hello.txt on the console of {iid}")

    az = ec2.ok("ec2", "describe-instances", "--instance-ids", a)[
        "Reservations"][0]["Instances"][0]["Placement"]["AvailabilityZone"]
    vol = ec2.ok("ec2", "create-volume", "--size", "1", "--volume-type", "gp3",
                 "--availability-zone", az)["VolumeId"]
    ec2.ok("ec2", "wait", "volume-available", "--volume-ids", vol, timeout=WAIT)
    ec2.ok("ec2", "attach-volume", "--volume-id", vol, "--instance-id", a, "--device", "/dev/sdf")
    ec2.ok("ec2", "wait", "volume-in-use", "--volume-ids", vol, timeout=WAIT)
    write(cloud, a, guest_disk(cloud, a, vol), DATA)

    snap = ec2.ok("ec2", "create-snapshot", "--volume-id", vol)["SnapshotId"]
    ec2.ok("ec2", "wait", "snapshot-completed", "--snapshot-ids", snap, timeout=WAIT)
    copy = ec2.ok("ec2", "create-volume", "--snapshot-id", snap,
                  "--availability-zone", az)["VolumeId"]
    ec2.ok("ec2", "wait", "volume-available", "--volume-ids", copy, timeout=WAIT)
    ec2.ok("ec2", "attach-volume", "--volume-id", copy, "--instance-id", b, "--device",
           "/dev/sdg")
    ec2.ok("ec2", "wait", "volume-in-use", "--volume-ids", copy, timeout=WAIT)
    assert DATA in read(cloud, b, guest_disk(cloud, b, copy))

    # Stop/start keeps the volume-backed root: the guest boots from it again.
    ec2.ok("ec2", "stop-instances", "--instance-ids", a)
    ec2.ok("ec2", "wait", "instance-stopped", "--instance-ids", a, timeout=WAIT)
    ec2.ok("ec2", "start-instances", "--instance-ids", a)
    ec2.ok("ec2", "wait", "instance-running", "--instance-ids", a, timeout=WAIT)
    cloud.wait_ready(a, count=2)
    assert DATA in read(cloud, a, guest_disk(cloud, a, vol, boots=2), boots=2)

    for v in (vol, copy):
        ec2.ok("ec2", "detach-volume", "--volume-id", v)
    ec2.ok("ec2", "wait", "volume-available", "--volume-ids", vol, copy, timeout=WAIT)
    ec2.ok("ec2", "terminate-instances", "--instance-ids", a, b)
    ec2.ok("ec2", "wait", "instance-terminated", "--instance-ids", a, b, timeout=WAIT)
    for v in (vol, copy):
        ec2.ok("ec2", "delete-volume", "--volume-id", v)
    ec2.ok("ec2", "wait", "volume-deleted", "--volume-ids", vol, copy, timeout=WAIT)
    ec2.ok("ec2", "delete-snapshot", "--snapshot-id", snap)
    ec2.ok("ec2", "deregister-image", "--image-id", ami)
    s3.run("s3", "rm", "s3://demo-images/disk.img.bz2")
    s3.run("s3", "rb", "s3://demo-images")

    assert ec2.ok("ec2", "describe-volumes")["Volumes"] == []
    assert ec2.ok("ec2", "describe-snapshots", "--owner-ids", "self")["Snapshots"] == []
    # (The admin also owns the built-in guest image; the demo's is gone.)
    assert [i for i in ec2.ok("ec2", "describe-images", "--owners", "self")["Images"]
            if i["ImageId"] == ami or i["Name"] == "demo"] == []
    ec2.fails("InvalidAMIID.NotFound", "ec2", "describe-images", "--image-ids", ami)
    live = [i["InstanceId"] for r in ec2.ok("ec2", "describe-instances")["Reservations"]
            for i in r["Instances"] if i["State"]["Name"] != "terminated"]
    assert live == []
    assert s3.json("s3api", "list-buckets").get("Buckets", []) == []
    wait_for(lambda: kept_files(cloud) == before, 60, interval=0.5,
             message="no storage, upload or object file left")

"""EC2 volumes on real guests (QEMU, TCG), driven only through the aws CLI v2 and boto3:
attach a volume, write to it inside the guest, snapshot it, write again, make a volume from
the snapshot, attach it to a second instance and read the point-in-time data back; then
clean up and find nothing left."""

from conftest import VM_STATE_TIMEOUT, wait_for
from ec2_support import boto3_ec2, cli_for
from test_vm_volumes import guest_disk, read, write

FAST = {"Delay": 1, "MaxAttempts": int(VM_STATE_TIMEOUT)}


def attached(ec2, vid):
    v = ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    return bool(v["Attachments"]) and v["Attachments"][0]["State"] == "attached"


def test_snapshot_data_reaches_a_second_guest(cloud, image):
    cli = cli_for(cloud.admin.endpoint, cloud.admin)
    ec2 = boto3_ec2(cloud.admin.endpoint, cloud.admin)
    run = cli.ok("ec2", "run-instances", "--image-id", image, "--instance-type", "t3.nano",
                 "--count", "2")
    a, b = [i["InstanceId"] for i in run["Instances"]]
    cli.ok("ec2", "wait", "instance-running", "--instance-ids", a, b, timeout=300)
    zone = cli.ok("ec2", "describe-instances", "--instance-ids", a)["Reservations"][0][
        "Instances"][0]["Placement"]["AvailabilityZone"]

    vid = cli.ok("ec2", "create-volume", "--size", "1", "--availability-zone", zone)["VolumeId"]
    cli.ok("ec2", "wait", "volume-available", "--volume-ids", vid)
    cli.ok("ec2", "attach-volume", "--volume-id", vid, "--instance-id", a, "--device",
           "/dev/sdf")
    cli.ok("ec2", "wait", "volume-in-use", "--volume-ids", vid)
    wait_for(lambda: attached(ec2, vid), VM_STATE_TIMEOUT, message="attached to a")
    dev_a = guest_disk(cloud, a, vid)
    write(cloud, a, dev_a, "ec2-data-before")

    sid = cli.ok("ec2", "create-snapshot", "--volume-id", vid)["SnapshotId"]
    cli.ok("ec2", "wait", "snapshot-completed", "--snapshot-ids", sid)
    write(cloud, a, dev_a, "ec2-data-after!")  # after the snapshot: not in it
    assert "ec2-data-after!" in read(cloud, a, dev_a)

    rid = cli.ok("ec2", "create-volume", "--snapshot-id", sid, "--availability-zone",
                 zone)["VolumeId"]
    cli.ok("ec2", "wait", "volume-available", "--volume-ids", rid)
    cli.ok("ec2", "attach-volume", "--volume-id", rid, "--instance-id", b, "--device",
           "/dev/sdg")
    wait_for(lambda: attached(ec2, rid), VM_STATE_TIMEOUT, message="attached to b")
    dev_b = guest_disk(cloud, b, rid)
    assert "ec2-data-before" in read(cloud, b, dev_b)

    for v in (vid, rid):
        cli.ok("ec2", "detach-volume", "--volume-id", v)
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid, rid], WaiterConfig=FAST)
    guest_disk(cloud, a, vid, present=False)
    for v in (vid, rid):
        cli.ok("ec2", "delete-volume", "--volume-id", v)
    cli.ok("ec2", "delete-snapshot", "--snapshot-id", sid)
    cli.ok("ec2", "terminate-instances", "--instance-ids", a, b)
    ec2.get_waiter("volume_deleted").wait(VolumeIds=[vid, rid], WaiterConfig=FAST)
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[a, b], WaiterConfig=FAST)
    assert cli.ok("ec2", "describe-volumes")["Volumes"] == []
    assert cli.ok("ec2", "describe-snapshots", "--owner-ids", "self")["Snapshots"] == []
    wait_for(lambda: not any((cloud.data_dir / "storage").iterdir()), 30,
             message="no blob left on disk")

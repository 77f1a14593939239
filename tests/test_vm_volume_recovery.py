"""Crash safety of volume work started through the EC2 API: stratod is killed with -9 right
after AttachVolume and right after CreateSnapshot; after a restart the attachment completes
in the running guest (the same QEMU), the snapshot completes with the data written before
it, and nothing is duplicated or lost."""

from conftest import VM_STATE_TIMEOUT, wait_for
from ec2_support import boto3_ec2
from test_vm_volumes import guest_disk, read, write

FAST = {"Delay": 1, "MaxAttempts": int(VM_STATE_TIMEOUT)}


def volume(ec2, vid):
    return ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]


def attached_to(ec2, vid, iid):
    v = volume(ec2, vid)
    return [(a["InstanceId"], a["State"]) for a in v["Attachments"]] == [(iid, "attached")]


def test_kill_9_during_ec2_attach_and_snapshot(cloud, image):
    ec2 = boto3_ec2(cloud.admin.endpoint, cloud.admin)
    iid = ec2.run_instances(ImageId=image, InstanceType="t3.nano", MinCount=1,
                            MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=FAST)
    zone = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0][
        "Placement"]["AvailabilityZone"]
    qemu = cloud.wait_qemu_pid(iid)
    vid = ec2.create_volume(Size=1, AvailabilityZone=zone)["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid], WaiterConfig=FAST)

    # Killed as soon as the attach is acknowledged: desired state is written, work is not.
    ec2.attach_volume(VolumeId=vid, InstanceId=iid, Device="/dev/sdf")
    cloud.kill9()
    cloud.start()
    wait_for(lambda: attached_to(ec2, vid, iid), VM_STATE_TIMEOUT, message="attach completes")
    assert cloud.qemu_pid(iid) == qemu  # the guest was not restarted
    dev = guest_disk(cloud, iid, vid)
    write(cloud, iid, dev, "before-the-crash")

    sid = ec2.create_snapshot(VolumeId=vid)["SnapshotId"]
    cloud.kill9()
    cloud.start()
    ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[sid], WaiterConfig=FAST)
    snaps = ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    assert [(s["SnapshotId"], s["State"], s["Progress"]) for s in snaps] == [
        (sid, "completed", "100%")]
    # The volume still works in the guest after the crash, and keeps its single attachment.
    assert attached_to(ec2, vid, iid) and volume(ec2, vid)["State"] == "in-use"
    write(cloud, iid, dev, "after-the-crash!")
    assert "after-the-crash!" in read(cloud, iid, dev)

    # The snapshot holds the data from before it.
    rid = ec2.create_volume(SnapshotId=sid, AvailabilityZone=zone)["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[rid], WaiterConfig=FAST)
    ec2.attach_volume(VolumeId=rid, InstanceId=iid, Device="/dev/sdg")
    wait_for(lambda: attached_to(ec2, rid, iid), VM_STATE_TIMEOUT, message="restored attached")
    assert "before-the-crash" in read(cloud, iid, guest_disk(cloud, iid, rid))
    assert sorted(v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]) == sorted([vid, rid])

    for v in (vid, rid):
        ec2.detach_volume(VolumeId=v)
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid, rid], WaiterConfig=FAST)
    for v in (vid, rid):
        ec2.delete_volume(VolumeId=v)
    ec2.delete_snapshot(SnapshotId=sid)
    ec2.terminate_instances(InstanceIds=[iid])
    ec2.get_waiter("volume_deleted").wait(VolumeIds=[vid, rid], WaiterConfig=FAST)
    wait_for(lambda: not any((cloud.data_dir / "storage").iterdir()), 30,
             message="no blob left on disk")

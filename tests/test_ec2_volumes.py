"""EC2 volume and snapshot actions through the real aws CLI v2 (with its `aws ec2 wait`
waiters) and boto3, against a stratod with sim hosts: volumes are real qcow2 files made by
qemu-img, so creation, snapshots and deletion are real; only the guest is simulated."""

import botocore.exceptions
import pytest

from conftest import new_tenant, wait_for
from ec2_support import FAST_WAIT, boto3_ec2, cli, ec2, ec2_raw, error_code  # noqa: F401 (fixtures)


def run_instance(ec2, image_id):
    iid = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1, MaxCount=1,
                            Placement={"AvailabilityZone": "strato-1a"})["Instances"][0][
        "InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=FAST_WAIT)
    return iid


def attachment_status(ec2, vid):
    v = ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    return v["Attachments"][0]["State"] if v["Attachments"] else None


def test_volume_and_snapshot_lifecycle_with_cli_waiters(cli, ec2, image_id):
    created = cli.ok("ec2", "create-volume", "--size", "2", "--volume-type", "gp3",
                     "--availability-zone", "strato-1a", "--tag-specifications",
                     "ResourceType=volume,Tags=[{Key=Name,Value=data}]")
    vid = created["VolumeId"]
    assert vid.startswith("vol-") and created["State"] in ("creating", "available")
    assert (created["Size"], created["VolumeType"], created["Iops"], created["Throughput"]) == (
        2, "gp3", 3000, 125)
    assert created["AvailabilityZone"] == "strato-1a" and created["Encrypted"] is False
    assert created["Tags"] == [{"Key": "Name", "Value": "data"}]
    cli.ok("ec2", "wait", "volume-available", "--volume-ids", vid)

    iid = run_instance(ec2, image_id)
    att = cli.ok("ec2", "attach-volume", "--volume-id", vid, "--instance-id", iid,
                 "--device", "/dev/sdf")
    assert (att["VolumeId"], att["InstanceId"], att["Device"], att["State"]) == (
        vid, iid, "/dev/sdf", "attaching")
    cli.ok("ec2", "wait", "volume-in-use", "--volume-ids", vid)
    wait_for(lambda: attachment_status(ec2, vid) == "attached", 30, message="attached")
    by_instance = cli.ok("ec2", "describe-volumes", "--filters",
                         f"Name=attachment.instance-id,Values={iid}")["Volumes"]
    assert [v["VolumeId"] for v in by_instance] == [vid]
    assert by_instance[0]["Attachments"][0]["Device"] == "/dev/sdf"
    assert by_instance[0]["Attachments"][0]["DeleteOnTermination"] is False
    cli.fails("VolumeInUse", "ec2", "delete-volume", "--volume-id", vid)

    snap = cli.ok("ec2", "create-snapshot", "--volume-id", vid, "--description", "first",
                  "--tag-specifications", "ResourceType=snapshot,Tags=[{Key=k,Value=v}]")
    sid = snap["SnapshotId"]
    assert sid.startswith("snap-") and snap["VolumeId"] == vid and snap["VolumeSize"] == 2
    assert snap["State"] in ("pending", "completed") and snap["Progress"].endswith("%")
    assert snap["OwnerId"] and snap["Description"] == "first"
    cli.ok("ec2", "wait", "snapshot-completed", "--snapshot-ids", sid)
    mine = cli.ok("ec2", "describe-snapshots", "--owner-ids", "self")["Snapshots"]
    [s] = [s for s in mine if s["SnapshotId"] == sid]
    assert (s["State"], s["Progress"], s["Tags"]) == ("completed", "100%",
                                                     [{"Key": "k", "Value": "v"}])

    restored = cli.ok("ec2", "create-volume", "--snapshot-id", sid, "--availability-zone",
                      "strato-1a")
    rid = restored["VolumeId"]
    assert restored["SnapshotId"] == sid and restored["Size"] == 2
    assert restored["VolumeType"] == "gp2"
    mod = cli.ok("ec2", "modify-volume", "--volume-id", vid, "--size", "3")["VolumeModification"]
    assert (mod["VolumeId"], mod["OriginalSize"], mod["TargetSize"]) == (vid, 2, 3)
    assert mod["ModificationState"] in ("modifying", "completed")

    det = cli.ok("ec2", "detach-volume", "--volume-id", vid)
    assert (det["State"], det["InstanceId"]) == ("detaching", iid)
    cli.ok("ec2", "wait", "volume-available", "--volume-ids", vid, rid)
    assert cli.ok("ec2", "describe-volumes", "--volume-ids", vid)["Volumes"][0]["Size"] == 3

    cli.ok("ec2", "delete-volume", "--volume-id", vid)
    cli.ok("ec2", "delete-volume", "--volume-id", rid)
    cli.ok("ec2", "wait", "volume-deleted", "--volume-ids", vid, rid)
    cli.fails("InvalidVolume.NotFound", "ec2", "describe-volumes", "--volume-ids", vid)
    cli.ok("ec2", "delete-snapshot", "--snapshot-id", sid)
    cli.fails("InvalidSnapshot.NotFound", "ec2", "describe-snapshots", "--snapshot-ids", sid)
    cli.fails("InvalidSnapshot.NotFound", "ec2", "delete-snapshot", "--snapshot-id", sid)
    assert cli.ok("ec2", "describe-volumes")["Volumes"] == []
    assert cli.ok("ec2", "describe-snapshots", "--owner-ids", "self")["Snapshots"] == []
    ec2.terminate_instances(InstanceIds=[iid])


def test_describe_filters_tags_and_paging(ec2):
    ids = []
    for n, vtype in enumerate(["gp2", "gp3", "io1", "gp2", "st1", "gp2"]):
        kw = {"Iops": 200} if vtype == "io1" else {}
        size = {"st1": 125, "io1": 4}.get(vtype, 1 + n)
        v = ec2.create_volume(Size=size, VolumeType=vtype, AvailabilityZone="strato-1a",
                              TagSpecifications=[{"ResourceType": "volume", "Tags": [
                                  {"Key": "n", "Value": str(n)}]}], **kw)
        ids.append(v["VolumeId"])
    ec2.get_waiter("volume_available").wait(VolumeIds=ids, WaiterConfig=FAST_WAIT)

    def select(*filters):
        resp = ec2.describe_volumes(Filters=[{"Name": k, "Values": v} for k, v in filters])
        return sorted(v["VolumeId"] for v in resp["Volumes"])

    assert select(("volume-type", ["gp2"])) == sorted([ids[0], ids[3], ids[5]])
    assert select(("tag:n", ["1", "4"])) == sorted([ids[1], ids[4]])
    assert select(("tag-key", ["n"]), ("status", ["available"])) == sorted(ids)
    assert select(("status", ["in-use"])) == []
    assert select(("volume-id", [ids[2]]), ("size", ["4"])) == [ids[2]]
    io1 = ec2.describe_volumes(VolumeIds=[ids[2]])["Volumes"][0]
    assert (io1["VolumeType"], io1["Iops"]) == ("io1", 200)

    # MaxResults pages, followed by the paginator, see every volume exactly once.
    page = ec2.describe_volumes(MaxResults=5)
    assert len(page["Volumes"]) == 5 and page["NextToken"]
    rest = ec2.describe_volumes(MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert sorted(v["VolumeId"] for v in page["Volumes"] + rest["Volumes"]) == sorted(ids)
    paged = [v["VolumeId"] for p in ec2.get_paginator("describe_volumes").paginate(
        PaginationConfig={"PageSize": 5}) for v in p["Volumes"]]
    assert sorted(paged) == sorted(ids)

    # Volumes and snapshots take CreateTags / DescribeTags like instances.
    ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": "team", "Value": "db"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["volume"]},
                                      {"Name": "key", "Values": ["team"]}])["Tags"]
    assert tags == [{"ResourceId": ids[0], "ResourceType": "volume", "Key": "team",
                     "Value": "db"}]
    for vid in ids:
        ec2.delete_volume(VolumeId=vid)
    ec2.get_waiter("volume_deleted").wait(VolumeIds=ids, WaiterConfig=FAST_WAIT)


def test_bad_inputs_are_4xx_and_change_nothing(shared_stratod, tenant, ec2, image_id):
    api = tenant.api
    vid = ec2.create_volume(Size=1, AvailabilityZone="strato-1a")["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid], WaiterConfig=FAST_WAIT)
    before = ec2.describe_volumes()["Volumes"]

    cases = [
        ("CreateVolume", {"Size": "abc"}, "InvalidParameterValue"),
        ("CreateVolume", {"Size": "0"}, "InvalidParameterValue"),
        ("CreateVolume", {"Size": "1", "VolumeType": "floppy"}, "InvalidParameterValue"),
        ("CreateVolume", {"Size": "1", "Iops": "many"}, "InvalidParameterValue"),
        ("CreateVolume", {"Size": "1", "AvailabilityZone": "mars-1a"}, "InvalidParameterValue"),
        ("CreateVolume", {"Size": "1", "Encrypted": "true"}, "Unsupported"),
        ("CreateVolume", {"Size": "1", "Encrypted": "maybe"}, "InvalidParameterValue"),
        ("CreateVolume", {}, "MissingParameter"),
        ("CreateVolume", {"Size": "1", "Colour": "red"}, "UnknownParameter"),
        ("CreateVolume", {"Size": "1", "TagSpecification.1.ResourceType": "instance",
                          "TagSpecification.1.Tag.1.Key": "a"}, "InvalidParameterValue"),
        ("CreateVolume", {"SnapshotId": "snap-0123456789abcdef0"}, "InvalidSnapshot.NotFound"),
        ("DescribeVolumes", {"VolumeId.1": "vol-0123456789abcdef0"}, "InvalidVolume.NotFound"),
        ("DescribeVolumes", {"Filter.1.Name": "colour", "Filter.1.Value.1": "x"},
         "InvalidParameterValue"),
        ("DescribeVolumes", {"VolumeId.1": vid, "MaxResults": "5"},
         "InvalidParameterCombination"),
        ("DescribeVolumes", {"MaxResults": "1"}, "InvalidParameterValue"),
        ("AttachVolume", {"VolumeId": vid, "Device": "/dev/sdf"}, "MissingParameter"),
        ("AttachVolume", {"VolumeId": vid, "InstanceId": "i-0123456789abcdef0",
                          "Device": "/dev/sdf"}, "InvalidInstanceID.NotFound"),
        ("DetachVolume", {"VolumeId": vid}, "IncorrectState"),
        ("DetachVolume", {"VolumeId": vid, "Force": "yes"}, "InvalidParameterValue"),
        ("ModifyVolume", {"VolumeId": vid, "Size": "-1"}, "InvalidParameterValue"),
        ("ModifyVolume", {"VolumeId": vid}, "MissingParameter"),
        ("DeleteVolume", {"VolumeId": "vol-0123456789abcdef0"}, "InvalidVolume.NotFound"),
        ("CreateSnapshot", {"VolumeId": "vol-0123456789abcdef0"}, "InvalidVolume.NotFound"),
        ("DescribeSnapshots", {"SnapshotId.1": "snap-0123456789abcdef0"},
         "InvalidSnapshot.NotFound"),
        ("DeleteSnapshot", {}, "MissingParameter"),
        ("DescribeVolumesModifications", {"VolumeId.1": vid},
         "InvalidVolumeModification.NotFound"),
    ]
    for action, params, code in cases:
        r = ec2_raw(api, action, params)
        assert (r.status, r.error_code) == (400, code), (action, params, r)

    iid = run_instance(ec2, image_id)
    r = ec2_raw(api, "AttachVolume", {"VolumeId": vid, "InstanceId": iid, "Device": "/dev/sda"})
    assert (r.status, r.error_code) == (400, "InvalidParameterValue"), r
    # Shrinking is refused (once the grow is done: until then any change is
    # IncorrectModificationState, one change at a time as in EBS).
    ec2.modify_volume(VolumeId=vid, Size=2)
    wait_for(lambda: ec2.describe_volumes_modifications(VolumeIds=[vid])[
        "VolumesModifications"][0]["ModificationState"] == "completed", 30,
        message="the grow to complete")
    r = ec2_raw(api, "ModifyVolume", {"VolumeId": vid, "Size": "1"})
    assert (r.status, r.error_code) == (400, "InvalidParameterValue"), r
    after = ec2.describe_volumes()["Volumes"]
    assert [v["VolumeId"] for v in after] == [v["VolumeId"] for v in before]
    assert after[0]["Size"] == 2 and after[0]["Attachments"] == []
    assert ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"] == []
    ec2.terminate_instances(InstanceIds=[iid])
    ec2.delete_volume(VolumeId=vid)


def test_another_tenants_volumes_and_snapshots_are_not_found(shared_stratod, admin, ec2,
                                                             image_id):
    vid = ec2.create_volume(Size=1, AvailabilityZone="strato-1a")["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid], WaiterConfig=FAST_WAIT)
    sid = ec2.create_snapshot(VolumeId=vid)["SnapshotId"]
    ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[sid], WaiterConfig=FAST_WAIT)

    b = boto3_ec2(shared_stratod.endpoint, new_tenant(admin))
    b_iid = run_instance(b, image_id)
    calls = [
        (lambda: b.describe_volumes(VolumeIds=[vid]), "InvalidVolume.NotFound"),
        (lambda: b.attach_volume(VolumeId=vid, InstanceId=b_iid, Device="/dev/sdf"),
         "InvalidVolume.NotFound"),
        (lambda: b.detach_volume(VolumeId=vid), "InvalidVolume.NotFound"),
        (lambda: b.modify_volume(VolumeId=vid, Size=5), "InvalidVolume.NotFound"),
        (lambda: b.delete_volume(VolumeId=vid), "InvalidVolume.NotFound"),
        (lambda: b.create_snapshot(VolumeId=vid), "InvalidVolume.NotFound"),
        (lambda: b.describe_snapshots(SnapshotIds=[sid]), "InvalidSnapshot.NotFound"),
        (lambda: b.create_volume(SnapshotId=sid, AvailabilityZone="strato-1a"),
         "InvalidSnapshot.NotFound"),
        (lambda: b.delete_snapshot(SnapshotId=sid), "InvalidSnapshot.NotFound"),
        (lambda: b.create_tags(Resources=[vid], Tags=[{"Key": "x", "Value": "y"}]),
         "InvalidVolume.NotFound"),
    ]
    for call, code in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == code
    assert b.describe_volumes()["Volumes"] == []
    assert b.describe_snapshots(OwnerIds=["self"])["Snapshots"] == []
    assert b.describe_volumes(Filters=[{"Name": "volume-id", "Values": [vid]}])["Volumes"] == []

    # Untouched for its owner.
    v = ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]
    assert (v["State"], v["Size"], v["Attachments"], v.get("Tags")) == ("available", 1, [], None)
    assert ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["State"] == "completed"
    b.terminate_instances(InstanceIds=[b_iid])
    ec2.delete_snapshot(SnapshotId=sid)
    ec2.delete_volume(VolumeId=vid)

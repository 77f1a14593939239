"""DescribeVolumesModifications through the real aws CLI v2 and boto3, against a stratod with
sim hosts (the volumes are real qcow2 files grown by qemu-img): every ModifyVolume is recorded
as the volume's latest modification, modifying until the grow is done and then completed; a
type or performance change is completed at once. Also the native
GET /v1/volumes/{id}/modification."""

import pytest

from conftest import new_tenant, wait_for
from ec2_support import FAST_WAIT, boto3_ec2, cli, cli_for, ec2, ec2_raw  # noqa: F401


def new_volume(ec2, size=1, volume_type="gp2"):
    vid = ec2.create_volume(Size=size, VolumeType=volume_type,
                            AvailabilityZone="strato-1a")["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[vid], WaiterConfig=FAST_WAIT)
    return vid


def modifications(cli, *args):
    return cli.ok("ec2", "describe-volumes-modifications", *args)["VolumesModifications"]


def test_modifications_are_recorded_completed_and_filtered(cli, ec2, tenant):
    vid = new_volume(ec2)
    other = new_volume(ec2, size=2)
    assert modifications(cli) == []
    cli.fails("InvalidVolumeModification.NotFound", "ec2", "describe-volumes-modifications",
              "--volume-ids", vid)

    grow = cli.ok("ec2", "modify-volume", "--volume-id", vid, "--size", "3")["VolumeModification"]
    assert grow["ModificationState"] in ("modifying", "completed"), grow
    assert (grow["OriginalSize"], grow["TargetSize"]) == (1, 3), grow

    def grown():
        [m] = modifications(cli, "--volume-ids", vid)
        return m if m["ModificationState"] == "completed" else None

    done = wait_for(grown, 30, message="the grow completed")
    assert (done["VolumeId"], done["Progress"], done["OriginalSize"], done["TargetSize"]) == (
        vid, 100, 1, 3), done
    assert (done["OriginalVolumeType"], done["TargetVolumeType"]) == ("gp2", "gp2"), done
    assert (done["OriginalIops"], done["TargetIops"]) == (100, 100), done
    assert done["StartTime"] <= done["EndTime"], done
    assert cli.ok("ec2", "describe-volumes", "--volume-ids", vid)["Volumes"][0]["Size"] == 3

    # A type change is applied at once; the latest modification replaces the one before.
    retype = cli.ok("ec2", "modify-volume", "--volume-id", vid, "--volume-type",
                    "gp3")["VolumeModification"]
    assert retype["ModificationState"] == "completed" and retype["Progress"] == 100, retype
    [latest] = modifications(cli, "--volume-ids", vid)
    assert (latest["OriginalSize"], latest["TargetSize"]) == (3, 3), latest
    assert (latest["OriginalVolumeType"], latest["TargetVolumeType"]) == ("gp2", "gp3"), latest
    assert (latest["OriginalIops"], latest["TargetIops"]) == (100, 3000), latest
    assert latest["TargetThroughput"] == 125 and "EndTime" in latest, latest

    cli.ok("ec2", "modify-volume", "--volume-id", other, "--size", "4")
    wait_for(lambda: {m["ModificationState"] for m in modifications(cli)} == {"completed"}, 30,
             message="both completed")
    assert sorted(m["VolumeId"] for m in modifications(cli)) == sorted([vid, other])

    def ids(*filters):
        return sorted(m["VolumeId"] for m in modifications(cli, "--filters", *filters))

    assert ids("Name=target-volume-type,Values=gp3") == [vid]
    assert ids("Name=original-volume-type,Values=gp2") == sorted([vid, other])
    assert ids("Name=original-size,Values=2") == [other]
    assert ids("Name=target-size,Values=3,4") == sorted([vid, other])
    assert ids("Name=modification-state,Values=modifying,failed") == []
    assert ids("Name=volume-id,Values=" + other) == [other]
    assert ids("Name=modification-state,Values=completed",
               "Name=target-volume-type,Values=gp3") == [vid]

    # Pages, as the other Describe actions page.
    first = ec2.describe_volumes_modifications(MaxResults=1)
    assert len(first["VolumesModifications"]) == 1 and first["NextToken"], first
    rest = ec2.describe_volumes_modifications(MaxResults=1, NextToken=first["NextToken"])
    assert len(rest["VolumesModifications"]) == 1 and "NextToken" not in rest, rest
    assert {first["VolumesModifications"][0]["VolumeId"],
            rest["VolumesModifications"][0]["VolumeId"]} == {vid, other}

    # Natively: the volume's latest modification.
    native = tenant.api.ok("GET", f"/v1/volumes/{vid}/modification")
    assert (native["state"], native["original"]["volume_type"], native["target"]["iops"]) == (
        "completed", "gp2", 3000), native
    modified = tenant.api.ok("POST", f"/v1/volumes/{other}/modify", {"volume_type": "gp3"},
                             expect=(202,))
    assert modified["modification"]["target"]["volume_type"] == "gp3", modified

    # The records go with their volumes.
    for v in (vid, other):
        cli.ok("ec2", "delete-volume", "--volume-id", v)
    cli.ok("ec2", "wait", "volume-deleted", "--volume-ids", vid, other)
    assert modifications(cli) == []
    cli.fails("InvalidVolume.NotFound", "ec2", "describe-volumes-modifications",
              "--volume-ids", vid)
    r = tenant.api.request("GET", f"/v1/volumes/{vid}/modification")
    assert (r.status, r.code) == (404, "InvalidVolume.NotFound"), r


def test_bad_requests_and_other_tenants_are_refused(shared_stratod, admin, cli, ec2, tenant):
    vid = new_volume(ec2)
    ec2.modify_volume(VolumeId=vid, VolumeType="gp3")
    api = tenant.api
    cases = [
        ({"Filter.1.Name": "colour", "Filter.1.Value.1": "x"}, "InvalidParameterValue"),
        ({"VolumeId.1": vid, "MaxResults": "5"}, "InvalidParameterCombination"),
        ({"MaxResults": "0"}, "InvalidParameterValue"),
        ({"MaxResults": "501"}, "InvalidParameterValue"),
        ({"NextToken": "not-a-token"}, "InvalidParameterValue"),
        ({"VolumeId.1": "vol-0123456789abcdef0"}, "InvalidVolume.NotFound"),
        ({"Bogus": "1"}, "UnknownParameter"),
    ]
    for params, code in cases:
        r = ec2_raw(api, "DescribeVolumesModifications", params)
        assert (r.status, r.error_code) == (400, code), (params, r)
    r = ec2_raw(api, "DescribeVolumesModifications", {"VolumeId.1": "vol-bad"})
    assert r.status == 400 and r.error_code.startswith("InvalidVolume"), r
    # A refused ModifyVolume records nothing.
    r = ec2_raw(api, "ModifyVolume", {"VolumeId": vid, "Size": "0"})
    assert r.status == 400, r
    [m] = ec2.describe_volumes_modifications(VolumeIds=[vid])["VolumesModifications"]
    assert (m["OriginalVolumeType"], m["TargetVolumeType"]) == ("gp2", "gp3"), m

    other = new_tenant(admin)
    theirs = cli_for(shared_stratod.endpoint, other)
    theirs.fails("InvalidVolume.NotFound", "ec2", "describe-volumes-modifications",
                 "--volume-ids", vid)
    assert theirs.ok("ec2", "describe-volumes-modifications")["VolumesModifications"] == []
    r = other.api.request("GET", f"/v1/volumes/{vid}/modification")
    assert (r.status, r.code) == (404, "InvalidVolume.NotFound"), r
    ec2.delete_volume(VolumeId=vid)

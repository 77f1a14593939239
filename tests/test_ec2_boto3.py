"""The EC2 Query API through boto3: waiters, manual MaxResults/NextToken paging and the
paginator, ClientError codes, tenant isolation."""

import subprocess

import botocore.exceptions
import pytest

from conftest import new_tenant, random_id, unique
from ec2_support import boto3_ec2


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def ids_of(resp):
    return [i["InstanceId"] for r in resp["Reservations"] for i in r["Instances"]]


@pytest.fixture
def ec2(shared_stratod, tenant):
    return boto3_ec2(shared_stratod.endpoint, tenant)


def test_run_wait_stop_start_terminate(ec2, image_id):
    run = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=3, MaxCount=3,
                            TagSpecifications=[{"ResourceType": "instance",
                                                "Tags": [{"Key": "app", "Value": "boto"}]}])
    ids = [i["InstanceId"] for i in run["Instances"]]
    assert len(ids) == 3
    ec2.get_waiter("instance_running").wait(InstanceIds=ids,
                                            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    resp = ec2.describe_instances(Filters=[{"Name": "tag:app", "Values": ["boto"]},
                                           {"Name": "instance-state-code", "Values": ["16"]}])
    assert sorted(ids_of(resp)) == sorted(ids)
    assert resp["Reservations"][0]["OwnerId"] == run["OwnerId"]
    # Each instance's place in its launch, in RunInstances' order, and as a filter.
    assert [i["AmiLaunchIndex"] for i in run["Instances"]] == [0, 1, 2]
    described = {i["InstanceId"]: i["AmiLaunchIndex"]
                 for r in resp["Reservations"] for i in r["Instances"]}
    assert described == {iid: n for n, iid in enumerate(ids)}
    second = ec2.describe_instances(Filters=[{"Name": "tag:app", "Values": ["boto"]},
                                             {"Name": "ami-launch-index", "Values": ["1"]}])
    assert ids_of(second) == [ids[1]]

    stop = ec2.stop_instances(InstanceIds=ids[:2])
    assert [s["PreviousState"]["Name"] for s in stop["StoppingInstances"]] == ["running"] * 2
    ec2.get_waiter("instance_stopped").wait(InstanceIds=ids[:2],
                                            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    stopped = ec2.describe_instances(Filters=[{"Name": "instance-state-name",
                                               "Values": ["stopped"]}])
    assert sorted(ids_of(stopped)) == sorted(ids[:2])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.reboot_instances(InstanceIds=ids)
    assert error_code(e) == "IncorrectInstanceState"
    start = ec2.start_instances(InstanceIds=ids)
    assert {s["CurrentState"]["Name"] for s in start["StartingInstances"]} == {"pending",
                                                                               "running"}
    ec2.get_waiter("instance_running").wait(InstanceIds=ids,
                                            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    out = ec2.get_console_output(InstanceId=ids[2])
    # EC2 sends base64; botocore decodes it (so this also checks the encoding).
    assert f"STRATO-READY {ids[2]}" in out["Output"]
    ec2.terminate_instances(InstanceIds=ids)
    ec2.get_waiter("instance_terminated").wait(InstanceIds=ids,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def test_paging(ec2, image_id):
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId=image_id, InstanceType="t3.nano", MinCount=12, MaxCount=12)["Instances"]]
    try:
        seen, token, pages = [], None, 0
        while True:
            kwargs = {"MaxResults": 5}
            if token:
                kwargs["NextToken"] = token
            resp = ec2.describe_instances(**kwargs)
            pages += 1
            assert len(ids_of(resp)) <= 5
            seen += ids_of(resp)
            token = resp.get("NextToken")
            if not token:
                break
        assert pages == 3 and sorted(seen) == sorted(ids)
        via_paginator = [i for page in ec2.get_paginator("describe_instances").paginate(
            PaginationConfig={"PageSize": 5}) for i in ids_of(page)]
        assert sorted(via_paginator) == sorted(ids)
        assert len(ids_of(ec2.describe_instances())) == 12
    finally:
        ec2.terminate_instances(InstanceIds=ids)


def test_isolation_between_tenants(shared_stratod, admin, ec2, image_id):
    other = boto3_ec2(shared_stratod.endpoint, new_tenant(admin))
    theirs = other.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                                 MaxCount=1)["Instances"][0]["InstanceId"]
    try:
        for call in (lambda: ec2.describe_instances(InstanceIds=[theirs]),
                     lambda: ec2.terminate_instances(InstanceIds=[theirs]),
                     lambda: ec2.stop_instances(InstanceIds=[theirs], Force=True),
                     lambda: ec2.describe_instance_status(InstanceIds=[theirs]),
                     lambda: ec2.get_console_output(InstanceId=theirs)):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                call()
            assert error_code(e) == "InvalidInstanceID.NotFound"
            assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert ids_of(ec2.describe_instances()) == []
        assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [theirs]}])[
            "Tags"] == []
        # Their instance is untouched.
        assert other.describe_instances(InstanceIds=[theirs])["Reservations"][0]["Instances"][
            0]["State"]["Name"] in ("pending", "running")
    finally:
        other.terminate_instances(InstanceIds=[theirs])


def test_unknown_ids_and_unsupported_actions(ec2):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_instances(InstanceIds=[random_id("i"), random_id("i")])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    assert "do not exist" in e.value.response["Error"]["Message"]
    # An action Strato does not implement yet answers InvalidAction, never a 5xx.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_reserved_instances()
    assert error_code(e) == "InvalidAction"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_status_filters_and_state_rules(ec2, image_id):
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId=image_id, InstanceType="t3.nano", MinCount=2, MaxCount=2)["Instances"]]
    try:
        ec2.get_waiter("instance_running").wait(InstanceIds=ids,
                                                WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        ec2.stop_instances(InstanceIds=[ids[0]], Force=True)
        ec2.get_waiter("instance_stopped").wait(InstanceIds=[ids[0]],
                                                WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        status = ec2.describe_instance_status(InstanceIds=ids)["InstanceStatuses"]
        assert [s["InstanceId"] for s in status] == [ids[1]]  # running ones only by default
        assert status[0]["InstanceStatus"]["Status"] == "ok"
        status = ec2.describe_instance_status(InstanceIds=ids, IncludeAllInstances=True)
        assert {s["InstanceId"]: s["InstanceState"]["Name"]
                for s in status["InstanceStatuses"]} == {ids[0]: "stopped", ids[1]: "running"}
        ec2.get_waiter("instance_status_ok").wait(InstanceIds=[ids[1]],
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        one = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [ids[0]]}])
        assert ids_of(one) == [ids[0]]
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_instances(InstanceIds=ids, MaxResults=5)
        assert error_code(e) == "InvalidParameterCombination"
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_instances(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
        assert error_code(e) == "InvalidParameterValue"
        # Stop on a stopped instance is a no-op success; reboot of it is refused.
        again = ec2.stop_instances(InstanceIds=[ids[0]])["StoppingInstances"][0]
        assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "stopped"
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.reboot_instances(InstanceIds=[ids[0]])
        assert error_code(e) == "IncorrectInstanceState"
        start = ec2.start_instances(InstanceIds=ids)["StartingInstances"]
        assert {s["InstanceId"]: (s["PreviousState"]["Code"], s["CurrentState"]["Code"])
                for s in start} == {ids[0]: (80, 0), ids[1]: (16, 16)}
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.run_instances(ImageId=image_id, InstanceType="x9.huge", MinCount=1, MaxCount=1)
        assert error_code(e) == "InvalidParameterValue"
    finally:
        gone = ec2.terminate_instances(InstanceIds=ids)["TerminatingInstances"]
        assert all(g["CurrentState"]["Code"] == 32 for g in gone)
    ec2.get_waiter("instance_terminated").wait(InstanceIds=ids,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    again = ec2.terminate_instances(InstanceIds=[ids[0]])["TerminatingInstances"][0]
    assert again["CurrentState"] == {"Code": 48, "Name": "terminated"}


def test_tag_semantics(ec2, image_id):
    iid = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                            MaxCount=1)["Instances"][0]["InstanceId"]

    def tags():
        return {t["Key"]: t["Value"] for t in ec2.describe_tags(
            Filters=[{"Name": "resource-id", "Values": [iid]}])["Tags"]}

    try:
        ec2.create_tags(Resources=[iid], Tags=[{"Key": "a", "Value": "1"},
                                               {"Key": "b", "Value": "2"},
                                               {"Key": "empty", "Value": ""}])
        assert tags() == {"a": "1", "b": "2", "empty": ""}
        by_key = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["b"]}])["Tags"]
        assert [(t["ResourceId"], t["Value"]) for t in by_key] == [(iid, "2")]
        # A value that no longer matches keeps the tag; a key alone removes it.
        ec2.delete_tags(Resources=[iid], Tags=[{"Key": "a", "Value": "other"}])
        ec2.delete_tags(Resources=[iid], Tags=[{"Key": "b"}])
        assert tags() == {"a": "1", "empty": ""}
        inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        assert {t["Key"] for t in inst["Tags"]} == {"a", "empty"}
        ec2.delete_tags(Resources=[iid])  # no tags named: all go
        assert tags() == {}
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_tags(Resources=[iid], Tags=[{"Key": "aws:x", "Value": "1"}])
        assert error_code(e) == "InvalidParameterValue"
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_tags(Resources=[random_id("i")], Tags=[{"Key": "k", "Value": "v"}])
        assert error_code(e) == "InvalidInstanceID.NotFound"
    finally:
        ec2.terminate_instances(InstanceIds=[iid])


def test_images_and_key_pairs(ec2, image_id, tmp_path):
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert (image["Name"], image["Public"], image["State"]) == ("strato-guest", True,
                                                                 "available")
    ec2.get_waiter("image_available").wait(ImageIds=[image_id],
                                           WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    named = ec2.describe_images(Filters=[{"Name": "name", "Values": ["strato-*"]}])["Images"]
    assert image_id in [i["ImageId"] for i in named]
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    for bad, code in (("ami-0123456789abcdef0", "InvalidAMIID.NotFound"),
                      ("ami-nope", "InvalidAMIID.Malformed")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.describe_images(ImageIds=[bad])
        assert error_code(e) == code

    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    material = (tmp_path / "id.pub").read_bytes()
    name = unique("key")
    k = ec2.import_key_pair(KeyName=name, PublicKeyMaterial=material)
    listed = ec2.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"]
    assert listed[0]["KeyPairId"] == k["KeyPairId"]
    assert listed[0]["PublicKey"].split()[:2] == material.decode().split()[:2]
    by_id = ec2.describe_key_pairs(KeyPairIds=[k["KeyPairId"]])["KeyPairs"]
    assert [x["KeyName"] for x in by_id] == [name]
    for call, code in (
            (lambda: ec2.import_key_pair(KeyName=name, PublicKeyMaterial=material),
             "InvalidKeyPair.Duplicate"),
            (lambda: ec2.import_key_pair(KeyName=unique("k"),
                                         PublicKeyMaterial=b"ssh-ed25519 notbase64"),
             "InvalidKey.Format"),
            (lambda: ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                                       MaxCount=1, KeyName=unique("missing")),
             "InvalidKeyPair.NotFound")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == code
    ec2.delete_key_pair(KeyPairId=k["KeyPairId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_key_pairs(KeyNames=[name])
    assert error_code(e) == "InvalidKeyPair.NotFound"
    ec2.delete_key_pair(KeyName=name)  # already gone: still a success, as in EC2


@pytest.mark.parametrize("key_type,header", [("rsa", "BEGIN RSA PRIVATE KEY"),
                                             ("ed25519", "BEGIN OPENSSH PRIVATE KEY")])
def test_create_key_pair_gives_a_private_key_ssh_keygen_reads(ec2, tmp_path, key_type, header):
    name = unique("created")
    k = ec2.create_key_pair(KeyName=name, KeyType=key_type)
    assert header in k["KeyMaterial"]
    private = tmp_path / "key"
    private.write_text(k["KeyMaterial"])
    private.chmod(0o600)
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(private)], check=True,
                             capture_output=True, text=True).stdout.split()[:2]
    stored = ec2.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"][0]
    assert stored["PublicKey"].split()[:2] == derived
    assert stored["KeyType"] == key_type and stored["KeyFingerprint"] == k["KeyFingerprint"]
    (tmp_path / "key.pub").write_text(" ".join(derived) + "\n")
    fingerprint = subprocess.run(["ssh-keygen", "-l", "-f", str(tmp_path / "key.pub")],
                                 check=True, capture_output=True, text=True).stdout.split()[1]
    assert k["KeyFingerprint"] == fingerprint
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_key_pair(KeyName=name, KeyType=key_type)
    assert error_code(e) == "InvalidKeyPair.Duplicate"
    ec2.delete_key_pair(KeyName=name)


def test_create_key_pair_refuses_unsupported_formats(ec2):
    for kwargs in ({"KeyFormat": "ppk"},):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_key_pair(KeyName=unique("k"), **kwargs)
        assert error_code(e) == "InvalidParameterValue"
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_an_action_invalid_for_one_instance_changes_none(ec2, image_id):
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId=image_id, InstanceType="t3.nano", MinCount=2, MaxCount=2)["Instances"]]
    ec2.get_waiter("instance_running").wait(InstanceIds=ids,
                                            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ec2.terminate_instances(InstanceIds=[ids[1]])
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[ids[1]],
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.stop_instances(InstanceIds=ids)  # the running one first, then the terminated one
    assert error_code(e) == "IncorrectInstanceState"
    state = ec2.describe_instances(InstanceIds=[ids[0]])["Reservations"][0]["Instances"][0][
        "State"]["Name"]
    assert state == "running"
    ec2.terminate_instances(InstanceIds=[ids[0]])

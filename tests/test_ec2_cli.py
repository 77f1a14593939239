"""The EC2 Query API driven by the real aws CLI v2 (/usr/bin/aws) against a stratod with
sim hosts: catalog, the instance lifecycle with `aws ec2 wait`, tags, key pairs, and the
errors the CLI shows. (Each CLI start costs seconds; finer checks are in test_ec2_boto3.)"""

import subprocess

import pytest

from conftest import REGION, new_tenant, unique
from ec2_support import boto3_ec2, cli_for


@pytest.fixture
def cli(shared_stratod, tenant):
    return cli_for(shared_stratod.endpoint, tenant)


def instances_of(described):
    return [i for r in described["Reservations"] for i in r["Instances"]]


def test_catalog(cli):
    regions = cli.ok("ec2", "describe-regions")["Regions"]
    assert [r["RegionName"] for r in regions] == [REGION]
    assert regions[0]["Endpoint"].startswith("http://127.0.0.1:")
    zones = cli.ok("ec2", "describe-availability-zones")["AvailabilityZones"]
    assert [(z["ZoneName"], z["State"], z["RegionName"]) for z in zones] == [
        ("strato-1a", "available", REGION)]
    # The CLI follows NextToken through pages of 5 and sees the whole catalog.
    types = cli.ok("ec2", "describe-instance-types", "--page-size", "5")["InstanceTypes"]
    by_name = {t["InstanceType"]: t for t in types}
    assert len(by_name) == len(types) >= 15
    assert by_name["t3.micro"]["VCpuInfo"]["DefaultVCpus"] == 2
    assert by_name["t3.micro"]["MemoryInfo"]["SizeInMiB"] == 1024
    assert by_name["mv1.nano"]["MemoryInfo"]["SizeInMiB"] == 128


def test_instance_lifecycle_with_waiters(cli, image_id):
    run = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                 "--count", "2", "--placement", "AvailabilityZone=strato-1a",
                 "--tag-specifications",
                 "ResourceType=instance,Tags=[{Key=Name,Value=web},{Key=env,Value=test}]")
    assert run["ReservationId"].startswith("r-")
    ids = [i["InstanceId"] for i in run["Instances"]]
    assert len(ids) == 2
    for i in run["Instances"]:
        assert i["State"] == {"Code": 0, "Name": "pending"}
        assert i["ImageId"] == image_id and i["InstanceType"] == "t3.nano"
        assert i["Placement"]["AvailabilityZone"] == "strato-1a"
        assert {t["Key"]: t["Value"] for t in i["Tags"]} == {"Name": "web", "env": "test"}

    cli.ok("ec2", "wait", "instance-running", "--instance-ids", *ids)
    described = cli.ok("ec2", "describe-instances", "--filters", "Name=tag:Name,Values=web",
                       "Name=instance-state-name,Values=running,stopped")
    # Launched together: one reservation holding both, both running.
    assert [r["ReservationId"] for r in described["Reservations"]] == [run["ReservationId"]]
    assert {i["InstanceId"] for i in instances_of(described)} == set(ids)
    assert all(i["State"] == {"Code": 16, "Name": "running"} for i in instances_of(described))

    console = cli.ok("ec2", "get-console-output", "--instance-id", ids[0])
    assert console["InstanceId"] == ids[0]
    assert f"STRATO-READY {ids[0]}" in console["Output"]  # the CLI decodes the base64

    stopped = cli.ok("ec2", "stop-instances", "--instance-ids", ids[0])["StoppingInstances"]
    assert stopped == [{"InstanceId": ids[0], "CurrentState": {"Code": 64, "Name": "stopping"},
                        "PreviousState": {"Code": 16, "Name": "running"}}]
    cli.ok("ec2", "wait", "instance-stopped", "--instance-ids", ids[0])

    gone = cli.ok("ec2", "terminate-instances", "--instance-ids", *ids)["TerminatingInstances"]
    prev = {g["InstanceId"]: g["PreviousState"]["Name"] for g in gone}
    assert prev == {ids[0]: "stopped", ids[1]: "running"}
    assert all(g["CurrentState"] == {"Code": 32, "Name": "shutting-down"} for g in gone)
    cli.ok("ec2", "wait", "instance-terminated", "--instance-ids", *ids)


def test_tags_and_key_pairs(cli, shared_stratod, tenant, image_id, tmp_path):
    ec2 = boto3_ec2(shared_stratod.endpoint, tenant)
    iid = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                            MaxCount=1)["Instances"][0]["InstanceId"]
    try:
        cli.ok("ec2", "create-tags", "--resources", iid, "--tags", "Key=team,Value=a",
               "Key=tier,Value=web")
        cli.ok("ec2", "delete-tags", "--resources", iid, "--tags", "Key=tier")
        tags = cli.ok("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={iid}")
        assert [(t["ResourceId"], t["ResourceType"], t["Key"], t["Value"])
                for t in tags["Tags"]] == [(iid, "instance", "team", "a")]
    finally:
        ec2.terminate_instances(InstanceIds=[iid])

    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    fingerprint = subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True,
                                 capture_output=True, text=True).stdout.split()[1]
    name = unique("key")
    imported = cli.ok("ec2", "import-key-pair", "--key-name", name,
                      "--public-key-material", f"fileb://{key}.pub")
    assert imported["KeyName"] == name and imported["KeyFingerprint"] == fingerprint
    created_name = unique("created")
    created = cli.ok("ec2", "create-key-pair", "--key-name", created_name)
    assert "BEGIN RSA PRIVATE KEY" in created["KeyMaterial"]
    listed = cli.ok("ec2", "describe-key-pairs")["KeyPairs"]
    assert sorted((k["KeyName"], k["KeyPairId"], k["KeyType"]) for k in listed) == sorted([
        (name, imported["KeyPairId"], "ed25519"), (created_name, created["KeyPairId"], "rsa")])
    cli.ok("ec2", "delete-key-pair", "--key-name", name)
    ec2.delete_key_pair(KeyName=created_name)
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_errors_the_cli_shows(cli, shared_stratod, admin, image_id):
    other = cli_for(shared_stratod.endpoint, new_tenant(admin))
    theirs = other.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type",
                      "t3.nano")["Instances"][0]["InstanceId"]
    try:
        # Another tenant's instance is not found, exactly like one that never existed.
        err = cli.fails("InvalidInstanceID.NotFound", "ec2", "terminate-instances",
                        "--instance-ids", theirs)
        assert theirs in err
        cli.fails("UnknownParameter", "ec2", "run-instances", "--image-id", image_id,
                  "--instance-type", "t3.nano", "--ebs-optimized")
        cli.fails("InvalidSubnetID.Malformed", "ec2", "run-instances", "--image-id", image_id,
                  "--instance-type", "t3.nano", "--subnet-id", "subnet-12345678")
        cli.fails("InvalidAMIID.NotFound", "ec2", "run-instances", "--image-id",
                  "ami-0123456789abcdef0", "--instance-type", "t3.nano")
    finally:
        other.ok("ec2", "terminate-instances", "--instance-ids", theirs)


def test_dry_run_stops_before_anything_happens(cli, image_id):
    before = cli.ok("ec2", "describe-volumes")["Volumes"]
    n_instances = len(instances_of(cli.ok("ec2", "describe-instances")))
    for args in (["run-instances", "--image-id", image_id, "--instance-type", "t3.nano"],
                 ["create-volume", "--size", "1", "--availability-zone", "strato-1a"],
                 ["describe-instances"], ["create-key-pair", "--key-name", unique("dry")]):
        err = cli.fails("DryRunOperation", "ec2", *args, "--dry-run")
        assert "Request would have succeeded, but DryRun flag is set" in err
    assert cli.ok("ec2", "describe-volumes")["Volumes"] == before
    assert len(instances_of(cli.ok("ec2", "describe-instances"))) == n_instances
    # --no-dry-run is the plain call.
    assert "Reservations" in cli.ok("ec2", "describe-instances", "--no-dry-run")

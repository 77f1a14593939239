"""Security groups and elastic IPs through the native API, the strato CLI, the real aws CLI
v2 and boto3, against a stratod with sim hosts: every bad input is a clear 4xx that changes
nothing, another tenant's groups and addresses are NotFound. (Real packets are in
test_vm_security_groups.py and test_vm_elastic_ips.py.)"""

import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import STRATO_CLI, add_sim_hosts, new_tenant
from ec2_support import boto3_ec2, cli_for


def expect_error(api, method, path, body, status, code):
    r = api.request(method, path, body=body)
    assert (r.status, r.code) == (status, code), r
    return r


def group(api, name, **extra):
    return api.ok("POST", "/v1/security-groups", {"name": name, **extra}, expect=(201,))


def tcp(port, to=None, cidr="0.0.0.0/0"):
    return {"protocol": "tcp", "from_port": port, "to_port": port if to is None else to,
            "cidr": cidr}


def test_default_group_and_launch_membership(tenant):
    api = tenant.api
    inst = api.run()[0]
    groups = api.ok("GET", "/v1/security-groups")["security_groups"]
    assert [g["name"] for g in groups] == ["default"]
    default = groups[0]
    assert default["is_default"] and default["vpc_id"] == inst["vpc_id"]
    assert default["egress"][0]["protocol"] == "all" and default["egress"][0]["cidr"] == "0.0.0.0/0"
    assert default["ingress"][0]["source_group_id"] == default["id"]
    got = api.ok("GET", f"/v1/instances/{inst['id']}/security-groups")
    assert got["security_group_ids"] == [default["id"]]
    expect_error(api, "DELETE", f"/v1/security-groups/{default['id']}", None, 400, "CannotDelete")


def test_rules_and_bad_input_change_nothing(tenant):
    api = tenant.api
    g = group(api, "web", description="web servers")
    path = f"/v1/security-groups/{g['id']}"
    before = api.ok("GET", path)
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": [tcp(90, 80)]}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": [tcp(1, 70000)]}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress",
                 {"rules": [{"protocol": "sctp", "cidr": "0.0.0.0/0"}]}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress",
                 {"rules": [{"protocol": "tcp", "from_port": 22, "to_port": 22}]}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": [tcp(22), tcp(5, 1)]}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": "tcp"}, 400,
                 "InvalidParameterValue")
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": [tcp(22)], "x": 1}, 400,
                 "UnknownParameter")
    assert api.ok("GET", path) == before

    after = api.ok("POST", path + "/authorize-ingress",
                   {"rules": [tcp(22), tcp(8000, 8080, "10.0.0.0/8"),
                              {"protocol": "icmp", "source_group_id": g["id"]}]})
    assert len(after["ingress"]) == 3
    assert {(r["protocol"], r.get("from_port"), r.get("to_port")) for r in after["ingress"]} == {
        ("tcp", 22, 22), ("tcp", 8000, 8080), ("icmp", None, None)}
    expect_error(api, "POST", path + "/authorize-ingress", {"rules": [tcp(22)]}, 400,
                 "InvalidPermission.Duplicate")
    expect_error(api, "POST", path + "/revoke-ingress", {"rules": [tcp(23)]}, 400,
                 "InvalidPermission.NotFound")
    after = api.ok("POST", path + "/revoke-ingress", {"rules": [tcp(22)]})
    assert len(after["ingress"]) == 2
    after = api.ok("POST", path + "/authorize-egress", {"rules": [tcp(443)]})
    assert len(after["egress"]) == 2
    expect_error(api, "POST", "/v1/security-groups", {"name": "web"}, 409, "InvalidGroup.Duplicate")
    expect_error(api, "POST", "/v1/security-groups", {"name": "default"}, 400,
                 "InvalidParameterValue")


def test_instance_groups_limits_and_deletion(tenant):
    api = tenant.api
    gs = [group(api, f"g{k}")["id"] for k in range(6)]
    r = api.request("POST", "/v1/instances",
                    body={"image_id": api.ok("GET", "/v1/images")["images"][0]["id"],
                          "instance_type": "t3.micro", "security_group_ids": gs})
    assert (r.status, r.code) == (400, "SecurityGroupsPerInstanceLimitExceeded"), r
    before = len(api.instances())
    inst = api.run(security_group_ids=gs[:2])[0]
    assert len(api.instances()) == before + 1
    sg_path = f"/v1/instances/{inst['id']}/security-groups"
    assert api.ok("GET", sg_path)["security_group_ids"] == gs[:2]
    expect_error(api, "POST", sg_path, {"security_group_ids": gs}, 400,
                 "SecurityGroupsPerInstanceLimitExceeded")
    expect_error(api, "POST", sg_path, {"security_group_ids": []}, 400, "MissingParameter")
    expect_error(api, "POST", sg_path, {"security_group_ids": ["sg-nope"]}, 400,
                 "InvalidGroup.Malformed")
    assert api.ok("GET", sg_path)["security_group_ids"] == gs[:2]
    expect_error(api, "DELETE", f"/v1/security-groups/{gs[0]}", None, 409, "DependencyViolation")
    assert api.ok("POST", sg_path, {"security_group_ids": [gs[2]]})["security_group_ids"] == [gs[2]]
    api.ok("DELETE", f"/v1/security-groups/{gs[0]}", expect=(204,))
    # A group named as a peer by another group's rule stays too.
    api.ok("POST", f"/v1/security-groups/{gs[3]}/authorize-ingress",
           {"rules": [{"protocol": "all", "source_group_id": gs[4]}]})
    expect_error(api, "DELETE", f"/v1/security-groups/{gs[4]}", None, 409, "DependencyViolation")


def test_another_tenants_groups_and_addresses_are_not_found(admin, tenant):
    other = new_tenant(admin)
    g = group(tenant.api, "private")
    eip = tenant.api.ok("POST", "/v1/addresses", expect=(201,))
    theirs = other.api.run()[0]
    for method, path, body in [
            ("GET", f"/v1/security-groups/{g['id']}", None),
            ("DELETE", f"/v1/security-groups/{g['id']}", None),
            ("POST", f"/v1/security-groups/{g['id']}/authorize-ingress", {"rules": [tcp(22)]})]:
        expect_error(other.api, method, path, body, 404, "InvalidGroup.NotFound")
    expect_error(other.api, "POST", f"/v1/instances/{theirs['id']}/security-groups",
                 {"security_group_ids": [g["id"]]}, 404, "InvalidGroup.NotFound")
    # Associating another tenant's address: 4xx, nothing changed.
    expect_error(other.api, "POST", f"/v1/addresses/{eip['id']}/associate",
                 {"instance_id": theirs["id"]}, 404, "InvalidAllocationID.NotFound")
    expect_error(other.api, "DELETE", f"/v1/addresses/{eip['id']}", None, 404,
                 "InvalidAllocationID.NotFound")
    assert tenant.api.ok("GET", f"/v1/addresses/{eip['id']}")["instance_id"] is None
    assert other.api.ok("GET", "/v1/addresses")["addresses"] == []


def test_elastic_ip_lifecycle(tenant):
    api = tenant.api
    inst = api.run()[0]
    eip = api.ok("POST", "/v1/addresses", expect=(201,))
    assert eip["public_ip"].startswith("198.51.100.") and eip["instance_id"] is None
    listed = api.ok("GET", "/v1/addresses")["addresses"]
    assert [a["id"] for a in listed] == [eip["id"]]  # recorded while unassociated
    path = f"/v1/addresses/{eip['id']}"
    expect_error(api, "POST", path + "/associate", {}, 400, "MissingParameter")
    expect_error(api, "POST", path + "/associate", {"instance_id": "i-00000000000000000"}, 404,
                 "InvalidInstanceID.NotFound")
    a = api.ok("POST", path + "/associate", {"instance_id": inst["id"]})
    assert a["instance_id"] == inst["id"] and a["association_id"].startswith("eipassoc-")
    other = api.run()[0]
    expect_error(api, "POST", path + "/associate", {"instance_id": other["id"]}, 409,
                 "Resource.AlreadyAssociated")
    expect_error(api, "DELETE", path, None, 409, "InvalidIPAddress.InUse")
    api.ok("POST", path + "/disassociate")
    assert api.ok("GET", path)["instance_id"] is None
    api.ok("DELETE", path, expect=(204,))
    expect_error(api, "GET", path, None, 404, "InvalidAllocationID.NotFound")


def test_map_public_ip_on_launch(tenant):
    api = tenant.api
    vpc = api.ok("POST", "/v1/vpcs", {"cidr": "10.9.0.0/16"}, expect=(201,))
    sub = api.ok("POST", "/v1/subnets", {"vpc_id": vpc["id"], "cidr": "10.9.1.0/24"},
                 expect=(201,))
    attr = f"/v1/subnets/{sub['id']}/attributes"
    assert api.ok("GET", attr)["map_public_ip_on_launch"] is False
    api.ok("POST", attr, {"map_public_ip_on_launch": True})
    inst = api.run(subnet_id=sub["id"])[0]
    auto = [a for a in api.ok("GET", "/v1/addresses")["addresses"]
            if a["instance_id"] == inst["id"]]
    assert len(auto) == 1 and auto[0]["auto_assigned"]
    api.ok("POST", f"/v1/instances/{inst['id']}/terminate")
    api.wait_state(inst["id"], "terminated")
    # An auto-assigned address goes with its instance.
    assert all(a["instance_id"] != inst["id"] for a in api.ok("GET", "/v1/addresses")["addresses"])


def test_aws_cli_security_groups_and_addresses(shared_stratod, tenant, image_id):
    cli = cli_for(shared_stratod.endpoint, tenant)
    gid = cli.ok("ec2", "create-security-group", "--group-name", "web",
                 "--description", "web tier")["GroupId"]
    cli.ok("ec2", "authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
           "--port", "22", "--cidr", "10.0.0.0/8")
    cli.ok("ec2", "authorize-security-group-ingress", "--group-id", gid, "--ip-permissions",
           f"IpProtocol=tcp,FromPort=80,ToPort=81,IpRanges=[{{CidrIp=0.0.0.0/0}}],"
           f"UserIdGroupPairs=[{{GroupId={gid}}}]")
    cli.fails("InvalidParameterValue", "ec2", "authorize-security-group-ingress", "--group-id",
              gid, "--ip-permissions", "IpProtocol=tcp,FromPort=90,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0}]")
    described = cli.ok("ec2", "describe-security-groups", "--group-ids", gid)["SecurityGroups"]
    assert len(described) == 1 and described[0]["GroupName"] == "web"
    perms = described[0]["IpPermissions"]
    assert {(p["IpProtocol"], p.get("FromPort")) for p in perms} == {("tcp", 22), ("tcp", 80)}
    assert any(p["UserIdGroupPairs"] and p["UserIdGroupPairs"][0]["GroupId"] == gid for p in perms)
    assert described[0]["IpPermissionsEgress"][0]["IpProtocol"] == "-1"
    cli.ok("ec2", "revoke-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
           "--port", "22", "--cidr", "10.0.0.0/8")
    cli.ok("ec2", "revoke-security-group-egress", "--group-id", gid, "--ip-permissions",
           "IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]")
    cli.ok("ec2", "authorize-security-group-egress", "--group-id", gid, "--ip-permissions",
           "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.0.0.2/32}]")
    g = cli.ok("ec2", "describe-security-groups", "--group-ids", gid)["SecurityGroups"][0]
    assert [p["FromPort"] for p in g["IpPermissionsEgress"]] == [53]
    run = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                 "--count", "1", "--security-group-ids", gid)
    iid = run["Instances"][0]["InstanceId"]
    assert run["Instances"][0]["SecurityGroups"] == [{"GroupId": gid, "GroupName": "web"}]
    assert tenant.api.ok("GET", f"/v1/instances/{iid}/security-groups")["security_group_ids"] == [gid]
    cli.fails("DependencyViolation", "ec2", "delete-security-group", "--group-id", gid)

    alloc = cli.ok("ec2", "allocate-address", "--domain", "vpc")
    assert alloc["PublicIp"].startswith("198.51.100.")
    assoc = cli.ok("ec2", "associate-address", "--allocation-id", alloc["AllocationId"],
                   "--instance-id", iid)["AssociationId"]
    addrs = cli.ok("ec2", "describe-addresses")["Addresses"]
    assert [(a["PublicIp"], a.get("InstanceId"), a.get("AssociationId")) for a in addrs] == [
        (alloc["PublicIp"], iid, assoc)]
    # DescribeInstances shows the groups and the public address, on the instance and its NIC.
    inst = cli.ok("ec2", "describe-instances", "--instance-ids", iid)["Reservations"][0][
        "Instances"][0]
    assert inst["PublicIpAddress"] == alloc["PublicIp"]
    assert inst["SecurityGroups"] == [{"GroupId": gid, "GroupName": "web"}]
    [nic] = inst["NetworkInterfaces"]
    assert nic["Association"]["PublicIp"] == alloc["PublicIp"]
    assert nic["Groups"] == [{"GroupId": gid, "GroupName": "web"}]
    native = tenant.api.instance(iid)
    assert (native["public_ip"], native["security_group_ids"]) == (alloc["PublicIp"], [gid])
    cli.fails("InvalidIPAddress.InUse", "ec2", "release-address", "--allocation-id",
              alloc["AllocationId"])
    cli.ok("ec2", "disassociate-address", "--association-id", assoc)
    inst = cli.ok("ec2", "describe-instances", "--instance-ids", iid)["Reservations"][0][
        "Instances"][0]
    assert "PublicIpAddress" not in inst and "Association" not in inst["NetworkInterfaces"][0]
    assert tenant.api.instance(iid)["public_ip"] is None
    cli.ok("ec2", "release-address", "--allocation-id", alloc["AllocationId"])
    assert cli.ok("ec2", "describe-addresses")["Addresses"] == []
    cli.ok("ec2", "terminate-instances", "--instance-ids", iid)
    tenant.api.wait_state(iid, "terminated")
    cli.ok("ec2", "delete-security-group", "--group-id", gid)


def test_boto3_security_groups_and_addresses(shared_stratod, admin, tenant):
    ec2 = boto3_ec2(shared_stratod.endpoint, tenant)
    gid = ec2.create_security_group(GroupName="db", Description="db tier")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "IpRanges": [{"CidrIp": "10.1.0.0/16", "Description": "app"}]}])
    g = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    assert g["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.1.0.0/16", "Description": "app"}]
    names = {x["GroupName"] for x in ec2.describe_security_groups()["SecurityGroups"]}
    assert {"default", "db"} <= names
    with pytest.raises(ClientError) as e:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    other = boto3_ec2(shared_stratod.endpoint, new_tenant(admin))
    for call in (lambda: other.describe_security_groups(GroupIds=[gid]),
                 lambda: other.delete_security_group(GroupId=gid)):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "InvalidGroup.NotFound"
    alloc = ec2.allocate_address(Domain="vpc")
    with pytest.raises(ClientError) as e:
        other.release_address(AllocationId=alloc["AllocationId"])
    assert e.value.response["Error"]["Code"] == "InvalidAllocationID.NotFound"
    ec2.release_address(AllocationId=alloc["AllocationId"])
    ec2.delete_security_group(GroupId=gid)


def test_strato_cli(make_stratod):
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip(f"the strato CLI is not built at {STRATO_CLI}")
    d = make_stratod()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    env["STRATO_CREDENTIALS_FILE"] = str(d.data_dir / "credentials")
    env["HOME"] = str(d.root)

    def cli(*args, check=0):
        p = subprocess.run([STRATO_CLI, "-o", "json", *args], env=env, capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert p.returncode == check, (args, p.returncode, p.stdout, p.stderr)
        return json.loads(p.stdout) if check == 0 and p.stdout.strip() else p

    g = cli("security-group", "create", "--name", "web", "--description", "web tier")
    g = cli("security-group", "authorize-ingress", g["id"], "--protocol", "tcp", "--port",
            "8000-8080", "--cidr", "0.0.0.0/0")
    assert [(r["from_port"], r["to_port"]) for r in g["ingress"]] == [(8000, 8080)]
    bad = cli("security-group", "authorize-ingress", g["id"], "--protocol", "tcp", "--port",
              "80-70", "--cidr", "0.0.0.0/0", check=3)
    assert "InvalidParameterValue" in bad.stderr
    bad = cli("security-group", "authorize-ingress", g["id"], "--protocol", "tcp", "--port",
              "eighty", "--cidr", "0.0.0.0/0", check=2)
    g = cli("security-group", "revoke-ingress", g["id"], "--protocol", "tcp", "--port",
            "8000-8080", "--cidr", "0.0.0.0/0")
    assert g["ingress"] == []
    listed = cli("security-group", "list")["security_groups"]
    assert {x["name"] for x in listed} == {"default", "web"}
    image = d.admin.ok("GET", "/v1/images")["images"][0]["id"]
    add_sim_hosts(d.admin, 1, vcpus=8, memory_mib=16384)
    run = cli("instance", "run", "--image-id", image, "--type", "t3.nano",
              "--security-group-id", g["id"])
    iid = run["instances"][0]["id"]
    default = next(x["id"] for x in listed if x["name"] == "default")
    out = cli("instance", "set-security-groups", iid, "--group-id", default, "--group-id", g["id"])
    assert out["security_group_ids"] == [default, g["id"]]
    eip = cli("address", "allocate")
    a = cli("address", "associate", eip["id"], "--instance-id", iid)
    assert a["instance_id"] == iid
    assert cli("address", "list")["addresses"][0]["public_ip"] == eip["public_ip"]
    cli("address", "disassociate", eip["id"])
    cli("address", "release", eip["id"])
    assert cli("address", "list")["addresses"] == []

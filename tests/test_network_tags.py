"""Tags on VPCs, subnets, security groups and elastic IPs: at creation (EC2 TagSpecifications,
native "tags"), with CreateTags/DeleteTags and PUT /v1/tags afterwards, shown by the Describe
actions and DescribeTags, matched by tag filters, gone with the resource, never reachable
from another tenant. The real aws CLI v2 and boto3 against a stratod with sim hosts."""

import botocore.exceptions
import pytest

from conftest import new_tenant
from ec2_support import boto3_ec2, cli, cli_for, ec2, ec2_raw, error_code  # noqa: F401 (fixtures)


def tags_of(described):
    return {t["Key"]: t["Value"] for t in described.get("Tags", [])}


def spec(resource_type, **tags):
    pairs = ",".join(f"{{Key={k},Value={v}}}" for k, v in tags.items())
    return f"ResourceType={resource_type},Tags=[{pairs}]"


def test_tags_at_creation_later_and_in_filters(cli):
    vpc = cli.ok("ec2", "create-vpc", "--cidr-block", "10.60.0.0/16",
                 "--tag-specifications", spec("vpc", Name="blue"))["Vpc"]
    vpc_id = vpc["VpcId"]
    assert tags_of(vpc) == {"Name": "blue"}
    subnet = cli.ok("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.60.1.0/24",
                    "--tag-specifications", spec("subnet", Name="blue-a"))["Subnet"]
    sub_id = subnet["SubnetId"]
    assert tags_of(subnet) == {"Name": "blue-a"}
    group = cli.ok("ec2", "create-security-group", "--group-name", "web", "--description", "web",
                   "--vpc-id", vpc_id, "--tag-specifications",
                   spec("security-group", Name="web"))
    sg_id = group["GroupId"]
    assert tags_of(group) == {"Name": "web"}
    address = cli.ok("ec2", "allocate-address", "--tag-specifications",
                     spec("elastic-ip", Name="front"))
    alloc_id = address["AllocationId"]

    ids = [vpc_id, sub_id, sg_id, alloc_id]
    cli.ok("ec2", "create-tags", "--resources", *ids, "--tags", "Key=team,Value=net")

    [v] = cli.ok("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=blue")["Vpcs"]
    assert v["VpcId"] == vpc_id and tags_of(v) == {"Name": "blue", "team": "net"}
    [s] = cli.ok("ec2", "describe-subnets", "--filters", "Name=tag:Name,Values=blue-*")["Subnets"]
    assert s["SubnetId"] == sub_id and tags_of(s) == {"Name": "blue-a", "team": "net"}
    [g] = cli.ok("ec2", "describe-security-groups", "--filters",
                 "Name=tag-key,Values=team")["SecurityGroups"]
    assert g["GroupId"] == sg_id and tags_of(g) == {"Name": "web", "team": "net"}
    [a] = cli.ok("ec2", "describe-addresses", "--filters",
                 "Name=tag:team,Values=net")["Addresses"]
    assert a["AllocationId"] == alloc_id and tags_of(a) == {"Name": "front", "team": "net"}
    # The default VPC and its group carry no tags: filtered out.
    assert [v["VpcId"] for v in cli.ok("ec2", "describe-vpcs", "--filters",
                                       "Name=tag-key,Values=team")["Vpcs"]] == [vpc_id]

    described = cli.ok("ec2", "describe-tags", "--filters", "Name=key,Values=team")["Tags"]
    assert {(t["ResourceId"], t["ResourceType"]) for t in described} == {
        (vpc_id, "vpc"), (sub_id, "subnet"), (sg_id, "security-group"),
        (alloc_id, "elastic-ip")}
    by_id = cli.ok("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={sg_id}")
    assert {t["Key"]: t["Value"] for t in by_id["Tags"]} == {"Name": "web", "team": "net"}

    cli.ok("ec2", "delete-tags", "--resources", *ids, "--tags", "Key=team")
    assert tags_of(cli.ok("ec2", "describe-vpcs", "--vpc-ids", vpc_id)["Vpcs"][0]) == {
        "Name": "blue"}
    assert cli.ok("ec2", "describe-tags", "--filters", "Name=key,Values=team")["Tags"] == []

    # Deleting a resource deletes its tags.
    cli.ok("ec2", "release-address", "--allocation-id", alloc_id)
    cli.ok("ec2", "delete-security-group", "--group-id", sg_id)
    cli.ok("ec2", "delete-subnet", "--subnet-id", sub_id)
    cli.ok("ec2", "delete-vpc", "--vpc-id", vpc_id)
    assert cli.ok("ec2", "describe-tags")["Tags"] == []


def test_wrong_tag_specifications_create_nothing(tenant, ec2):
    vpcs_before = ec2.describe_vpcs()["Vpcs"]
    vpc_id = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    groups_before = ec2.describe_security_groups()["SecurityGroups"]
    cases = [
        ("CreateVpc", {"CidrBlock": "10.62.0.0/16", "TagSpecification.1.ResourceType": "subnet",
                       "TagSpecification.1.Tag.1.Key": "a", "TagSpecification.1.Tag.1.Value": "b"},
         "InvalidParameterValue"),
        ("CreateVpc", {"CidrBlock": "10.62.0.0/16", "TagSpecification.1.ResourceType": "vpc",
                       "TagSpecification.1.Tag.1.Key": "aws:reserved",
                       "TagSpecification.1.Tag.1.Value": "b"}, "InvalidParameterValue"),
        ("CreateSubnet", {"VpcId": vpc_id, "CidrBlock": "10.61.1.0/24",
                          "TagSpecification.1.ResourceType": "vpc",
                          "TagSpecification.1.Tag.1.Key": "a"}, "InvalidParameterValue"),
        ("CreateSecurityGroup", {"GroupName": "x", "GroupDescription": "x", "VpcId": vpc_id,
                                 "TagSpecification.1.ResourceType": "instance",
                                 "TagSpecification.1.Tag.1.Key": "a"}, "InvalidParameterValue"),
        ("AllocateAddress", {"TagSpecification.1.ResourceType": "volume",
                             "TagSpecification.1.Tag.1.Key": "a"}, "InvalidParameterValue"),
        ("DescribeAddresses", {"Filter.1.Name": "colour", "Filter.1.Value.1": "x"},
         "InvalidParameterValue"),
        ("DescribeSecurityGroups", {"Filter.1.Name": "colour", "Filter.1.Value.1": "x"},
         "InvalidParameterValue"),
        ("CreateTags", {"ResourceId.1": "vpc-0123456789abcdef0", "Tag.1.Key": "a"},
         "InvalidVpcID.NotFound"),
        ("CreateTags", {"ResourceId.1": "subnet-0123456789abcdef0", "Tag.1.Key": "a"},
         "InvalidSubnetID.NotFound"),
        ("CreateTags", {"ResourceId.1": "sg-0123456789abcdef0", "Tag.1.Key": "a"},
         "InvalidGroup.NotFound"),
        ("CreateTags", {"ResourceId.1": "eipalloc-0123456789abcdef0", "Tag.1.Key": "a"},
         "InvalidAllocationID.NotFound"),
    ]
    for action, params, code in cases:
        r = ec2_raw(tenant.api, action, params)
        assert (r.status, r.error_code) == (400, code), (action, params, r)
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == sorted(
        [v["VpcId"] for v in vpcs_before] + [vpc_id])
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"] == []
    assert ec2.describe_security_groups()["SecurityGroups"] != []
    assert {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]} - {
        g["GroupId"] for g in groups_before} <= {
        g["GroupId"] for g in ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
        if g["GroupName"] == "default"}
    assert ec2.describe_addresses()["Addresses"] == []
    assert ec2.describe_tags()["Tags"] == []
    ec2.delete_vpc(VpcId=vpc_id)


def test_another_tenants_network_resources_cannot_be_tagged(shared_stratod, admin, tenant, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    sg_id = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc_id)["GroupId"]
    alloc_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    b = boto3_ec2(shared_stratod.endpoint, new_tenant(admin))
    for rid, code in ((vpc_id, "InvalidVpcID.NotFound"), (sg_id, "InvalidGroup.NotFound"),
                      (alloc_id, "InvalidAllocationID.NotFound")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            b.create_tags(Resources=[rid], Tags=[{"Key": "mine", "Value": "now"}])
        assert error_code(e) == code
        with pytest.raises(botocore.exceptions.ClientError) as e:
            b.delete_tags(Resources=[rid])
        assert error_code(e) == code
    assert b.describe_tags()["Tags"] == []
    assert ec2.describe_tags()["Tags"] == []
    ec2.release_address(AllocationId=alloc_id)
    ec2.delete_security_group(GroupId=sg_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_native_api_tags_network_resources(tenant):
    api = tenant.api
    vpc = api.ok("POST", "/v1/vpcs", {"cidr": "10.64.0.0/16", "tags": {"Name": "n"}},
                 expect=(201,))
    assert vpc["tags"] == {"Name": "n"}
    subnet = api.ok("POST", "/v1/subnets", {"vpc_id": vpc["id"], "cidr": "10.64.1.0/24",
                                            "tags": {"Name": "s"}}, expect=(201,))
    assert subnet["tags"] == {"Name": "s"}
    group = api.ok("POST", "/v1/security-groups", {"name": "g", "vpc_id": vpc["id"],
                                                   "tags": {"Name": "g"}}, expect=(201,))
    assert group["tags"] == {"Name": "g"}
    address = api.ok("POST", "/v1/addresses", {"tags": {"Name": "a"}}, expect=(201,))
    assert address["tags"] == {"Name": "a"}
    ids = [vpc["id"], subnet["id"], group["id"], address["id"]]
    api.ok("PUT", "/v1/tags", {"resource_ids": ids, "tags": {"env": "test"}}, expect=(204,))
    assert api.ok("GET", f"/v1/vpcs/{vpc['id']}")["tags"] == {"Name": "n", "env": "test"}
    assert api.ok("GET", f"/v1/subnets/{subnet['id']}")["tags"] == {"Name": "s", "env": "test"}
    assert api.ok("GET", f"/v1/security-groups/{group['id']}")["tags"] == {"Name": "g",
                                                                           "env": "test"}
    assert api.ok("GET", f"/v1/addresses/{address['id']}")["tags"] == {"Name": "a", "env": "test"}
    r = api.request("POST", "/v1/vpcs", {"cidr": "10.65.0.0/16", "tags": {"aws:x": "y"}})
    assert r.status == 400 and r.code == "InvalidParameterValue", r
    r = api.request("POST", "/v1/vpcs", {"cidr": "10.65.0.0/16", "tags": ["x"]})
    assert r.status == 400, r
    api.ok("DELETE", f"/v1/addresses/{address['id']}", expect=(204,))
    api.ok("DELETE", f"/v1/security-groups/{group['id']}", expect=(204,))
    api.ok("DELETE", f"/v1/subnets/{subnet['id']}", expect=(204,))
    api.ok("DELETE", f"/v1/vpcs/{vpc['id']}", expect=(204,))

"""EC2 VPC and subnet actions, and RunInstances into a subnet with a chosen private address,
through the real aws CLI v2 and boto3 against a stratod with sim hosts."""

import botocore.exceptions
import pytest

from conftest import new_tenant
from ec2_support import FAST_WAIT, boto3_ec2, cli, ec2, ec2_raw, error_code  # noqa: F401 (fixtures)


def test_vpc_subnet_instance_lifecycle(cli, ec2, image_id):
    vpc = cli.ok("ec2", "create-vpc", "--cidr-block", "10.20.0.0/16")["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc_id.startswith("vpc-")
    assert (vpc["CidrBlock"], vpc["State"], vpc["IsDefault"], vpc["InstanceTenancy"]) == (
        "10.20.0.0/16", "available", False, "default")
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == "10.20.0.0/16"
    vpcs = cli.ok("ec2", "describe-vpcs")["Vpcs"]
    assert {v["VpcId"] for v in vpcs if not v["IsDefault"]} == {vpc_id}
    # The tenant's default VPC is there too, as in EC2.
    assert [v["CidrBlock"] for v in vpcs if v["IsDefault"]] == ["172.16.0.0/12"]
    assert [v["VpcId"] for v in cli.ok("ec2", "describe-vpcs", "--filters",
                                       "Name=cidr,Values=10.20.*")["Vpcs"]] == [vpc_id]
    cli.ok("ec2", "wait", "vpc-available", "--vpc-ids", vpc_id)

    subnet = cli.ok("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block",
                    "10.20.1.0/24", "--availability-zone", "strato-1a")["Subnet"]
    sub_id = subnet["SubnetId"]
    assert (subnet["VpcId"], subnet["CidrBlock"], subnet["State"]) == (
        vpc_id, "10.20.1.0/24", "available")
    assert subnet["AvailableIpAddressCount"] == 251
    assert subnet["AvailabilityZone"] == "strato-1a" and subnet["DefaultForAz"] is False
    listed = cli.ok("ec2", "describe-subnets", "--filters",
                    f"Name=vpc-id,Values={vpc_id}")["Subnets"]
    assert [s["SubnetId"] for s in listed] == [sub_id]

    run = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                 "--subnet-id", sub_id, "--private-ip-address", "10.20.1.50")
    inst = run["Instances"][0]
    iid = inst["InstanceId"]
    assert (inst["PrivateIpAddress"], inst["SubnetId"], inst["VpcId"]) == (
        "10.20.1.50", sub_id, vpc_id)
    [nic] = inst["NetworkInterfaces"]
    assert nic["NetworkInterfaceId"].startswith("eni-")
    assert (nic["PrivateIpAddress"], nic["SubnetId"], nic["VpcId"]) == (
        "10.20.1.50", sub_id, vpc_id)
    assert nic["MacAddress"].startswith("02:") and nic["Attachment"]["DeviceIndex"] == 0
    cli.ok("ec2", "wait", "instance-running", "--instance-ids", iid)
    described = cli.ok("ec2", "describe-instances", "--instance-ids", iid)
    d = described["Reservations"][0]["Instances"][0]
    assert (d["PrivateIpAddress"], d["SubnetId"], d["VpcId"]) == ("10.20.1.50", sub_id, vpc_id)
    # The name the subnet's dnsmasq and the metadata service give the instance.
    assert d["PrivateDnsName"] == f"{iid}.strato.internal"
    assert d["NetworkInterfaces"][0]["PrivateDnsName"] == f"{iid}.strato.internal"
    assert d["NetworkInterfaces"][0]["PrivateIpAddresses"][0]["PrivateDnsName"] == (
        f"{iid}.strato.internal")
    assert cli.ok("ec2", "describe-subnets", "--subnet-ids", sub_id)["Subnets"][0][
        "AvailableIpAddressCount"] == 250

    # A second instance asking for the same address is refused; one without gets another.
    cli.fails("InvalidIPAddress.InUse", "ec2", "run-instances", "--image-id", image_id,
              "--instance-type", "t3.nano", "--subnet-id", sub_id,
              "--private-ip-address", "10.20.1.50")
    other = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1, MaxCount=1,
                              SubnetId=sub_id)["Instances"][0]
    assert other["PrivateIpAddress"].startswith("10.20.1.")
    assert other["PrivateIpAddress"] != "10.20.1.50"

    # DescribeInstances filters on what it shows: the network, the image, the groups; several
    # values and wildcards too.
    def found(*filters):
        got = ec2.describe_instances(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return sorted(i["InstanceId"] for r in got["Reservations"] for i in r["Instances"])

    both = sorted([iid, other["InstanceId"]])
    assert found(("vpc-id", [vpc_id])) == both
    assert found(("subnet-id", [sub_id]), ("private-ip-address", ["10.20.1.50"])) == [iid]
    assert found(("network-interface.addresses.private-ip-address", ["*.50"])) == [iid]
    assert found(("vpc-id", [vpc_id]), ("private-ip-address", ["10.20.1.*"])) == both
    assert found(("vpc-id", [vpc_id]), ("instance.group-name", ["default"]),
                 ("image-id", [image_id]), ("instance-type", ["t3.nano", "t3.micro"])) == both
    assert found(("private-dns-name", [f"{iid}.strato.internal"])) == [iid]
    assert found(("vpc-id", [vpc_id]), ("root-device-name", ["/dev/sdz"])) == []
    paged = ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}],
                                   MaxResults=5)
    assert "Reservations" in paged

    # In use: neither the subnet nor the VPC can go.
    cli.fails("DependencyViolation", "ec2", "delete-subnet", "--subnet-id", sub_id)
    cli.fails("DependencyViolation", "ec2", "delete-vpc", "--vpc-id", vpc_id)
    cli.ok("ec2", "terminate-instances", "--instance-ids", iid, other["InstanceId"])
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid, other["InstanceId"]],
                                               WaiterConfig=FAST_WAIT)
    cli.ok("ec2", "delete-subnet", "--subnet-id", sub_id)
    cli.ok("ec2", "delete-vpc", "--vpc-id", vpc_id)
    cli.fails("InvalidVpcID.NotFound", "ec2", "describe-vpcs", "--vpc-ids", vpc_id)
    cli.fails("InvalidSubnetID.NotFound", "ec2", "describe-subnets", "--subnet-ids", sub_id)
    assert all(v["IsDefault"] for v in cli.ok("ec2", "describe-vpcs")["Vpcs"])


def test_default_subnet_instances_show_their_network(ec2, image_id):
    inst = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                             MaxCount=1)["Instances"][0]
    default = [s for s in ec2.describe_subnets()["Subnets"] if s["DefaultForAz"]]
    assert len(default) == 1
    assert inst["SubnetId"] == default[0]["SubnetId"] and inst["VpcId"] == default[0]["VpcId"]
    assert inst["PrivateIpAddress"].startswith("172.")
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])


def test_bad_inputs_are_4xx_and_change_nothing(tenant, ec2, image_id):
    api = tenant.api
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    sub_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.0.0/24")["Subnet"]["SubnetId"]
    vpcs_before = ec2.describe_vpcs()["Vpcs"]
    subnets_before = ec2.describe_subnets()["Subnets"]
    cases = [
        ("CreateVpc", {}, "MissingParameter"),
        ("CreateVpc", {"CidrBlock": "banana"}, "InvalidParameterValue"),
        ("CreateVpc", {"CidrBlock": "10.0.0.0/8"}, "InvalidVpc.Range"),
        ("CreateVpc", {"CidrBlock": "10.0.0.0/16", "InstanceTenancy": "dedicated"},
         "InvalidParameterValue"),
        ("CreateVpc", {"CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": "true"},
         "Unsupported"),
        ("CreateVpc", {"CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": "yes"},
         "InvalidParameterValue"),
        ("DescribeVpcs", {"VpcId.1": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        ("DescribeVpcs", {"Filter.1.Name": "colour", "Filter.1.Value.1": "x"},
         "InvalidParameterValue"),
        ("DeleteVpc", {"VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        ("DeleteVpc", {"VpcId": vpc_id}, "DependencyViolation"),
        ("CreateSubnet", {"VpcId": vpc_id}, "MissingParameter"),
        ("CreateSubnet", {"VpcId": vpc_id, "CidrBlock": "10.31.0.0/24"}, "InvalidSubnet.Range"),
        ("CreateSubnet", {"VpcId": vpc_id, "CidrBlock": "10.30.0.128/25"},
         "InvalidSubnet.Conflict"),
        ("CreateSubnet", {"VpcId": vpc_id, "CidrBlock": "10.30.1.0/24",
                          "AvailabilityZone": "mars-1a"}, "InvalidParameterValue"),
        ("CreateSubnet", {"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.30.1.0/24"},
         "InvalidVpcID.NotFound"),
        ("DescribeSubnets", {"SubnetId.1": "subnet-0123456789abcdef0"},
         "InvalidSubnetID.NotFound"),
        ("DeleteSubnet", {"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"),
        ("RunInstances", {"ImageId": image_id, "InstanceType": "t3.nano", "MinCount": "1",
                          "MaxCount": "1", "SubnetId": "subnet-0123456789abcdef0"},
         "InvalidSubnetID.NotFound"),
        ("RunInstances", {"ImageId": image_id, "InstanceType": "t3.nano", "MinCount": "1",
                          "MaxCount": "1", "SubnetId": sub_id, "PrivateIpAddress": "10.99.0.9"},
         "InvalidParameterValue"),
        ("RunInstances", {"ImageId": image_id, "InstanceType": "t3.nano", "MinCount": "1",
                          "MaxCount": "1", "BlockDeviceMapping.1.DeviceName": "/dev/sdz",
                          "BlockDeviceMapping.1.Ebs.VolumeSize": "8"}, "InvalidBlockDeviceMapping"),
        ("RunInstances", {"ImageId": image_id, "InstanceType": "t3.nano", "MinCount": "1",
                          "MaxCount": "1", "BlockDeviceMapping.1.DeviceName": "/dev/sdf",
                          "BlockDeviceMapping.1.Ebs.VolumeSize": "big"},
         "InvalidParameterValue"),
    ]
    for action, params, code in cases:
        r = ec2_raw(api, action, params)
        assert (r.status, r.error_code) == (400, code), (action, params, r)
    assert ec2.describe_vpcs()["Vpcs"] == vpcs_before
    assert ec2.describe_subnets()["Subnets"] == subnets_before
    assert ec2.describe_instances()["Reservations"] == []
    ec2.delete_subnet(SubnetId=sub_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_another_tenants_vpcs_are_not_found(shared_stratod, admin, ec2, image_id):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    sub_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.0.0/24")["Subnet"]["SubnetId"]
    b = boto3_ec2(shared_stratod.endpoint, new_tenant(admin))
    calls = [
        (lambda: b.describe_vpcs(VpcIds=[vpc_id]), "InvalidVpcID.NotFound"),
        (lambda: b.delete_vpc(VpcId=vpc_id), "InvalidVpcID.NotFound"),
        (lambda: b.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24"),
         "InvalidVpcID.NotFound"),
        (lambda: b.describe_subnets(SubnetIds=[sub_id]), "InvalidSubnetID.NotFound"),
        (lambda: b.delete_subnet(SubnetId=sub_id), "InvalidSubnetID.NotFound"),
        (lambda: b.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                                 MaxCount=1, SubnetId=sub_id), "InvalidSubnetID.NotFound"),
    ]
    for call, code in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == code
    assert all(v["IsDefault"] for v in b.describe_vpcs()["Vpcs"])
    assert b.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []
    assert b.describe_instances()["Reservations"] == []
    assert [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]] == [sub_id]
    ec2.delete_subnet(SubnetId=sub_id)
    ec2.delete_vpc(VpcId=vpc_id)

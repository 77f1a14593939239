"""ModifySubnetAttribute MapPublicIpOnLaunch through the aws CLI: DescribeSubnets and the
native subnet show it, instances launched into the subnet get an elastic IP shown by
DescribeInstances, and anything else is a 4xx that changes nothing."""

from ec2_support import cli, ec2_raw  # noqa: F401 (fixtures)


def test_map_public_ip_on_launch_through_the_aws_cli(cli, tenant, image_id):
    vpc_id = cli.ok("ec2", "create-vpc", "--cidr-block", "10.70.0.0/16")["Vpc"]["VpcId"]
    sub_id = cli.ok("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block",
                    "10.70.1.0/24")["Subnet"]["SubnetId"]
    assert cli.ok("ec2", "describe-subnets", "--subnet-ids", sub_id)["Subnets"][0][
        "MapPublicIpOnLaunch"] is False
    cli.ok("ec2", "modify-subnet-attribute", "--subnet-id", sub_id, "--map-public-ip-on-launch")
    [s] = cli.ok("ec2", "describe-subnets", "--filters",
                 "Name=map-public-ip-on-launch,Values=true")["Subnets"]
    assert s["SubnetId"] == sub_id and s["MapPublicIpOnLaunch"] is True
    assert tenant.api.ok("GET", f"/v1/subnets/{sub_id}")["map_public_ip_on_launch"] is True

    run = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                 "--subnet-id", sub_id)
    inst = run["Instances"][0]
    iid = inst["InstanceId"]
    public = inst["PublicIpAddress"]
    assert public.startswith("198.51.100.")
    described = cli.ok("ec2", "describe-instances", "--instance-ids", iid)["Reservations"][0][
        "Instances"][0]
    assert described["PublicIpAddress"] == public
    assert [a["PublicIp"] for a in cli.ok("ec2", "describe-addresses")["Addresses"]] == [public]

    cli.ok("ec2", "modify-subnet-attribute", "--subnet-id", sub_id,
           "--no-map-public-ip-on-launch")
    assert cli.ok("ec2", "describe-subnets", "--subnet-ids", sub_id)["Subnets"][0][
        "MapPublicIpOnLaunch"] is False

    api = tenant.api
    for params, code in [
        ({"SubnetId": sub_id}, "MissingParameter"),
        ({"SubnetId": sub_id, "MapPublicIpOnLaunch.Value": "maybe"}, "InvalidParameterValue"),
        ({"SubnetId": sub_id, "AssignIpv6AddressOnCreation.Value": "true"}, "Unsupported"),
        ({"SubnetId": "subnet-0123456789abcdef0", "MapPublicIpOnLaunch.Value": "true"},
         "InvalidSubnetID.NotFound"),
    ]:
        r = ec2_raw(api, "ModifySubnetAttribute", params)
        assert (r.status, r.error_code) == (400, code), (params, r)
    assert cli.ok("ec2", "describe-subnets", "--subnet-ids", sub_id)["Subnets"][0][
        "MapPublicIpOnLaunch"] is False

    cli.ok("ec2", "terminate-instances", "--instance-ids", iid)
    api.wait_state(iid, "terminated")
    assert cli.ok("ec2", "describe-addresses")["Addresses"] == []  # auto-assigned: released
    cli.ok("ec2", "delete-subnet", "--subnet-id", sub_id)
    cli.ok("ec2", "delete-vpc", "--vpc-id", vpc_id)

"""VPCs, subnets and private addresses through the native API (sim hosts)."""

import ipaddress

import pytest

from conftest import new_tenant


def vpc(api, cidr):
    return api.ok("POST", "/v1/vpcs", {"cidr": cidr}, expect=(201,))


def subnet(api, vpc_id, cidr):
    return api.ok("POST", "/v1/subnets", {"vpc_id": vpc_id, "cidr": cidr}, expect=(201,))


def expect_error(api, method, path, body, status, code):
    r = api.request(method, path, body=body)
    got = (r.json or {}).get("error", {}).get("code")
    assert (r.status, got) == (status, code), r
    return r.json


def test_default_vpc_and_subnet_exist_and_instances_land_there(tenant):
    api = tenant.api
    inst = api.run(count=3)
    vpcs = api.ok("GET", "/v1/vpcs")["vpcs"]
    assert [v["is_default"] for v in vpcs] == [True]
    subnets = api.ok("GET", "/v1/subnets")["subnets"]
    assert len(subnets) == 1 and subnets[0]["is_default"]
    net = ipaddress.ip_network(subnets[0]["cidr"])
    ips = [i["private_ip"] for i in inst]
    assert len(set(ips)) == 3
    for i in inst:
        assert i["subnet_id"] == subnets[0]["id"] and i["vpc_id"] == vpcs[0]["id"]
        assert ipaddress.ip_address(i["private_ip"]) in net
        assert i["mac"].startswith("02:") and len(i["mac"]) == 17
        # Never the network address, the gateway/DNS/reserved .1-.3.
        assert int(ipaddress.ip_address(i["private_ip"])) - int(net.network_address) >= 4
    # The instance as read back carries the same interface.
    got = api.instance(inst[0]["id"])
    assert got["private_ip"] == inst[0]["private_ip"]
    assert got["network_interfaces"][0]["mac"] == inst[0]["mac"]
    assert len({i["mac"] for i in inst}) == 3


def test_vpc_and_subnet_rules(tenant):
    api = tenant.api
    v = vpc(api, "10.1.0.0/16")
    assert v["cidr"] == "10.1.0.0/16" and not v["is_default"]
    for bad in ["10.0.0.0/8", "10.0.0.0/29"]:
        expect_error(api, "POST", "/v1/vpcs", {"cidr": bad}, 400, "InvalidVpc.Range")
    for bad in ["10.1.0.1/16", "nonsense", "10.1.0.0/33"]:
        expect_error(api, "POST", "/v1/vpcs", {"cidr": bad}, 400, "InvalidParameterValue")
    s = subnet(api, v["id"], "10.1.1.0/24")
    assert s["available_ip_address_count"] == 251
    expect_error(api, "POST", "/v1/subnets", {"vpc_id": v["id"], "cidr": "10.2.0.0/24"},
                 400, "InvalidSubnet.Range")
    expect_error(api, "POST", "/v1/subnets", {"vpc_id": v["id"], "cidr": "10.1.1.128/25"},
                 409, "InvalidSubnet.Conflict")
    expect_error(api, "POST", "/v1/subnets", {"vpc_id": v["id"], "cidr": "10.1.0.0/16"},
                 409, "InvalidSubnet.Conflict")
    expect_error(api, "POST", "/v1/subnets", {"vpc_id": "vpc-00000000000000000",
                                              "cidr": "10.1.2.0/24"}, 404, "InvalidVpcID.NotFound")
    # A second VPC may reuse the same CIDR: they never meet.
    v2 = vpc(api, "10.1.0.0/16")
    subnet(api, v2["id"], "10.1.1.0/24")
    listed = api.ok("GET", "/v1/subnets", query={"vpc_id": v["id"]})["subnets"]
    assert [x["id"] for x in listed] == [s["id"]]
    # Nothing changed by the refused requests.
    assert len(api.ok("GET", "/v1/vpcs")["vpcs"]) == 3  # two plus the default


def test_requested_address_full_subnet_and_release(tenant):
    api = tenant.api
    v = vpc(api, "192.168.0.0/16")
    s = subnet(api, v["id"], "192.168.5.0/28")  # 16 - 5 reserved = 11 usable
    assert s["available_ip_address_count"] == 11
    first = api.run(subnet_id=s["id"], private_ip="192.168.5.9")[0]
    assert first["private_ip"] == "192.168.5.9"
    expect_error(api, "POST", "/v1/instances",
                 {"image_id": first["image_id"], "instance_type": "t3.micro",
                  "subnet_id": s["id"], "private_ip": "192.168.5.9"}, 409, "InvalidIPAddress.InUse")
    for reserved in ["192.168.5.0", "192.168.5.1", "192.168.5.3", "192.168.5.15", "192.168.6.4"]:
        expect_error(api, "POST", "/v1/instances",
                     {"image_id": first["image_id"], "instance_type": "t3.micro",
                      "subnet_id": s["id"], "private_ip": reserved}, 400, "InvalidParameterValue")
    rest = api.run(count=10, subnet_id=s["id"])
    ips = sorted(int(ipaddress.ip_address(i["private_ip"])) for i in rest + [first])
    assert ips == list(range(int(ipaddress.ip_address("192.168.5.4")),
                             int(ipaddress.ip_address("192.168.5.15"))))
    assert api.ok("GET", f"/v1/subnets/{s['id']}")["available_ip_address_count"] == 0
    before = len(api.instances())
    expect_error(api, "POST", "/v1/instances",
                 {"image_id": first["image_id"], "instance_type": "t3.micro", "subnet_id": s["id"]},
                 400, "InsufficientFreeAddressesInSubnet")
    assert len(api.instances()) == before, "a refused launch creates nothing"
    # Deleting the subnet or the VPC while in use is refused.
    expect_error(api, "DELETE", f"/v1/subnets/{s['id']}", None, 409, "DependencyViolation")
    expect_error(api, "DELETE", f"/v1/vpcs/{v['id']}", None, 409, "DependencyViolation")
    # Terminating releases the address; the gap is reused.
    api.ok("POST", f"/v1/instances/{first['id']}/terminate", expect=(202,))
    api.wait_state(first["id"], "terminated")
    assert api.instance(first["id"])["private_ip"] is None
    again = api.run(subnet_id=s["id"])[0]
    assert again["private_ip"] == "192.168.5.9"
    for i in rest + [again]:
        api.ok("POST", f"/v1/instances/{i['id']}/terminate", expect=(202,))
    for i in rest + [again]:
        api.wait_state(i["id"], "terminated")
    api.ok("DELETE", f"/v1/subnets/{s['id']}", expect=(204,))
    api.ok("DELETE", f"/v1/vpcs/{v['id']}", expect=(204,))
    expect_error(api, "GET", f"/v1/vpcs/{v['id']}", None, 404, "InvalidVpcID.NotFound")


def test_other_tenants_networks_do_not_exist(admin, tenant):
    other = new_tenant(admin)
    v = vpc(tenant.api, "10.9.0.0/16")
    s = subnet(tenant.api, v["id"], "10.9.0.0/24")
    expect_error(other.api, "GET", f"/v1/vpcs/{v['id']}", None, 404, "InvalidVpcID.NotFound")
    expect_error(other.api, "GET", f"/v1/subnets/{s['id']}", None, 404, "InvalidSubnetID.NotFound")
    expect_error(other.api, "DELETE", f"/v1/vpcs/{v['id']}", None, 404, "InvalidVpcID.NotFound")
    expect_error(other.api, "POST", "/v1/subnets", {"vpc_id": v["id"], "cidr": "10.9.1.0/24"},
                 404, "InvalidVpcID.NotFound")
    expect_error(other.api, "POST", "/v1/instances",
                 {"image_id": tenant.api.run()[0]["image_id"], "instance_type": "t3.micro",
                  "subnet_id": s["id"]}, 404, "InvalidSubnetID.NotFound")
    assert all(x["id"] != v["id"] for x in other.api.ok("GET", "/v1/vpcs")["vpcs"])


@pytest.mark.parametrize("body,code", [
    ({"cidr": 5}, "InvalidParameterValue"),
    ({}, "MissingParameter"),
    ({"cidr": "10.0.0.0/16", "extra": 1}, "UnknownParameter"),
])
def test_malformed_vpc_requests(tenant, body, code):
    r = tenant.api.request("POST", "/v1/vpcs", body=body)
    assert r.status == 400 and r.json["error"]["code"] == code, r


def test_malformed_ids(tenant):
    expect_error(tenant.api, "GET", "/v1/vpcs/vpc-nope", None, 400, "InvalidVpcID.Malformed")
    expect_error(tenant.api, "GET", "/v1/subnets/x", None, 400, "InvalidSubnetID.Malformed")
    expect_error(tenant.api, "POST", "/v1/instances",
                 {"image_id": "ami-00000000000000000", "instance_type": "t3.micro",
                  "private_ip": "10.0.0.300"}, 400, "InvalidParameterValue")

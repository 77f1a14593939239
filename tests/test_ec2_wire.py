"""The EC2 Query wire format, request by request: XML namespace and requestId, the EC2
error document, authentication failures, unknown actions and parameters, wrong types —
each a 4xx that changes nothing."""

import datetime

import pytest

from conftest import raw_http, unique
from ec2_support import EC2_NS, Ec2Reply, ec2_raw


def count_instances(api):
    return len(api.instances())


def test_success_has_namespace_and_request_id(tenant):
    r = ec2_raw(tenant.api, "DescribeRegions")
    assert r.status == 200, r
    assert r.root.tag == f"{{{EC2_NS}}}DescribeRegionsResponse"
    assert r.find("requestId") == r.headers["x-request-id"]
    assert r.find("regionInfo/item/regionName") == "strato-1"
    assert r.headers["content-type"].startswith("text/xml")
    # GET with the parameters in the query string answers the same.
    g = ec2_raw(tenant.api, "DescribeAvailabilityZones", method="GET")
    assert g.status == 200, g
    assert g.find("availabilityZoneInfo/item/zoneName") == "strato-1a"


def test_error_document(tenant):
    r = ec2_raw(tenant.api, "DescribeInstances", {"InstanceId.1": "i-0123456789abcdef0"})
    assert r.status == 400, r
    assert r.root.tag == "Response"
    assert r.error_code == "InvalidInstanceID.NotFound"
    assert "i-0123456789abcdef0" in r.error_message
    assert r.root.findtext("RequestID") == r.headers["x-request-id"]


def test_unknown_and_missing_action(tenant):
    r = ec2_raw(tenant.api, "LaunchRockets")
    assert (r.status, r.error_code) == (400, "InvalidAction"), r
    r = ec2_raw(tenant.api, "")
    assert (r.status, r.error_code) == (400, "MissingAction"), r


def test_wrong_types_unknown_parameters_change_nothing(tenant, image_id):
    before = count_instances(tenant.api)
    base = {"ImageId": image_id, "InstanceType": "t3.nano", "MinCount": "1", "MaxCount": "1"}
    cases = [
        ({"MaxCount": "abc"}, "InvalidParameterValue"),
        ({"MaxCount": "1.5"}, "InvalidParameterValue"),
        ({"MinCount": "0"}, "InvalidParameterValue"),
        ({"MinCount": "3", "MaxCount": "2"}, "InvalidParameterValue"),
        ({"MaxCount": "1001"}, "InvalidParameterValue"),
        ({"Placement.AvailabilityZone": "mars-1a"}, "InvalidParameterValue"),
        ({"Placement.Tenancy": "dedicated"}, "InvalidParameterValue"),
        ({"EbsOptimized": "true"}, "UnknownParameter"),
        ({"UserData": "not base64!"}, "InvalidParameterValue"),
        ({"MetadataOptions.HttpTokens": "sometimes"}, "InvalidParameterValue"),
        ({"MetadataOptions.HttpPutResponseHopLimit": "65"}, "InvalidParameterValue"),
        ({"Bogus": "1"}, "UnknownParameter"),
        ({"TagSpecification.1.ResourceType": "network-interface",
          "TagSpecification.1.Tag.1.Key": "a"}, "InvalidParameterValue"),
        ({"TagSpecification.1.ResourceType": "volume",
          "TagSpecification.1.Tag.1.Key": "aws:x"}, "InvalidParameterValue"),
        ({"TagSpecification.1.Tag.1.Key": "a"}, "MissingParameter"),
        ({"TagSpecification.1.ResourceType": "instance",
          "TagSpecification.1.Tag.1.Key": "aws:x"}, "InvalidParameterValue"),
        ({"InstanceType": ""}, "MissingParameter"),
    ]
    for change, code in cases:
        params = dict(base)
        params.update(change)
        params = {k: v for k, v in params.items() if v != "" or k != "InstanceType"}
        r = ec2_raw(tenant.api, "RunInstances", params)
        assert (r.status, r.error_code) == (400, code), (change, r)
    for params, code in [({"MaxResults": "many"}, "InvalidParameterValue"),
                         ({"MaxResults": "2"}, "InvalidParameterValue"),
                         ({"NextToken": "garbage"}, "InvalidParameterValue"),
                         ({"InstanceId.x": "i-1"}, "UnknownParameter"),
                         ({"Filter.1.Value.1": "running"}, "MissingParameter")]:
        r = ec2_raw(tenant.api, "DescribeInstances", params)
        assert (r.status, r.error_code) == (400, code), (params, r)
    r = ec2_raw(tenant.api, "StopInstances", {"InstanceId.1": "i-0123456789abcdef0",
                                              "Force": "yes"})
    assert (r.status, r.error_code) == (400, "InvalidParameterValue"), r
    assert count_instances(tenant.api) == before


def test_authentication_failures(shared_stratod, tenant):
    api = tenant.api
    # No signature at all.
    body = "Action=DescribeRegions&Version=2016-11-15"
    r = raw_http(shared_stratod.port, "POST", "/", body.encode(),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 401 and b"<Code>MissingAuthenticationToken</Code>" in r.body, r
    # Wrong secret.
    bad = api.with_key(api.access_key_id, "x" * 40)
    r = ec2_raw(bad, "DescribeRegions")
    assert (r.status, r.error_code) == (403, "SignatureDoesNotMatch"), r
    # Unknown access key.
    r = ec2_raw(api.with_key("AKIA" + "Z" * 16, "x" * 40), "DescribeRegions")
    assert (r.status, r.error_code) == (401, "AuthFailure"), r
    # Clock skew beyond 15 minutes, either way.
    for minutes in (20, -20):
        r = ec2_raw(api, "DescribeRegions", clock_offset=datetime.timedelta(minutes=minutes))
        assert (r.status, r.error_code) == (400, "RequestExpired"), r
    r = ec2_raw(api, "DescribeRegions", clock_offset=datetime.timedelta(minutes=5))
    assert r.status == 200, r
    # Signed for another region.
    r = ec2_raw(api, "DescribeRegions", region="us-east-1")
    assert (r.status, r.error_code) == (403, "SignatureDoesNotMatch"), r


def test_tampered_body_is_refused(shared_stratod, tenant):
    api = tenant.api
    signed_body = "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0"
    headers = api.signed_headers("POST", "/", signed_body.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"},
                                 service="ec2")
    sent = signed_body.replace("0123456789abcdef0", "0123456789abcdef1")
    r = raw_http(shared_stratod.port, "POST", "/", sent.encode(), headers)
    assert r.status == 403 and b"SignatureDoesNotMatch" in r.body, r


def test_native_api_is_unaffected(tenant):
    # The same port still serves /v1 for service "strato" only; EC2 Query is on "/" only.
    assert tenant.api.request("GET", "/v1/instance-types").status == 200
    r = tenant.api.request("GET", "/v1/instance-types", service="ec2")
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r
    r = ec2_raw(tenant.api, "DescribeRegions", service="strato")
    assert (r.status, r.error_code) == (403, "SignatureDoesNotMatch"), r


def test_member_cannot_use_admin_rules_through_ec2(tenant, image_id):
    # Deregistering the public image (owned by the admin tenant) is refused, not a 5xx.
    r = ec2_raw(tenant.api, "DeregisterImage", {"ImageId": image_id})
    assert (r.status, r.error_code) == (403, "UnauthorizedOperation"), r
    assert ec2_raw(tenant.api, "DescribeImages", {"ImageId.1": image_id}).status == 200


def test_create_tags_needs_resources_and_tags(tenant):
    r = ec2_raw(tenant.api, "CreateTags", {"Tag.1.Key": "a", "Tag.1.Value": "b"})
    assert (r.status, r.error_code) == (400, "MissingParameter"), r
    r = ec2_raw(tenant.api, "CreateTags", {"ResourceId.1": "igw-0123456789abcdef0",
                                           "Tag.1.Key": unique("k")})
    assert (r.status, r.error_code) == (400, "InvalidParameterValue"), r


def test_invalid_utf8_in_input_still_gives_a_well_formed_error(tenant):
    r = tenant.api.request("POST", "/", raw_body="Action=Run%FF%FEInstances&Version=2016-11-15",
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           service="ec2")
    reply = Ec2Reply(r)  # parses: the echoed bytes were made well-formed
    assert (reply.status, reply.error_code) == (400, "InvalidAction"), reply


def test_other_methods_and_metrics(shared_stratod, tenant):
    r = tenant.api.request("PUT", "/", raw_body="Action=DescribeRegions&Version=2016-11-15",
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           service="ec2")
    reply = Ec2Reply(r)
    assert (reply.status, reply.error_code) == (400, "InvalidHttpRequest"), reply
    ec2_raw(tenant.api, "DescribeRegions")
    ec2_raw(tenant.api, "NoSuchAction" + unique("x"))
    metrics = raw_http(shared_stratod.port, "GET", "/metrics").body.decode()
    routes = {line.split('route="')[1].split('"')[0] for line in metrics.splitlines()
              if line.startswith("strato_http_requests_total") and 'route="EC2' in line}
    # One label per registered action; unknown actions share one (no unbounded labels).
    assert "EC2 DescribeRegions" in routes and "EC2" in routes, routes
    assert not any("NoSuchAction" in r for r in routes), routes

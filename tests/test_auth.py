"""SigV4 authentication and authorization of the native API, signed by botocore."""

import datetime
import http.client
import json
import hashlib

import pytest

from conftest import raw_http, new_tenant


def test_signed_request_succeeds(admin):
    r = admin.request("GET", "/v1/instance-types")
    assert r.status == 200, r
    assert any(t["name"] == "t3.micro" for t in r.json["instance_types"])
    assert r.headers.get("x-request-id")


def test_signed_request_with_query_and_body_succeeds(tenant):
    # Query strings and JSON bodies both go into the canonical request.
    r = tenant.api.request("GET", "/v1/instances", query={"state": "running", "page_size": 7})
    assert r.status == 200, r
    r = tenant.api.request("POST", "/v1/key-pairs", body={"name": "k w/ space & more",
                                                          "public_key": "not a key"})
    assert r.status == 400 and r.code == "InvalidKey.Format", r


def test_unsigned_request_is_401_missing_token(admin):
    r = admin.request("GET", "/v1/instances", sign=False)
    assert r.status == 401, r
    assert r.code == "MissingAuthenticationToken"
    assert r.headers.get("x-request-id")
    assert r.json.get("request_id") == r.headers["x-request-id"]


def _tamper_signature(headers):
    auth = headers["Authorization"]
    last = auth[-1]
    headers["Authorization"] = auth[:-1] + ("0" if last != "0" else "1")


def test_tampered_signature_is_403_signature_does_not_match(admin):
    r = admin.request("GET", "/v1/instances", tamper=_tamper_signature)
    assert r.status == 403, r
    assert r.code == "SignatureDoesNotMatch"


def test_tampered_body_is_403_signature_does_not_match(tenant, image_id):
    body = b'{"image_id": "%s", "instance_type": "t3.micro"}' % image_id.encode()
    signed = tenant.api.signed_headers("POST", "/v1/instances", body,
                                       {"Content-Type": "application/json"})
    tampered = body.replace(b"t3.micro", b"t3.small")
    r = raw_http(tenant.api.port, "POST", "/v1/instances", tampered, signed)
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r
    assert tenant.api.instances() == []


def test_tampered_query_is_403(tenant):
    signed = tenant.api.signed_headers("GET", "/v1/instances?state=running")
    r = raw_http(tenant.api.port, "GET", "/v1/instances?state=stopped", b"", signed)
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r


def test_wrong_payload_hash_header_is_403(tenant, image_id):
    body = b'{"image_id": "%s", "instance_type": "t3.micro"}' % image_id.encode()
    wrong = hashlib.sha256(b"something else").hexdigest()
    r = tenant.api.request("POST", "/v1/instances", raw_body=body,
                           headers={"X-Amz-Content-SHA256": wrong})
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r
    assert tenant.api.instances() == []


def test_payload_hash_header_matching_body_succeeds(tenant):
    r = tenant.api.request("GET", "/v1/instances", raw_body=b"",
                           headers={"X-Amz-Content-SHA256": hashlib.sha256(b"").hexdigest()})
    assert r.status == 200, r
    body = b'{"name": "hashed"}'
    r = tenant.api.request("POST", "/v1/images", raw_body=body,
                           headers={"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    assert r.status == 201, r


def test_unsigned_payload_is_accepted(tenant):
    # docs/api.md: "The payload hash is sent in x-amz-content-sha256 (or UNSIGNED-PAYLOAD)".
    r = tenant.api.request("POST", "/v1/images", raw_body=b'{"name": "unsigned-payload"}',
                           headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert r.status == 201, r


def test_unknown_access_key_is_403_invalid_client_token_id(admin):
    stranger = admin.with_key("AKIA" + "ABCDEFGHIJKLMNOP", "x" * 40)
    r = stranger.request("GET", "/v1/instances")
    assert r.status == 403, r
    assert r.code == "InvalidClientTokenId"


def test_malformed_access_key_is_403(admin):
    stranger = admin.with_key("not-a-key", "x" * 40)
    r = stranger.request("GET", "/v1/instances")
    assert r.status == 403, r
    assert r.code == "InvalidClientTokenId"


def test_right_key_wrong_secret_is_403_signature_does_not_match(admin):
    wrong = admin.with_key(admin.access_key_id, admin.secret_access_key[:-1] + "Q")
    if wrong.secret_access_key == admin.secret_access_key:
        wrong = admin.with_key(admin.access_key_id, admin.secret_access_key[:-1] + "R")
    r = wrong.request("GET", "/v1/instances")
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r


@pytest.mark.parametrize("minutes", [-20, 20], ids=["past", "future"])
def test_request_20_minutes_off_is_403_request_expired(admin, minutes):
    r = admin.request("GET", "/v1/instances", clock_offset=datetime.timedelta(minutes=minutes))
    assert r.status == 403, r
    assert r.code == "RequestExpired"


@pytest.mark.parametrize("minutes", [-10, 10], ids=["past", "future"])
def test_request_10_minutes_off_is_accepted(admin, minutes):
    r = admin.request("GET", "/v1/instances", clock_offset=datetime.timedelta(minutes=minutes))
    assert r.status == 200, r


def test_missing_amz_date_is_403(admin):
    def drop_date(h):
        del h["X-Amz-Date"]

    r = admin.request("GET", "/v1/instances", tamper=drop_date)
    assert r.status == 403 and r.code == "IncompleteSignature", r


@pytest.mark.parametrize("date", ["yesterday", "2025-01-01T00:00:00Z", "20250101T000000"])
def test_malformed_amz_date_is_403_incomplete_signature(admin, date):
    def set_date(h):
        h["X-Amz-Date"] = date

    r = admin.request("GET", "/v1/instances", tamper=set_date)
    assert r.status == 403 and r.code == "IncompleteSignature", r


@pytest.mark.parametrize("header", [
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 Credential=AKIAABCDEFGHIJKLMNOP/20250101/strato-1/strato/aws4_request",
    "Bearer abc",
    "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=zz",
])
def test_malformed_authorization_header_is_403_incomplete_signature(admin, header):
    def replace(h):
        h["Authorization"] = header

    r = admin.request("GET", "/v1/instances", tamper=replace)
    assert r.status == 403 and r.code == "IncompleteSignature", r


@pytest.mark.parametrize("scope", [{"service": "ec2"}, {"service": "s3"}, {"region": "us-east-1"}],
                         ids=["service-ec2", "service-s3", "region"])
def test_wrong_scope_is_403(admin, scope):
    r = admin.request("GET", "/v1/instances", **scope)
    assert r.status == 403, r
    assert r.code in ("SignatureDoesNotMatch", "IncompleteSignature"), r
    assert "strato" in r.message  # names the scope it expects


def test_host_header_must_be_signed(admin):
    # Sign for one Host, send another: the Host header is part of the signature.
    signed = admin.signed_headers("GET", "/v1/instances")
    signed["Host"] = "localhost:%d" % admin.port
    r = raw_http(admin.port, "GET", "/v1/instances", b"", signed)
    assert r.status == 403 and r.code == "SignatureDoesNotMatch", r


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_health_and_metrics_need_no_auth(shared_stratod, path):
    r = raw_http(shared_stratod.port, "GET", path)
    assert r.status == 200, r
    if path == "/healthz":
        assert r.json == {"status": "ok"}
    else:
        assert r.headers["content-type"].startswith("text/plain")
        assert b"strato_http_requests_total" in r.body


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/v1/hosts", None),
    ("POST", "/v1/hosts", {"name": "sneaky", "driver": "sim", "vcpus": 4, "memory_mib": 4096}),
    ("POST", "/v1/hosts/sim", {"count": 1, "vcpus": 4, "memory_mib": 4096}),
    ("POST", "/v1/tenants", {"name": "sneaky-tenant"}),
    ("GET", "/v1/hosts/h-0123456789abcdef0", None),
    ("GET", "/v1/hosts/not-even-an-id", None),
    ("POST", "/v1/hosts/h-0123456789abcdef0/disable", None),
    ("POST", "/v1/hosts/h-0123456789abcdef0/enable", None),
    ("POST", "/v1/hosts", {"malformed": "and admin-only"}),
    ("GET", "/v1/tenants", "list-tenants"),
])
def test_member_calling_admin_route_is_403(admin, tenant, method, path, body):
    if body == "list-tenants":
        # Listing tenants as a member shows only the own tenant (no admin data leaks).
        r = tenant.api.request(method, path)
        assert r.status in (200, 403), r
        if r.status == 200:
            assert [t["id"] for t in r.json["tenants"]] == [tenant.id]
        else:
            assert r.code == "UnauthorizedOperation"
        return
    hosts_before = admin.list_all("/v1/hosts", "hosts")
    tenants_before = admin.ok("GET", "/v1/tenants")["tenants"]
    r = tenant.api.request(method, path, body=body)
    assert r.status == 403, r
    assert r.code == "UnauthorizedOperation"
    assert admin.list_all("/v1/hosts", "hosts") == hosts_before
    assert admin.ok("GET", "/v1/tenants")["tenants"] == tenants_before


def test_member_cannot_make_admin_or_public_image(admin, tenant):
    r = tenant.api.request("POST", "/v1/users", body={"name": "wannabe", "role": "admin"})
    assert r.status == 403 and r.code == "UnauthorizedOperation", r
    r = tenant.api.request("POST", "/v1/images", body={"name": "pub", "public": True})
    assert r.status == 403 and r.code == "UnauthorizedOperation", r
    assert [i for i in tenant.api.ok("GET", "/v1/images")["images"] if i["name"] == "pub"] == []


def test_member_can_create_member_user_in_own_tenant(tenant):
    r = tenant.api.request("POST", "/v1/users", body={"name": "colleague"})
    assert r.status == 201, r
    assert r.json["tenant_id"] == tenant.id and r.json["role"] == "member"


def test_deleted_access_key_stops_working_at_once(admin):
    t = new_tenant(admin)
    assert t.api.request("GET", "/v1/instances").status == 200  # now cached by the daemon
    keys = t.api.ok("GET", "/v1/access-keys")["access_keys"]
    assert t.access_key_id in [k["access_key_id"] for k in keys]
    r = admin.request("DELETE", f"/v1/access-keys/{t.access_key_id}")
    assert r.status == 204, r
    r = t.api.request("GET", "/v1/instances")
    assert r.status == 403 and r.code == "InvalidClientTokenId", r
    listed = admin.ok("GET", "/v1/access-keys")["access_keys"]
    assert t.access_key_id not in [k["access_key_id"] for k in listed]


def test_member_deletes_own_key(admin):
    t = new_tenant(admin)
    second = t.api.ok("POST", f"/v1/users/{t.user_id}/access-keys", expect=(201,))
    other = t.api.with_key(second["access_key_id"], second["secret_access_key"])
    assert other.request("GET", "/v1/instances").status == 200
    assert t.api.request("DELETE", f"/v1/access-keys/{second['access_key_id']}").status == 204
    r = other.request("GET", "/v1/instances")
    assert r.status == 403 and r.code == "InvalidClientTokenId", r
    assert t.api.request("GET", "/v1/instances").status == 200


def test_secret_is_returned_once(admin):
    t = new_tenant(admin)
    listed = admin.ok("GET", "/v1/access-keys")["access_keys"]
    mine = [k for k in listed if k["access_key_id"] == t.access_key_id]
    assert len(mine) == 1
    assert "secret_access_key" not in mine[0]
    assert t.api.secret_access_key not in str(listed)


# ---------------------------------------------------------------- canonicalization and transport


@pytest.mark.parametrize("value", ["a   b", "  leading", "trailing  ", "tab\there"])
def test_signed_header_whitespace_is_canonicalized(admin, value):
    r = admin.request("GET", "/v1/instances", headers={"X-Strato-Note": value})
    assert r.status == 200, r


@pytest.mark.parametrize("tag_value", ["web server", "a+b=c", "ключ", "a*b~c", "!'()", "x/y%z"])
def test_query_values_needing_escapes_sign_and_filter(tenant, tag_value):
    iid = tenant.api.run(count=1, tags={"k/ey": tag_value})[0]["id"]
    r = tenant.api.request("GET", "/v1/instances", query={"tag:k/ey": tag_value})
    assert r.status == 200, r
    assert [i["id"] for i in r.json["instances"]] == [iid]


def test_chunked_body_is_signed_and_accepted(tenant):
    body = json.dumps({"name": "chunky"}).encode()
    headers = tenant.api.signed_headers("POST", "/v1/images", body,
                                        {"Content-Type": "application/json"})
    conn = http.client.HTTPConnection("127.0.0.1", tenant.api.port, timeout=10)
    try:
        conn.request("POST", "/v1/images", body=iter([body[:5], body[5:]]), headers=headers,
                     encode_chunked=True)
        r = conn.getresponse()
        data = json.loads(r.read())
    finally:
        conn.close()
    assert r.status == 201, data
    assert data["name"] == "chunky"


def test_expect_100_continue_is_honoured(tenant):
    body = json.dumps({"name": "expecting"}).encode()
    r = tenant.api.request("POST", "/v1/images", raw_body=body, headers={"Expect": "100-continue"})
    assert r.status == 201 and r.json["name"] == "expecting", r


def test_keep_alive_connection_serves_many_signed_requests(tenant):
    conn = http.client.HTTPConnection("127.0.0.1", tenant.api.port, timeout=10)
    try:
        for n in range(5):
            body = json.dumps({"name": f"ka-{n}"}).encode()
            headers = tenant.api.signed_headers("POST", "/v1/images", body,
                                                {"Content-Type": "application/json"})
            conn.request("POST", "/v1/images", body=body, headers=headers)
            r = conn.getresponse()
            assert r.status == 201, r.read()
            r.read()
            assert r.getheader("x-request-id")
    finally:
        conn.close()
    names = {i["name"] for i in tenant.api.ok("GET", "/v1/images")["images"]}
    assert {f"ka-{n}" for n in range(5)} <= names


def test_request_ids_are_unique(admin):
    ids = {admin.request("GET", "/v1/regions").headers["x-request-id"] for _ in range(10)}
    assert len(ids) == 10

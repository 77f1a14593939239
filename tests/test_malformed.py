"""A corpus of bad requests. Each gets a 4xx (never a 5xx, never a dropped connection) with an
error body carrying a code, a message naming the field where there is one, and changes nothing."""

import http.client
import json
import socket

import pytest

from conftest import random_id


@pytest.fixture(scope="module")
def ctx(admin):
    from conftest import new_tenant
    t = new_tenant(admin)
    inst = t.api.run(count=1, tags={"keep": "me"})[0]
    t.api.wait_state(inst["id"], "running")
    image = admin.ok("GET", "/v1/images")["images"]
    image_id = [i["id"] for i in image if i["name"] == "strato-guest"][0]
    return {"tenant": t, "instance": inst["id"], "image": image_id}


def _fingerprint(admin, t):
    return (
        [(i["id"], i["state"], i["tags"]) for i in t.api.instances()],
        len(admin.list_all("/v1/hosts", "hosts")),
        sorted(x["id"] for x in admin.ok("GET", "/v1/tenants")["tenants"]),
        sorted(x["id"] for x in t.api.ok("GET", "/v1/images")["images"]),
        sorted(x["id"] for x in t.api.ok("GET", "/v1/users")["users"]),
        t.api.ok("GET", "/v1/key-pairs")["key_pairs"],
    )


def run_body(**overrides):
    body = {"image_id": "<IMAGE>", "instance_type": "t3.micro"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()
MANY_TAGS = {f"k{n}": "v" for n in range(51)}


class Case:
    def __init__(self, name, method, path, body=None, raw=None, query=None, status=400,
                 code=None, field=None, admin=False):
        self.name, self.method, self.path = name, method, path
        self.body, self.raw, self.query = body, raw, query
        self.status, self.code, self.field, self.admin = status, code, field, admin


INV, MISS, UNK = "InvalidParameterValue", "MissingParameter", "UnknownParameter"

CASES = [
    # --- bodies that are not a JSON object ---
    Case("malformed-json", "POST", "/v1/instances", raw='{"image_id": ', code="MalformedJSON"),
    Case("trailing-garbage", "POST", "/v1/instances", raw='{"count": 1} x', code="MalformedJSON"),
    Case("json-array", "POST", "/v1/instances", raw="[1, 2]", code="MalformedJSON"),
    Case("json-string", "POST", "/v1/instances", raw='"run"', code="MalformedJSON"),
    Case("json-null", "POST", "/v1/instances", raw="null", code="MalformedJSON"),
    Case("invalid-utf8", "POST", "/v1/instances",
         raw=b'{"image_id": "<IMAGE>", "instance_type": "t3.micro", "name": "\xff\xfe"}',
         code="MalformedJSON"),
    Case("deeply-nested", "POST", "/v1/instances", raw='{"a":' * 50000 + "1" + "}" * 50000),
    Case("deeply-nested-array", "POST", "/v1/instances", raw="[" * 100000 + "]" * 100000,
         code="MalformedJSON"),
    # --- run: fields ---
    Case("unknown-field", "POST", "/v1/instances", run_body(colour="red"), code=UNK,
         field="colour"),
    Case("count-string", "POST", "/v1/instances", run_body(count="2"), code=INV, field="count"),
    Case("count-zero", "POST", "/v1/instances", run_body(count=0), code=INV, field="count"),
    Case("count-negative", "POST", "/v1/instances", run_body(count=-1), code=INV, field="count"),
    Case("count-1001", "POST", "/v1/instances", run_body(count=1001), code=INV, field="count"),
    Case("count-float", "POST", "/v1/instances", run_body(count=1.5), code=INV, field="count"),
    Case("count-bool", "POST", "/v1/instances", run_body(count=True), code=INV, field="count"),
    Case("count-huge", "POST", "/v1/instances", raw='{"image_id": "<IMAGE>", "instance_type": '
         '"t3.micro", "count": 99999999999999999999999}', code=INV, field="count"),
    Case("tags-list", "POST", "/v1/instances", run_body(tags=["a", "b"]), code=INV, field="tags"),
    Case("tag-value-number", "POST", "/v1/instances", run_body(tags={"k": 1}), code=INV,
         field="tags"),
    Case("tag-key-aws", "POST", "/v1/instances", run_body(tags={"aws:x": "1"}), code=INV,
         field="aws:"),
    Case("tag-key-empty", "POST", "/v1/instances", run_body(tags={"": "1"}), code=INV,
         field="tags"),
    Case("tag-key-129", "POST", "/v1/instances", run_body(tags={"k" * 129: "1"}), code=INV,
         field="tags"),
    Case("tag-value-257", "POST", "/v1/instances", run_body(tags={"k": "v" * 257}), code=INV,
         field="tags"),
    Case("51-tags", "POST", "/v1/instances", run_body(tags=MANY_TAGS), code=INV, field="tags"),
    Case("missing-image-id", "POST", "/v1/instances", run_body(image_id=DROP), code=MISS,
         field="image_id"),
    Case("missing-instance-type", "POST", "/v1/instances", run_body(instance_type=DROP),
         code=MISS, field="instance_type"),
    Case("empty-body", "POST", "/v1/instances", raw="", code=MISS, field="image_id"),
    Case("image-id-number", "POST", "/v1/instances", run_body(image_id=7), code=INV,
         field="image_id"),
    Case("unknown-instance-type", "POST", "/v1/instances", run_body(instance_type="t9.huge"),
         code=INV, field="instance_type"),
    Case("image-id-wrong-form", "POST", "/v1/instances", run_body(image_id="ami-xyz"),
         code="InvalidAMIID.Malformed", field="image_id"),
    Case("image-id-instance-form", "POST", "/v1/instances",
         run_body(image_id="i-0123456789abcdef0"), code="InvalidAMIID.Malformed",
         field="image_id"),
    Case("image-id-upper-hex", "POST", "/v1/instances",
         run_body(image_id="ami-0123456789ABCDEF0"), code="InvalidAMIID.Malformed",
         field="image_id"),
    Case("image-not-found", "POST", "/v1/instances", run_body(image_id=random_id("ami")),
         status=404, code="InvalidAMIID.NotFound"),
    Case("name-too-long", "POST", "/v1/instances", run_body(name="n" * 300), code=INV,
         field="name"),
    Case("name-control-char", "POST", "/v1/instances", run_body(name="a\x01b"), code=INV,
         field="name"),
    Case("bad-policy", "POST", "/v1/instances", run_body(placement_policy="random"), code=INV,
         field="placement_policy"),
    Case("bad-zone", "POST", "/v1/instances", run_body(zone="mars-1a"), code=INV, field="zone"),
    # --- instance ids and actions ---
    Case("instance-id-malformed", "GET", "/v1/instances/i-xyz",
         code="InvalidInstanceID.Malformed", field="i-xyz"),
    Case("instance-id-too-long", "GET", "/v1/instances/i-0123456789abcdef01",
         code="InvalidInstanceID.Malformed"),
    Case("stop-malformed-id", "POST", "/v1/instances/i-xyz/stop",
         code="InvalidInstanceID.Malformed"),
    Case("terminate-malformed-id", "DELETE", "/v1/instances/ami-0123456789abcdef0",
         code="InvalidInstanceID.Malformed"),
    Case("instance-not-found", "GET", "/v1/instances/" + random_id("i"), status=404,
         code="InvalidInstanceID.NotFound"),
    Case("stop-force-string", "POST", "/v1/instances/<INSTANCE>/stop", {"force": "yes"},
         code=INV, field="force"),
    Case("stop-unknown-field", "POST", "/v1/instances/<INSTANCE>/stop", {"hard": True},
         code=UNK, field="hard"),
    Case("reboot-with-body-field", "POST", "/v1/instances/<INSTANCE>/reboot", {"force": True},
         code=UNK, field="force"),
    Case("terminate-malformed-body", "POST", "/v1/instances/<INSTANCE>/terminate", raw="{",
         code="MalformedJSON"),
    # --- size, routes, methods ---
    Case("oversize-body", "POST", "/v1/instances",
         raw=b'{"name": "' + b"a" * ((1 << 20) + 16) + b'"}', status=413,
         code="RequestEntityTooLarge"),
    Case("unknown-route", "GET", "/v1/nothing", status=404),
    Case("unknown-version", "GET", "/v2/instances", status=404),
    Case("wrong-method-collection", "PATCH", "/v1/instances", status=405),
    Case("wrong-method-item", "PUT", "/v1/instances/<INSTANCE>", status=405),
    Case("wrong-method-action", "GET", "/v1/instances/<INSTANCE>/stop", status=405),
    # --- query strings ---
    Case("unknown-query-param", "GET", "/v1/instances", query={"colour": "red"}, code=UNK,
         field="colour"),
    Case("page-size-0", "GET", "/v1/instances", query={"page_size": "0"}, code=INV,
         field="page_size"),
    Case("page-size-5000", "GET", "/v1/instances", query={"page_size": "5000"}, code=INV,
         field="page_size"),
    Case("page-size-abc", "GET", "/v1/instances", query={"page_size": "abc"}, code=INV,
         field="page_size"),
    Case("page-size-empty", "GET", "/v1/instances", query={"page_size": ""}, code=INV,
         field="page_size"),
    Case("page-size-float", "GET", "/v1/instances", query={"page_size": "1.5"}, code=INV,
         field="page_size"),
    Case("bad-state-filter", "GET", "/v1/instances", query={"state": "sleeping"}, code=INV,
         field="state"),
    Case("hosts-page-size-0", "GET", "/v1/hosts", query={"page_size": "0"}, code=INV,
         field="page_size", admin=True),
    Case("hosts-bad-enabled", "GET", "/v1/hosts", query={"enabled": "yes"}, code=INV,
         field="enabled", admin=True),
    Case("hosts-bad-token", "GET", "/v1/hosts", query={"next_token": "nope"}, code=INV,
         field="next_token", admin=True),
    # --- hosts ---
    Case("host-vcpus-negative", "POST", "/v1/hosts",
         {"name": "bad", "driver": "sim", "vcpus": -1, "memory_mib": 4096}, code=INV,
         field="vcpus", admin=True),
    Case("host-memory-huge", "POST", "/v1/hosts",
         {"name": "bad", "driver": "sim", "vcpus": 4, "memory_mib": 2 ** 62}, code=INV,
         field="memory_mib", admin=True),
    Case("host-memory-bignum", "POST", "/v1/hosts",
         raw='{"name": "bad", "driver": "sim", "vcpus": 4, "memory_mib": 1e400}', admin=True),
    Case("host-cpu-ratio-zero", "POST", "/v1/hosts",
         {"name": "bad", "driver": "sim", "vcpus": 4, "memory_mib": 4096, "cpu_ratio": 0},
         code=INV, field="cpu_ratio", admin=True),
    Case("host-cpu-ratio-string", "POST", "/v1/hosts",
         {"name": "bad", "driver": "sim", "vcpus": 4, "memory_mib": 4096, "cpu_ratio": "4"},
         code=INV, field="cpu_ratio", admin=True),
    Case("host-bad-driver", "POST", "/v1/hosts",
         {"name": "bad", "driver": "xen", "vcpus": 4, "memory_mib": 4096}, code=INV,
         field="driver", admin=True),
    Case("host-missing-name", "POST", "/v1/hosts", {"driver": "sim", "vcpus": 4,
                                                    "memory_mib": 4096}, code=MISS, field="name",
         admin=True),
    Case("host-missing-vcpus", "POST", "/v1/hosts", {"name": "bad", "memory_mib": 4096},
         code=MISS, field="vcpus", admin=True),
    Case("host-bad-zone", "POST", "/v1/hosts",
         {"name": "bad", "vcpus": 4, "memory_mib": 4096, "zone": "nowhere"}, code=INV,
         field="zone", admin=True),
    Case("sim-count-zero", "POST", "/v1/hosts/sim", {"count": 0, "vcpus": 4, "memory_mib": 4096},
         code=INV, field="count", admin=True),
    Case("sim-memory-tiny", "POST", "/v1/hosts/sim", {"count": 1, "vcpus": 4, "memory_mib": 1},
         code=INV, field="memory_mib", admin=True),
    Case("host-id-malformed", "GET", "/v1/hosts/h-nope", code="InvalidHostID.Malformed",
         admin=True),
    Case("host-not-found", "POST", f"/v1/hosts/{random_id('h')}/disable", status=404,
         code="InvalidHostID.NotFound", admin=True),
    # --- tags ---
    Case("put-tags-aws-key", "PUT", "/v1/tags",
         {"resource_ids": ["<INSTANCE>"], "tags": {"aws:x": "1"}}, code=INV, field="aws:"),
    Case("put-51-tags", "PUT", "/v1/tags", {"resource_ids": ["<INSTANCE>"], "tags": MANY_TAGS},
         code=INV, field="tags"),
    Case("put-tags-overflow", "PUT", "/v1/tags",
         {"resource_ids": ["<INSTANCE>"], "tags": {f"k{n}": "v" for n in range(50)}},
         code="TagLimitExceeded"),
    Case("put-tags-ids-string", "PUT", "/v1/tags",
         {"resource_ids": "<INSTANCE>", "tags": {"a": "b"}}, code=INV, field="resource_ids"),
    Case("put-tags-ids-empty", "PUT", "/v1/tags", {"resource_ids": [], "tags": {"a": "b"}},
         code=INV, field="resource_ids"),
    Case("put-tags-no-tags", "PUT", "/v1/tags", {"resource_ids": ["<INSTANCE>"], "tags": {}},
         code=MISS, field="tags"),
    Case("put-tags-foreign-kind", "PUT", "/v1/tags",
         {"resource_ids": ["igw-0123456789abcdef0"], "tags": {"a": "b"}}, code=INV,
         field="resource_ids"),
    Case("put-tags-malformed-id", "PUT", "/v1/tags", {"resource_ids": ["i-xyz"],
                                                      "tags": {"a": "b"}},
         code="InvalidInstanceID.Malformed"),
    Case("delete-tags-no-keys", "DELETE", "/v1/tags", {"resource_ids": ["<INSTANCE>"]},
         code=MISS, field="keys"),
    Case("delete-tags-keys-numbers", "DELETE", "/v1/tags",
         {"resource_ids": ["<INSTANCE>"], "keys": [1]}, code=INV, field="keys"),
    Case("get-tags-no-resource", "GET", "/v1/tags", code=MISS, field="resource_id"),
    Case("get-tags-extra-param", "GET", "/v1/tags",
         query={"resource_id": "<INSTANCE>", "x": "1"}, code=UNK, field="x"),
    # --- images, key pairs, identity ---
    Case("image-empty-name", "POST", "/v1/images", {"name": ""}, code=INV, field="name"),
    Case("image-public-string", "POST", "/v1/images", {"name": "x", "public": "yes"}, code=INV,
         field="public"),
    Case("image-id-malformed", "GET", "/v1/images/ami-x", code="InvalidAMIID.Malformed"),
    Case("key-pair-bad-key", "POST", "/v1/key-pairs", {"name": "k", "public_key": "ssh-rsa !!"},
         code="InvalidKey.Format", field="public_key"),
    Case("key-pair-missing-key", "POST", "/v1/key-pairs", {"name": "k"}, code=MISS,
         field="public_key"),
    Case("key-pair-not-found", "GET", "/v1/key-pairs/nope", status=404),
    Case("user-bad-role", "POST", "/v1/users", {"name": "u", "role": "god"}, code=INV,
         field="role"),
    Case("user-bad-tenant-id", "POST", "/v1/users", {"name": "u", "tenant_id": "t-1"},
         code="InvalidTenantID.Malformed", field="tenant_id"),
    Case("user-id-malformed", "GET", "/v1/users/u-1", code="InvalidUserID.Malformed"),
    Case("access-key-for-bad-user", "POST", "/v1/users/bogus/access-keys",
         code="InvalidUserID.Malformed"),
    Case("tenant-name-too-long", "POST", "/v1/tenants", {"name": "t" * 65}, code=INV,
         field="name", admin=True),
    Case("tenant-missing-name", "POST", "/v1/tenants", {}, code=MISS, field="name", admin=True),
    Case("tenant-duplicate-name", "POST", "/v1/tenants", {"name": "<TENANT_NAME>"}, status=409,
         code="TenantAlreadyExists", field="<TENANT_NAME>", admin=True),
    Case("admin-user-in-member-tenant", "POST", "/v1/users",
         {"name": "boss", "tenant_id": "<TENANT_ID>", "role": "admin"}, code=INV, field="role",
         admin=True),
]


def _subst(value, ctx):
    t = ctx["tenant"]
    reps = {"<IMAGE>": ctx["image"], "<INSTANCE>": ctx["instance"], "<TENANT_NAME>": t.name,
            "<TENANT_ID>": t.id}
    if isinstance(value, bytes):
        for k, v in reps.items():
            value = value.replace(k.encode(), v.encode())
        return value
    if isinstance(value, str):
        for k, v in reps.items():
            value = value.replace(k, v)
        return value
    if isinstance(value, dict):
        return {_subst(k, ctx): _subst(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v, ctx) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_request_is_a_clean_4xx_and_changes_nothing(admin, ctx, case):
    t = ctx["tenant"]
    api = admin if case.admin else t.api
    before = _fingerprint(admin, t)
    r = api.request(case.method, _subst(case.path, ctx), body=_subst(case.body, ctx),
                    raw_body=_subst(case.raw, ctx), query=_subst(case.query, ctx))
    assert 400 <= r.status < 500, r
    assert r.status == case.status, r
    assert r.headers.get("x-request-id"), r.headers
    assert isinstance(r.json, dict) and set(r.json) == {"error", "request_id"}, r
    assert r.json["request_id"] == r.headers["x-request-id"]
    assert isinstance(r.code, str) and r.code, r
    assert isinstance(r.message, str) and r.message, r
    if case.code:
        assert r.code == case.code, r
    if case.field:
        assert _subst(case.field, ctx) in r.message, r
    assert _fingerprint(admin, t) == before


def test_daemon_still_healthy_after_the_corpus(shared_stratod, ctx):
    t = ctx["tenant"]
    assert t.api.instance(ctx["instance"])["state"] == "running"
    assert t.api.instance(ctx["instance"])["tags"] == {"keep": "me"}


# ---------------------------------------------------------------- below the router


def _raw_exchange(port, data, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
        return b"".join(chunks)


def _complete(data):
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


@pytest.mark.parametrize("name,data,status", [
    ("garbage", b"HELLO\r\n\r\n", 400),
    ("no-host-1.1", b"GET /healthz HTTP/1.1\r\n\r\n", 400),
    ("http-2.0", b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 400),
    ("huge-header", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 << 10) +
     b"\r\n\r\n", 431),
    ("bad-content-length", b"POST /v1/instances HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
     b"\r\n", 400),
])
def test_malformed_http_is_answered(shared_stratod, name, data, status):
    reply = _raw_exchange(shared_stratod.port, data)
    assert reply.startswith(b"HTTP/1.1 %d" % status), reply[:200]
    assert raw_health(shared_stratod.port)


def raw_health(port):
    from conftest import raw_http
    return raw_http(port, "GET", "/healthz").status == 200


def test_declared_oversize_body_with_expect_continue_is_413_without_sending_it(shared_stratod,
                                                                               admin):
    headers = admin.signed_headers("POST", "/v1/instances", b"")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    data = (f"POST /v1/instances HTTP/1.1\r\nHost: 127.0.0.1:{shared_stratod.port}\r\n{head}"
            f"Content-Length: {(1 << 20) + 1}\r\nExpect: 100-continue\r\n\r\n").encode()
    reply = _raw_exchange(shared_stratod.port, data)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:300]
    body = reply.partition(b"\r\n\r\n")[2]
    assert json.loads(body)["error"]["code"] == "RequestEntityTooLarge"



def _padded_image_body(size):
    head, tail = b'{"name": "padded"', b"}"
    return head + b" " * (size - len(head) - len(tail)) + tail


def test_body_of_exactly_the_limit_is_accepted_one_more_byte_is_413(tenant):
    r = tenant.api.request("POST", "/v1/images", raw_body=_padded_image_body(1 << 20))
    assert r.status == 201, r
    before = tenant.api.ok("GET", "/v1/images")["images"]
    r = tenant.api.request("POST", "/v1/images", raw_body=_padded_image_body((1 << 20) + 1))
    assert r.status == 413 and r.code == "RequestEntityTooLarge", r
    assert tenant.api.ok("GET", "/v1/images")["images"] == before


def test_oversize_chunked_body_is_413(tenant):
    big = _padded_image_body((1 << 20) + 1000)
    headers = tenant.api.signed_headers("POST", "/v1/images", big,
                                        {"Content-Type": "application/json"})
    conn = http.client.HTTPConnection("127.0.0.1", tenant.api.port, timeout=10)
    try:
        conn.request("POST", "/v1/images", headers=headers, encode_chunked=True,
                     body=iter([big[i:i + 65536] for i in range(0, len(big), 65536)]))
        r = conn.getresponse()
        data = json.loads(r.read())
    finally:
        conn.close()
    assert r.status == 413 and data["error"]["code"] == "RequestEntityTooLarge", data
    images = tenant.api.ok("GET", "/v1/images")["images"]
    assert [i for i in images if i["tenant_id"] == tenant.id] == []  # nothing was created

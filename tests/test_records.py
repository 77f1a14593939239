"""Image records, key pairs, users and tenants: create/list/get/delete and name rules."""

import base64
import hashlib
import threading
import urllib.parse

import pytest

from conftest import new_tenant, random_id, unique
from test_isolation import ssh_ed25519_public_key


def _fingerprint(public_key):
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def test_key_pair_lifecycle(tenant):
    api = tenant.api
    pub = ssh_ed25519_public_key("me@host")
    kp = api.ok("POST", "/v1/key-pairs", {"name": "laptop", "public_key": pub}, expect=(201,))
    assert kp["name"] == "laptop" and kp["id"].startswith("key-")
    assert kp["fingerprint"] == _fingerprint(pub)  # what ssh-keygen -l -E sha256 prints
    assert api.ok("GET", "/v1/key-pairs/laptop")["fingerprint"] == kp["fingerprint"]
    assert [k["name"] for k in api.ok("GET", "/v1/key-pairs")["key_pairs"]] == ["laptop"]
    r = api.request("POST", "/v1/key-pairs", {"name": "laptop", "public_key": pub})
    assert r.status == 400 and r.code == "InvalidKeyPair.Duplicate", r
    assert api.request("DELETE", "/v1/key-pairs/laptop").status == 204
    r = api.request("GET", "/v1/key-pairs/laptop")
    assert r.status == 404 and r.code == "InvalidKeyPair.NotFound", r
    assert api.ok("GET", "/v1/key-pairs")["key_pairs"] == []


@pytest.mark.parametrize("key_type", ["ssh-rsa", "ecdsa-sha2-nistp256"])
def test_key_pair_type_must_match_blob(tenant, key_type):
    # An ed25519 blob announced as another type is refused.
    blob = ssh_ed25519_public_key().split()[1]
    r = tenant.api.request("POST", "/v1/key-pairs",
                           {"name": unique("k"), "public_key": f"{key_type} {blob}"})
    assert r.status == 400 and r.code == "InvalidKey.Format", r


def test_key_pair_names_are_per_tenant(admin):
    a, b = new_tenant(admin), new_tenant(admin)
    for t in (a, b):
        r = t.api.request("POST", "/v1/key-pairs",
                          {"name": "deploy", "public_key": ssh_ed25519_public_key()})
        assert r.status == 201, r
    assert a.api.ok("GET", "/v1/key-pairs/deploy")["fingerprint"] != \
        b.api.ok("GET", "/v1/key-pairs/deploy")["fingerprint"]


@pytest.mark.parametrize("name", ["my key", "a+b", "x%y", "ключ"])
def test_key_pair_with_special_characters_is_addressable(tenant, name):
    # Names may hold any printable character; the path segment carries them percent-encoded.
    api = tenant.api
    r = api.request("POST", "/v1/key-pairs", {"name": name, "public_key": ssh_ed25519_public_key()})
    assert r.status == 201, r
    path = "/v1/key-pairs/" + urllib.parse.quote(name, safe="")
    r = api.request("GET", path)
    assert r.status == 200 and r.json["name"] == name, r
    assert api.request("DELETE", path).status == 204
    assert api.ok("GET", "/v1/key-pairs")["key_pairs"] == []


def test_image_record_lifecycle(tenant):
    api = tenant.api
    img = api.ok("POST", "/v1/images", {"name": "golden", "description": "base"}, expect=(201,))
    assert img["id"].startswith("ami-") and img["public"] is False
    assert img["tenant_id"] == tenant.id and img["state"] == "available"
    listed = {i["id"]: i for i in api.ok("GET", "/v1/images")["images"]}
    assert img["id"] in listed
    assert any(i["public"] and i["name"] == "strato-guest" for i in listed.values())
    assert api.ok("GET", f"/v1/images/{img['id']}") == img
    # Launch from the own private image.
    iid = api.run(image_id=img["id"])[0]["id"]
    assert api.wait_state(iid, "running")["image_id"] == img["id"]
    assert api.request("DELETE", f"/v1/images/{img['id']}").status == 204
    r = api.request("GET", f"/v1/images/{img['id']}")
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r
    r = api.request("POST", "/v1/instances", {"image_id": img["id"], "instance_type": "t3.micro"})
    assert r.status == 404 and r.code == "InvalidAMIID.NotFound", r


def test_member_cannot_delete_public_image(tenant, image_id):
    r = tenant.api.request("DELETE", f"/v1/images/{image_id}")
    assert r.status in (403, 404), r
    assert tenant.api.ok("GET", f"/v1/images/{image_id}")["public"] is True


def test_admin_public_image_is_visible_to_members(admin, tenant):
    img = admin.ok("POST", "/v1/images", {"name": unique("pub"), "public": True}, expect=(201,))
    try:
        assert tenant.api.ok("GET", f"/v1/images/{img['id']}")["public"] is True
        # Visible is not owned: members cannot tag it.
        r = tenant.api.request("PUT", "/v1/tags", {"resource_ids": [img["id"]],
                                                   "tags": {"mine": "no"}})
        assert r.status == 404, r
    finally:
        admin.ok("DELETE", f"/v1/images/{img['id']}", expect=(204,))


def test_user_names_are_unique_per_tenant(admin):
    a, b = new_tenant(admin), new_tenant(admin)
    assert a.api.request("POST", "/v1/users", {"name": "alice"}).status == 201
    r = a.api.request("POST", "/v1/users", {"name": "alice"})
    assert r.status == 409 and r.code == "UserAlreadyExists", r
    assert b.api.request("POST", "/v1/users", {"name": "alice"}).status == 201


def test_admin_creates_users_and_keys_in_any_tenant(admin):
    t = new_tenant(admin)
    u = admin.ok("POST", "/v1/users", {"name": "ops", "tenant_id": t.id}, expect=(201,))
    assert (u["tenant_id"], u["role"]) == (t.id, "member")
    assert admin.ok("GET", f"/v1/users/{u['id']}") == u
    assert t.api.ok("GET", f"/v1/users/{u['id']}") == u
    key = admin.ok("POST", f"/v1/users/{u['id']}/access-keys", expect=(201,))
    assert key["user_id"] == u["id"] and key["access_key_id"].startswith("AKIA")
    assert len(key["secret_access_key"]) >= 40
    ops = t.api.with_key(key["access_key_id"], key["secret_access_key"])
    assert ops.ok("GET", "/v1/tenants")["tenants"][0]["id"] == t.id


def test_tenant_get_and_list(admin):
    t = new_tenant(admin)
    got = admin.ok("GET", f"/v1/tenants/{t.id}")
    assert got["id"] == t.id and got["name"] == t.name and got["created_at"]
    assert t.id in [x["id"] for x in admin.ok("GET", "/v1/tenants")["tenants"]]
    r = admin.request("GET", f"/v1/tenants/{random_id('t')}")
    assert r.status == 404 and r.code == "InvalidTenantID.NotFound", r


def test_concurrent_duplicate_tenant_creation_yields_exactly_one(admin):
    name = unique("racy")
    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def create():
        barrier.wait(10)
        r = admin.request("POST", "/v1/tenants", {"name": name})
        with lock:
            statuses.append((r.status, r.code))

    threads = [threading.Thread(target=create) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses, key=str) == [(201, None)] + [(409, "TenantAlreadyExists")] * 19
    assert [t["name"] for t in admin.ok("GET", "/v1/tenants")["tenants"]].count(name) == 1


# ---------------------------------------------------------------- shapes from docs/api.md

INSTANCE_FIELDS = {"id", "name", "tenant_id", "image_id", "instance_type", "vcpus", "memory_mib",
                   "zone", "host_id", "state", "state_reason", "desired_state",
                   "placement_policy", "tags", "launched_at", "updated_at"}
HOST_FIELDS = {"id", "name", "zone", "driver", "vcpus", "memory_mib", "cpu_ratio", "enabled",
               "allocated_vcpus", "allocated_memory_mib", "instance_count", "created_at"}


def test_catalog(admin):
    types = admin.ok("GET", "/v1/instance-types")["instance_types"]
    by_name = {t["name"]: t for t in types}
    assert by_name["t3.micro"] == {"name": "t3.micro", "vcpus": 2, "memory_mib": 1024,
                                   "family": "t3", "machine": "q35"}
    for t in types:
        assert t["machine"] == ("microvm" if t["name"].startswith("mv1.") else "q35"), t
        assert t["family"] == t["name"].split(".")[0]
    assert admin.ok("GET", "/v1/regions") == {"region": "strato-1", "zones": ["strato-1a"]}


def test_response_shapes(admin, tenant):
    api = tenant.api
    (inst,) = api.run(count=1, name="shape")
    assert INSTANCE_FIELDS <= set(inst), INSTANCE_FIELDS - set(inst)
    assert inst["id"].startswith("i-") and len(inst["id"]) == 19
    running = api.wait_state(inst["id"], "running")
    assert INSTANCE_FIELDS <= set(running)
    host = admin.ok("GET", f"/v1/hosts/{running['host_id']}")
    assert HOST_FIELDS <= set(host), HOST_FIELDS - set(host)
    image = api.ok("POST", "/v1/images", {"name": "shape"}, expect=(201,))
    assert {"id", "name", "tenant_id", "public", "state", "created_at"} <= set(image)
    kp = api.ok("POST", "/v1/key-pairs", {"name": "shape", "public_key": ssh_ed25519_public_key()},
                expect=(201,))
    assert {"id", "name", "fingerprint"} <= set(kp)
    user = api.ok("POST", "/v1/users", {"name": "shape"}, expect=(201,))
    assert {"id", "name", "tenant_id", "role"} <= set(user)
    key = api.ok("POST", f"/v1/users/{user['id']}/access-keys", expect=(201,))
    assert set(key) >= {"access_key_id", "secret_access_key", "user_id"}
    listed = api.ok("GET", "/v1/access-keys")["access_keys"]
    assert all({"access_key_id", "user_id", "tenant_id", "status", "created_at"} <= set(k)
               for k in listed)
    assert "secret_access_key" not in str(listed)
    assert {"id", "name", "created_at"} <= set(api.ok("GET", f"/v1/tenants/{tenant.id}"))


def test_default_page_size_is_100(tenant):
    tenant.api.run(count=101, instance_type="mv1.nano")
    page = tenant.api.ok("GET", "/v1/instances")
    assert len(page["instances"]) == 100 and "next_token" in page
    rest = tenant.api.ok("GET", "/v1/instances", query={"next_token": page["next_token"]})
    assert len(rest["instances"]) == 1 and "next_token" not in rest

"""Tenant isolation: another tenant's resource answers exactly like one that never existed."""

import base64
import os
import struct

import pytest

from conftest import new_tenant, random_id


def ssh_ed25519_public_key(comment="test"):
    def ssh_string(b):
        return struct.pack(">I", len(b)) + b

    blob = ssh_string(b"ssh-ed25519") + ssh_string(os.urandom(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


@pytest.fixture(scope="module")
def world(admin):
    """Tenant A with instances (running and stopped), tags, an image and a key pair;
    tenant B with a resource of its own."""
    a = new_tenant(admin)
    b = new_tenant(admin)
    running = a.api.run(count=2, tags={"team": "a", "Name": "a-web"})
    ids = [i["id"] for i in running]
    a.api.wait_states(ids, "running")
    a.api.ok("POST", f"/v1/instances/{ids[1]}/stop", expect=(202,))
    a.api.wait_state(ids[1], "stopped")
    image = a.api.ok("POST", "/v1/images", {"name": "a-image"}, expect=(201,))
    a.api.ok("PUT", "/v1/tags", {"resource_ids": [image["id"]], "tags": {"team": "a"}},
             expect=(204,))
    key = a.api.ok("POST", "/v1/key-pairs",
                   {"name": "a-key", "public_key": ssh_ed25519_public_key()}, expect=(201,))
    b_own = b.api.run(count=1)[0]
    b.api.wait_state(b_own["id"], "running")
    snapshot = {
        "instances": {i: a.api.instance(i) for i in ids},
        "image": a.api.ok("GET", f"/v1/images/{image['id']}"),
        "key": a.api.ok("GET", "/v1/key-pairs/a-key"),
        "tags": {r: a.api.ok("GET", "/v1/tags", query={"resource_id": r})["tags"]
                 for r in ids + [image["id"]]},
    }
    return {"a": a, "b": b, "instances": ids, "image": image["id"], "key": key,
            "b_instance": b_own["id"], "snapshot": snapshot}


def _same_answer(mine, theirs, their_id, fake_id):
    """B's answer for A's id must equal its answer for a made-up id of the same form."""
    assert mine.status == theirs.status, (mine, theirs)
    assert mine.status in (400, 404), mine
    assert mine.code == theirs.code, (mine, theirs)
    assert mine.code, mine
    norm_theirs = (theirs.message or "").replace(their_id, "<ID>")
    norm_mine = (mine.message or "").replace(fake_id, "<ID>")
    assert norm_mine == norm_theirs, (mine, theirs)
    assert set(mine.json) == set(theirs.json) == {"error", "request_id"}


INSTANCE_ROUTES = [
    ("GET", "/v1/instances/{id}", None),
    ("GET", "/v1/instances/{id}/console", None),
    ("POST", "/v1/instances/{id}/stop", None),
    ("POST", "/v1/instances/{id}/stop", {"force": True}),
    ("POST", "/v1/instances/{id}/start", None),
    ("POST", "/v1/instances/{id}/reboot", None),
    ("POST", "/v1/instances/{id}/terminate", None),
    ("DELETE", "/v1/instances/{id}", None),
]


@pytest.mark.parametrize("which", [0, 1], ids=["running", "stopped"])
@pytest.mark.parametrize("method,pattern,body", INSTANCE_ROUTES,
                         ids=[f"{m} {p}" + (" force" if b else "") for m, p, b in INSTANCE_ROUTES])
def test_instance_routes_hide_other_tenants_instances(world, method, pattern, body, which):
    b = world["b"].api
    theirs_id = world["instances"][which]
    fake_id = random_id("i")
    theirs = b.request(method, pattern.format(id=theirs_id), body=body)
    mine = b.request(method, pattern.format(id=fake_id), body=body)
    assert theirs.status == 404 and theirs.code == "InvalidInstanceID.NotFound", theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


@pytest.mark.parametrize("method,pattern", [("GET", "/v1/images/{id}"),
                                            ("DELETE", "/v1/images/{id}"),
                                            ("GET", "/v1/images/{id}/launch-permission")])
def test_image_routes_hide_other_tenants_images(world, method, pattern):
    b = world["b"].api
    theirs_id, fake_id = world["image"], random_id("ami")
    theirs = b.request(method, pattern.format(id=theirs_id))
    mine = b.request(method, pattern.format(id=fake_id))
    assert theirs.status == 404 and theirs.code == "InvalidAMIID.NotFound", theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


@pytest.mark.parametrize("kind", ["instance", "image"])
@pytest.mark.parametrize("op", ["put", "delete", "get"])
def test_tag_routes_hide_other_tenants_resources(world, kind, op):
    b = world["b"].api
    theirs_id = world["instances"][0] if kind == "instance" else world["image"]
    fake_id = random_id("i" if kind == "instance" else "ami")

    def send(rid):
        if op == "put":
            return b.request("PUT", "/v1/tags", {"resource_ids": [rid], "tags": {"team": "b"}})
        if op == "delete":
            return b.request("DELETE", "/v1/tags", {"resource_ids": [rid], "keys": ["team"]})
        return b.request("GET", "/v1/tags", query={"resource_id": rid})

    theirs, mine = send(theirs_id), send(fake_id)
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


def test_tagging_a_mix_of_own_and_foreign_ids_changes_nothing(world):
    b = world["b"].api
    own = world["b_instance"]
    r = b.request("PUT", "/v1/tags",
                  {"resource_ids": [own, world["instances"][0]], "tags": {"mixed": "yes"}})
    assert r.status == 404, r
    assert "mixed" not in b.instance(own)["tags"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_key_pair_routes_hide_other_tenants_key_pairs(world, method):
    b = world["b"].api
    theirs = b.request(method, "/v1/key-pairs/a-key")
    fake_name = "no-such-key-" + random_id("x")[2:]
    mine = b.request(method, f"/v1/key-pairs/{fake_name}")
    if method == "DELETE" and theirs.status == 204:
        # EC2's DeleteKeyPair is idempotent; it must then be so for a missing name too.
        assert mine.status == 204, mine
        return
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, "a-key", fake_name)


def test_user_route_hides_other_tenants_users(world):
    b = world["b"].api
    theirs_id, fake_id = world["a"].user_id, random_id("u")
    theirs = b.request("GET", f"/v1/users/{theirs_id}")
    mine = b.request("GET", f"/v1/users/{fake_id}")
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


def test_access_key_creation_for_other_tenants_user_is_not_found(world):
    b = world["b"].api
    theirs_id, fake_id = world["a"].user_id, random_id("u")
    theirs = b.request("POST", f"/v1/users/{theirs_id}/access-keys")
    mine = b.request("POST", f"/v1/users/{fake_id}/access-keys")
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


def test_access_key_deletion_of_other_tenants_key_is_not_found(world, admin):
    b = world["b"].api
    theirs_id = world["a"].access_key_id
    fake_id = "AKIA" + "Z" * 16
    theirs = b.request("DELETE", f"/v1/access-keys/{theirs_id}")
    mine = b.request("DELETE", f"/v1/access-keys/{fake_id}")
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)
    assert world["a"].api.request("GET", "/v1/instances").status == 200  # A's key still works


def test_user_creation_in_other_tenant_is_not_found(world):
    b = world["b"].api
    theirs_id, fake_id = world["a"].id, random_id("t")
    theirs = b.request("POST", "/v1/users", {"name": "intruder", "tenant_id": theirs_id})
    mine = b.request("POST", "/v1/users", {"name": "intruder", "tenant_id": fake_id})
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)


def test_tenant_route_hides_other_tenants(world):
    b = world["b"].api
    theirs_id, fake_id = world["a"].id, random_id("t")
    theirs = b.request("GET", f"/v1/tenants/{theirs_id}")
    mine = b.request("GET", f"/v1/tenants/{fake_id}")
    assert theirs.status == 404, theirs
    _same_answer(mine, theirs, theirs_id, fake_id)
    own = b.request("GET", f"/v1/tenants/{world['b'].id}")
    assert own.status == 200 and own.json["id"] == world["b"].id, own


def test_launch_from_other_tenants_private_image_is_not_found(world):
    b = world["b"].api
    theirs_id, fake_id = world["image"], random_id("ami")
    theirs = b.request("POST", "/v1/instances",
                       {"image_id": theirs_id, "instance_type": "t3.micro"})
    mine = b.request("POST", "/v1/instances", {"image_id": fake_id, "instance_type": "t3.micro"})
    assert theirs.status == 404 and theirs.code == "InvalidAMIID.NotFound", theirs
    _same_answer(mine, theirs, theirs_id, fake_id)
    assert [i["id"] for i in b.instances()] == [world["b_instance"]]


def test_lists_never_show_other_tenants_resources(world, admin):
    a, b = world["a"], world["b"].api
    a_ids = set(world["instances"])
    host_ids = {world["snapshot"]["instances"][i]["host_id"] for i in a_ids} - {None}
    listings = [
        b.instances(),
        b.instances({"tag:team": "a"}),
        b.instances({"state": "stopped"}),
    ] + [b.instances({"host_id": h}) for h in host_ids]
    for listing in listings:
        assert not a_ids & {i["id"] for i in listing}, listing
        assert all(i["tenant_id"] == world["b"].id for i in listing), listing
    assert [i["id"] for i in b.instances()] == [world["b_instance"]]
    images = b.ok("GET", "/v1/images")["images"]
    assert world["image"] not in {i["id"] for i in images}
    assert all(i["public"] or i["tenant_id"] == world["b"].id for i in images)
    assert b.ok("GET", "/v1/key-pairs")["key_pairs"] == []
    users = b.ok("GET", "/v1/users")["users"]
    assert {u["tenant_id"] for u in users} == {world["b"].id}
    assert a.user_id not in {u["id"] for u in users}
    keys = b.ok("GET", "/v1/access-keys")["access_keys"]
    assert {k["tenant_id"] for k in keys} == {world["b"].id}
    tenants = b.ok("GET", "/v1/tenants")["tenants"]
    assert a.id not in {t["id"] for t in tenants}


def test_other_tenants_resources_unchanged_afterwards(world, request):
    # Runs last in this module (pytest keeps file order): everything B tried above failed.
    a = world["a"].api
    snap = world["snapshot"]
    for iid, before in snap["instances"].items():
        assert a.instance(iid) == before
    assert a.ok("GET", f"/v1/images/{world['image']}") == snap["image"]
    assert a.ok("GET", "/v1/key-pairs/a-key") == snap["key"]
    for rid, tags in snap["tags"].items():
        assert a.ok("GET", "/v1/tags", query={"resource_id": rid})["tags"] == tags
    assert a.request("GET", "/v1/instances").status == 200

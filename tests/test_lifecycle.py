"""Instance lifecycle (the EC2 state machine), tags, list filters and pagination."""

import pytest

from conftest import add_sim_hosts, raw_http, wait_for


def _host(admin, host_id):
    return admin.ok("GET", f"/v1/hosts/{host_id}")


def test_run_is_pending_then_running_on_a_host(tenant, image_id):
    out = tenant.api.run(count=1, image_id=image_id, name="web-1")
    assert len(out) == 1
    i = out[0]
    assert i["state"] == "pending"
    assert i["desired_state"] == "running"
    assert i["tenant_id"] == tenant.id and i["image_id"] == image_id
    assert i["instance_type"] == "t3.micro" and i["vcpus"] == 2 and i["memory_mib"] == 1024
    assert i["tags"] == {"Name": "web-1"}
    running = tenant.api.wait_state(i["id"], "running")
    assert running["host_id"] and running["host_id"].startswith("h-")
    assert running["state_reason"] is None
    assert running["zone"] == "strato-1a"


def test_stop_start_reboot_terminate(admin, tenant):
    iid = tenant.api.run()[0]["id"]
    running = tenant.api.wait_state(iid, "running")
    host_id = running["host_id"]
    before = _host(admin, host_id)

    r = tenant.api.request("POST", f"/v1/instances/{iid}/stop")
    assert r.status == 202, r
    assert r.json["state"] in ("stopping", "stopped")
    stopped = tenant.api.wait_state(iid, "stopped")
    assert stopped["host_id"] is None
    after = _host(admin, host_id)
    assert after["allocated_memory_mib"] == before["allocated_memory_mib"] - 1024
    assert after["allocated_vcpus"] == before["allocated_vcpus"] - 2
    assert after["instance_count"] == before["instance_count"] - 1

    r = tenant.api.request("POST", f"/v1/instances/{iid}/start")
    assert r.status == 202 and r.json["state"] in ("pending", "running"), r
    started = tenant.api.wait_state(iid, "running")
    assert started["host_id"]

    r = tenant.api.request("POST", f"/v1/instances/{iid}/reboot")
    assert r.status == 202 and r.json["state"] == "running", r
    assert tenant.api.instance(iid)["state"] == "running"

    r = tenant.api.request("POST", f"/v1/instances/{iid}/terminate")
    assert r.status == 202 and r.json["state"] in ("shutting-down", "terminated"), r
    gone = tenant.api.wait_state(iid, "terminated")
    assert gone["host_id"] is None
    # A terminated instance stays visible.
    assert iid in [i["id"] for i in tenant.api.instances()]


def test_delete_is_terminate(tenant):
    iid = tenant.api.run()[0]["id"]
    tenant.api.wait_state(iid, "running")
    r = tenant.api.request("DELETE", f"/v1/instances/{iid}")
    assert r.status == 202, r
    tenant.api.wait_state(iid, "terminated")


def test_terminate_pending_and_stopped_instances(tenant):
    ids = [i["id"] for i in tenant.api.run(count=2)]
    tenant.api.wait_states(ids, "running")
    tenant.api.ok("POST", f"/v1/instances/{ids[0]}/stop", expect=(202,))
    tenant.api.wait_state(ids[0], "stopped")
    for iid in ids:
        assert tenant.api.request("POST", f"/v1/instances/{iid}/terminate").status == 202
    tenant.api.wait_states(ids, "terminated")


def test_illegal_actions_are_409_and_change_nothing(tenant):
    a, b = [i["id"] for i in tenant.api.run(count=2)]
    tenant.api.wait_states([a, b], "running")
    tenant.api.ok("POST", f"/v1/instances/{a}/stop", expect=(202,))
    stopped = tenant.api.wait_state(a, "stopped")
    r = tenant.api.request("POST", f"/v1/instances/{a}/reboot")
    assert r.status == 409 and r.code == "IncorrectInstanceState", r
    assert a in r.message
    assert tenant.api.instance(a) == stopped

    tenant.api.ok("POST", f"/v1/instances/{b}/terminate", expect=(202,))
    terminated = tenant.api.wait_state(b, "terminated")
    for action in ("start", "stop", "reboot"):
        r = tenant.api.request("POST", f"/v1/instances/{b}/{action}")
        assert r.status == 409 and r.code == "IncorrectInstanceState", (action, r)
        assert tenant.api.instance(b) == terminated


def test_repeated_stop_and_terminate_are_noop_202(tenant):
    a, b = [i["id"] for i in tenant.api.run(count=2)]
    tenant.api.wait_states([a, b], "running")
    tenant.api.ok("POST", f"/v1/instances/{a}/stop", expect=(202,))
    stopped = tenant.api.wait_state(a, "stopped")
    for _ in range(2):
        r = tenant.api.request("POST", f"/v1/instances/{a}/stop")
        assert r.status == 202, r
        assert r.json == stopped
    assert tenant.api.instance(a) == stopped
    # start on a running instance is a no-op too.
    running_b = tenant.api.instance(b)
    r = tenant.api.request("POST", f"/v1/instances/{b}/start")
    assert r.status == 202 and r.json == running_b, r

    tenant.api.ok("POST", f"/v1/instances/{b}/terminate", expect=(202,))
    terminated = tenant.api.wait_state(b, "terminated")
    for path in (f"/v1/instances/{b}/terminate", f"/v1/instances/{b}"):
        r = tenant.api.request("DELETE" if path.endswith(b) else "POST", path)
        assert r.status == 202, r
        assert r.json == terminated
    assert tenant.api.instance(b) == terminated


def test_force_stop(tenant):
    iid = tenant.api.run()[0]["id"]
    tenant.api.wait_state(iid, "running")
    r = tenant.api.request("POST", f"/v1/instances/{iid}/stop", body={"force": True})
    assert r.status == 202, r
    tenant.api.wait_state(iid, "stopped")


def test_console_of_running_instance(tenant):
    iid = tenant.api.run()[0]["id"]
    tenant.api.wait_state(iid, "running")
    r = tenant.api.request("GET", f"/v1/instances/{iid}/console")
    assert r.status == 200, r
    assert r.json["instance_id"] == iid
    assert isinstance(r.json["output"], str)


# ---------------------------------------------------------------- tags and filters


@pytest.fixture
def fleet(tenant):
    """Five instances: 3 t3.micro tagged env=prod (one stopped), 2 t3.small env=dev."""
    api = tenant.api
    prod = [i["id"] for i in api.run(count=3, tags={"env": "prod"})]
    dev = [i["id"] for i in api.run(count=2, instance_type="t3.small", tags={"env": "dev"})]
    api.wait_states(prod + dev, "running")
    api.ok("POST", f"/v1/instances/{prod[0]}/stop", expect=(202,))
    api.wait_state(prod[0], "stopped")
    return {"prod": prod, "dev": dev, "all": sorted(prod + dev)}


def _ids(listing):
    return sorted(i["id"] for i in listing)


def test_list_filters(tenant, fleet):
    api = tenant.api
    prod, dev = fleet["prod"], fleet["dev"]
    assert _ids(api.instances()) == fleet["all"]
    assert _ids(api.instances({"state": "stopped"})) == [prod[0]]
    assert _ids(api.instances({"state": "running"})) == sorted(prod[1:] + dev)
    assert _ids(api.instances({"state": "terminated"})) == []
    assert _ids(api.instances({"instance_type": "t3.small"})) == sorted(dev)
    assert _ids(api.instances({"instance_type": "t3.micro"})) == sorted(prod)
    assert _ids(api.instances({"tag:env": "prod"})) == sorted(prod)
    assert _ids(api.instances({"tag:env": "dev"})) == sorted(dev)
    assert _ids(api.instances({"tag:env": "nope"})) == []
    assert _ids(api.instances({"tag:env": "prod", "state": "running"})) == sorted(prod[1:])
    assert _ids(api.instances({"tag:env": "prod", "instance_type": "t3.small"})) == []
    assert _ids(api.instances({"zone": "strato-1a"})) == fleet["all"]
    by_host = {}
    for i in api.instances({"state": "running"}):
        by_host.setdefault(i["host_id"], []).append(i["id"])
    for host_id, ids in by_host.items():
        assert _ids(api.instances({"host_id": host_id})) == sorted(ids)


def test_tags_put_list_delete_and_filter(tenant, fleet):
    api = tenant.api
    a, b = fleet["dev"]
    r = api.request("PUT", "/v1/tags", {"resource_ids": [a, b], "tags": {"tier": "web", "x": ""}})
    assert r.status == 204 and r.body == b"", r
    tags = api.ok("GET", "/v1/tags", query={"resource_id": a})["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("env", "dev"), ("tier", "web"),
                                                             ("x", "")]
    assert all(t["resource_id"] == a for t in tags)
    assert api.instance(a)["tags"] == {"env": "dev", "tier": "web", "x": ""}
    assert _ids(api.instances({"tag:tier": "web"})) == sorted([a, b])
    # Overwrite a value.
    api.ok("PUT", "/v1/tags", {"resource_ids": [b], "tags": {"tier": "db"}}, expect=(204,))
    assert _ids(api.instances({"tag:tier": "web"})) == [a]
    r = api.request("DELETE", "/v1/tags", {"resource_ids": [a, b], "keys": ["tier", "absent"]})
    assert r.status == 204, r
    assert api.instance(a)["tags"] == {"env": "dev", "x": ""}
    assert api.instance(b)["tags"] == {"env": "dev", "x": ""}
    assert _ids(api.instances({"tag:tier": "web"})) == []


def test_name_counts_toward_the_50_tag_limit(tenant, image_id):
    # `name` becomes the Name tag; with 50 other tags that would be a 51st.
    tags = {f"k{n}": "v" for n in range(50)}
    r = tenant.api.request("POST", "/v1/instances", {"image_id": image_id,
                                                     "instance_type": "t3.micro",
                                                     "name": "web", "tags": tags})
    if r.status == 202:
        (inst,) = r.json["instances"]
        assert len(inst["tags"]) <= 50, f"launched with {len(inst['tags'])} tags"
        r = tenant.api.request("PUT", "/v1/tags",
                               {"resource_ids": [inst["id"]], "tags": {"k1": "changed"}})
        assert r.status == 204, r
    else:
        assert r.status == 400 and "tags" in r.message.lower(), r
        assert tenant.api.instances() == []


def test_fifty_tags_is_the_limit_not_beyond(tenant, image_id):
    tags = {f"k{n}": "v" for n in range(50)}
    (inst,) = tenant.api.run(count=1, image_id=image_id, tags=tags)
    assert len(inst["tags"]) == 50
    r = tenant.api.request("PUT", "/v1/tags", {"resource_ids": [inst["id"]],
                                               "tags": {"k0": "overwrite"}})
    assert r.status == 204, r
    r = tenant.api.request("PUT", "/v1/tags", {"resource_ids": [inst["id"]],
                                               "tags": {"one-more": "x"}})
    assert r.status == 400 and r.code == "TagLimitExceeded", r
    assert len(tenant.api.instance(inst["id"])["tags"]) == 50


def test_pagination_visits_each_instance_once_in_order(tenant, fleet):
    api = tenant.api
    seen, pages, token = [], 0, None
    while True:
        q = {"page_size": 2}
        if token:
            q["next_token"] = token
        page = api.ok("GET", "/v1/instances", query=q)
        pages += 1
        assert len(page["instances"]) <= 2
        seen.extend(i["id"] for i in page["instances"])
        token = page.get("next_token")
        if not token:
            break
        assert pages < 10
    assert pages == 3
    assert seen == fleet["all"]  # each once, ordered by id


def test_pagination_with_filter(tenant, fleet):
    page = tenant.api.ok("GET", "/v1/instances", query={"page_size": 2, "tag:env": "prod"})
    assert len(page["instances"]) == 2 and "next_token" in page
    rest = tenant.api.ok("GET", "/v1/instances",
                         query={"page_size": 2, "tag:env": "prod",
                                "next_token": page["next_token"]})
    assert "next_token" not in rest
    assert [i["id"] for i in page["instances"] + rest["instances"]] == sorted(fleet["prod"])


def test_page_exactly_full_has_no_dangling_token(tenant, fleet):
    page = tenant.api.ok("GET", "/v1/instances", query={"page_size": 5})
    assert len(page["instances"]) == 5
    assert "next_token" not in page


@pytest.mark.parametrize("token", ["garbage", "v1.zz", "v1.", "v1.683d", "v1.61"])
def test_bad_next_token_is_400(tenant, token):
    r = tenant.api.request("GET", "/v1/instances", query={"next_token": token})
    assert r.status == 400, r
    assert r.code == "InvalidParameterValue"
    assert "next_token" in r.message


def test_metrics_count_instances_by_state(shared_stratod, tenant):
    iid = tenant.api.run()[0]["id"]
    tenant.api.wait_state(iid, "running")
    body = raw_http(shared_stratod.port, "GET", "/metrics").body.decode()
    running = [line for line in body.splitlines()
               if line.startswith('strato_instances{state="running"}')]
    assert running and float(running[0].split()[-1]) >= 1, running
    assert "strato_scheduler_placements_total" in body


# ---------------------------------------------------------------- waiting for capacity


@pytest.fixture
def small_cloud(make_stratod):
    """A fresh daemon with one host that holds exactly two t3.micro (vCPU-bound)."""
    d = make_stratod("--terminated-retention", "1")
    (host,) = add_sim_hosts(d.admin, 1, vcpus=4, memory_mib=8192, cpu_ratio=1.0)
    return d, host


def _waiting(api, iid):
    i = api.instance(iid)
    return i if i["state"] == "pending" and (i["state_reason"] or "").startswith(
        "Insufficient capacity") else None


def test_unplaced_pending_instance_rules(small_cloud):
    d, _ = small_cloud
    api = d.admin
    ids = [i["id"] for i in api.run(count=3)]
    waiting = wait_for(lambda: [i for i in ids if _waiting(api, i)], message="one waiting")
    (w,) = waiting
    before = api.instance(w)
    for action in ("stop", "reboot"):
        r = api.request("POST", f"/v1/instances/{w}/{action}")
        assert r.status == 409 and r.code == "IncorrectInstanceState", (action, r)
    r = api.request("POST", f"/v1/instances/{w}/start")  # pending: a no-op
    assert r.status == 202 and r.json == before, r
    assert api.instance(w) == before
    # Terminating an instance that never got a host needs no host: terminated at once.
    r = api.request("POST", f"/v1/instances/{w}/terminate")
    assert r.status == 202, r
    gone = api.wait_state(w, "terminated")
    assert gone["host_id"] is None


def test_start_without_capacity_waits_then_runs(small_cloud):
    d, host = small_cloud
    api = d.admin
    a, b = [i["id"] for i in api.run(count=2)]
    api.wait_states([a, b], "running")
    api.ok("POST", f"/v1/instances/{a}/stop", expect=(202,))
    api.wait_state(a, "stopped")
    c = api.run(count=1)[0]["id"]
    api.wait_state(c, "running")  # took the freed slot
    r = api.request("POST", f"/v1/instances/{a}/start")
    assert r.status == 202 and r.json["state"] == "pending", r
    wait_for(lambda: _waiting(api, a), message="the started instance to wait")
    api.ok("POST", f"/v1/instances/{c}/terminate", expect=(202,))
    assert api.wait_state(a, "running")["host_id"] == host


def test_terminated_instance_is_purged_after_retention(small_cloud):
    d, _ = small_cloud
    api = d.admin
    iid = api.run(count=1, tags={"short": "lived"})[0]["id"]
    api.wait_state(iid, "running")
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    api.wait_state(iid, "terminated")
    # --terminated-retention 1 and a 500 ms resync: gone within a few seconds.
    wait_for(lambda: api.request("GET", f"/v1/instances/{iid}").status == 404, timeout=10,
             message="the purge")
    r = api.request("GET", f"/v1/instances/{iid}")
    assert r.code == "InvalidInstanceID.NotFound", r
    assert iid not in [i["id"] for i in api.instances()]
    assert api.request("GET", "/v1/tags", query={"resource_id": iid}).status == 404

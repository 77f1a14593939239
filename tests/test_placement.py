"""The scheduler as seen through the API: policies, disabled hosts, waiting for capacity, and
no overbooking under a concurrent launch storm. Each test gets a fresh daemon without a local
host, so only the hosts it registers exist."""

import collections
import random
import re
import threading
import time

import pytest

from conftest import add_sim_hosts, default_image_id, wait_for


def _hosts_of(api, ids):
    return [api.instance(i)["host_id"] for i in ids]


def _launch_one_each(api, n, policy):
    """n sequential single launches, each waited to running; returns host ids in order."""
    hosts = []
    for _ in range(n):
        iid = api.run(count=1, placement_policy=policy)[0]["id"]
        hosts.append(api.wait_state(iid, "running")["host_id"])
    return hosts


def test_no_hosts_at_all_is_400_insufficient_capacity(stratod):
    admin = stratod.admin
    r = admin.request("POST", "/v1/instances",
                      {"image_id": default_image_id(admin), "instance_type": "t3.micro"})
    assert r.status == 400 and r.code == "InsufficientInstanceCapacity", r
    assert admin.instances() == []


def test_pack_fills_host_by_host(stratod):
    admin = stratod.admin
    hosts = sorted(add_sim_hosts(admin, 3, vcpus=4, memory_mib=4096, cpu_ratio=1.0))
    for h in hosts:
        assert admin.ok("GET", f"/v1/hosts/{h}")["cpu_ratio"] == 1.0
    # Two t3.micro (2 vCPU each) fill a 4-vCPU host at ratio 1.0.
    placed = _launch_one_each(admin, 4, "pack")
    assert placed == [hosts[0], hosts[0], hosts[1], hosts[1]]
    ids = [i["id"] for i in admin.run(count=2, placement_policy="pack")]
    admin.wait_states(ids, "running")
    assert _hosts_of(admin, ids) == [hosts[2], hosts[2]]
    for h in hosts:
        host = admin.ok("GET", f"/v1/hosts/{h}")
        assert (host["allocated_vcpus"], host["allocated_memory_mib"], host["instance_count"]) == (
            4, 2048, 2)


def test_pack_in_one_request(stratod):
    admin = stratod.admin
    hosts = sorted(add_sim_hosts(admin, 3, vcpus=8, memory_mib=8192, cpu_ratio=1.0))
    ids = [i["id"] for i in admin.run(count=6, placement_policy="pack")]
    admin.wait_states(ids, "running")
    counts = collections.Counter(_hosts_of(admin, ids))
    assert counts == {hosts[0]: 4, hosts[1]: 2}


def test_spread_distributes_round_robin(stratod):
    admin = stratod.admin
    hosts = sorted(add_sim_hosts(admin, 3, vcpus=8, memory_mib=8192, cpu_ratio=1.0))
    placed = _launch_one_each(admin, 6, "spread")
    # Round robin: every window of three consecutive launches covers all three hosts.
    for k in range(4):
        assert sorted(placed[k:k + 3]) == hosts, placed
    ids = [i["id"] for i in admin.run(count=6, placement_policy="spread")]
    admin.wait_states(ids, "running")
    assert collections.Counter(_hosts_of(admin, ids)) == {h: 2 for h in hosts}


def test_daemon_default_policy_spread(make_stratod):
    d = make_stratod("--placement-policy", "spread")
    hosts = sorted(add_sim_hosts(d.admin, 3, vcpus=8, memory_mib=8192, cpu_ratio=1.0))
    ids = [i["id"] for i in d.admin.run(count=3)]
    d.admin.wait_states(ids, "running")
    assert sorted(_hosts_of(d.admin, ids)) == hosts


def test_disabled_host_gets_nothing_new_but_keeps_its_instances(stratod):
    admin = stratod.admin
    hosts = sorted(add_sim_hosts(admin, 3, vcpus=8, memory_mib=8192, cpu_ratio=1.0))
    first = [i["id"] for i in admin.run(count=2, placement_policy="pack")]
    admin.wait_states(first, "running")
    assert _hosts_of(admin, first) == [hosts[0]] * 2

    r = admin.request("POST", f"/v1/hosts/{hosts[0]}/disable")
    assert r.status == 200 and r.json["enabled"] is False, r
    assert [h["id"] for h in admin.list_all("/v1/hosts", "hosts", {"enabled": "false"})] == [
        hosts[0]]

    more = [i["id"] for i in admin.run(count=8, placement_policy="pack")]
    admin.wait_states(more, "running")
    assert collections.Counter(_hosts_of(admin, more)) == {hosts[1]: 4, hosts[2]: 4}
    # The disabled host kept its instances, running.
    for iid in first:
        i = admin.instance(iid)
        assert (i["state"], i["host_id"]) == ("running", hosts[0])
    h0 = admin.ok("GET", f"/v1/hosts/{hosts[0]}")
    assert (h0["instance_count"], h0["allocated_vcpus"], h0["enabled"]) == (2, 4, False)

    # The disabled host has room, yet one more waits...
    extra = admin.run(count=1, placement_policy="pack")[0]["id"]
    waiting = wait_for(lambda: (lambda i: i if i["state_reason"] and
                                "Insufficient capacity" in i["state_reason"] else None)(
        admin.instance(extra)), message="a placement failure reason")
    assert waiting["state"] == "pending" and waiting["host_id"] is None
    # ...until the host is enabled again.
    r = admin.request("POST", f"/v1/hosts/{hosts[0]}/enable")
    assert r.status == 200 and r.json["enabled"] is True, r
    assert admin.wait_state(extra, "running")["host_id"] == hosts[0]


def test_unplaceable_instance_waits_then_is_placed_when_capacity_frees(stratod):
    admin = stratod.admin
    (host,) = add_sim_hosts(admin, 1, vcpus=4, memory_mib=4096, cpu_ratio=1.0)
    ids = [i["id"] for i in admin.run(count=3)]

    def settled():
        states = [admin.instance(i) for i in ids]
        running = [i for i in states if i["state"] == "running"]
        waiting = [i for i in states if i["state"] == "pending" and i["state_reason"] and
                   "Insufficient" in i["state_reason"]]
        return (running, waiting) if len(running) == 2 and len(waiting) == 1 else None

    running, (waiting,) = wait_for(settled, message="2 running and 1 waiting")
    assert waiting["host_id"] is None
    # vCPU is the short resource here (3 x 1024 MiB fit in 4096 MiB; 3 x 2 vCPU do not fit 4).
    reason = waiting["state_reason"]
    assert "vCPU" in reason
    assert re.search(r"\b1 short of vCPU\b", reason), reason
    assert re.search(r"\b0 short of memory\b", reason), reason

    admin.ok("POST", f"/v1/instances/{running[0]['id']}/terminate", expect=(202,))
    placed = admin.wait_state(waiting["id"], "running")
    assert placed["host_id"] == host and placed["state_reason"] is None
    h = admin.ok("GET", f"/v1/hosts/{host}")
    assert (h["allocated_vcpus"], h["allocated_memory_mib"], h["instance_count"]) == (4, 2048, 2)


def test_memory_short_reason(stratod):
    admin = stratod.admin
    add_sim_hosts(admin, 2, vcpus=16, memory_mib=2048, cpu_ratio=1.0)
    ids = [i["id"] for i in admin.run(count=3, instance_type="t3.small")]  # 2048 MiB each
    wait_for(lambda: len(admin.instances({"state": "running"})) == 2, message="2 running")
    (waiting,) = wait_for(lambda: [i for i in admin.instances({"state": "pending"})
                                   if i["state_reason"] and "Insufficient" in i["state_reason"]],
                          message="one waiting")
    assert waiting["id"] in ids
    assert re.search(r"\b2 short of memory\b", waiting["state_reason"]), waiting
    assert re.search(r"\b0 short of vCPU\b", waiting["state_reason"]), waiting


@pytest.mark.parametrize("itype", ["r5.xlarge", "m5.2xlarge"], ids=["memory", "vcpus"])
def test_type_larger_than_every_host_is_400(stratod, itype):
    admin = stratod.admin
    add_sim_hosts(admin, 3, vcpus=4, memory_mib=16384, cpu_ratio=1.0)
    r = admin.request("POST", "/v1/instances",
                      {"image_id": default_image_id(admin), "instance_type": itype})
    assert r.status == 400 and r.code == "InsufficientInstanceCapacity", r
    assert itype in r.message
    assert admin.instances() == []


def test_zone_placement(make_stratod):
    d = make_stratod("--zones", "strato-1a,strato-1b")
    admin = d.admin
    assert admin.ok("GET", "/v1/regions") == {"region": "strato-1", "zones": ["strato-1a",
                                                                              "strato-1b"]}
    add_sim_hosts(admin, 1, vcpus=8, memory_mib=8192, cpu_ratio=1.0, zone="strato-1a")
    (b,) = add_sim_hosts(admin, 1, vcpus=8, memory_mib=8192, cpu_ratio=1.0, zone="strato-1b")
    ids = [i["id"] for i in admin.run(count=3, zone="strato-1b")]
    admin.wait_states(ids, "running")
    for iid in ids:
        i = admin.instance(iid)
        assert (i["host_id"], i["zone"]) == (b, "strato-1b")
    r = admin.request("POST", "/v1/instances", {"image_id": default_image_id(admin),
                                                "instance_type": "t3.micro", "zone": "strato-1c"})
    assert r.status == 400 and "zone" in r.message, r


def test_last_slot_race_never_overbooks(stratod):
    admin = stratod.admin
    n_slots, n_threads = 5, 64
    (host,) = add_sim_hosts(admin, 1, vcpus=2 * n_slots, memory_mib=1024 * n_slots, cpu_ratio=1.0)
    image = default_image_id(admin)
    barrier = threading.Barrier(n_threads)
    results, errors = [None] * n_threads, []
    violations = []
    stop_sampling = threading.Event()

    def launch(k):
        try:
            barrier.wait(10)
            results[k] = admin.request("POST", "/v1/instances",
                                       {"image_id": image, "instance_type": "t3.micro"})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    def sample():
        while not stop_sampling.is_set():
            h = admin.ok("GET", f"/v1/hosts/{host}")
            if h["allocated_memory_mib"] > h["memory_mib"] or h["allocated_vcpus"] > h["vcpus"]:
                violations.append(h)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=launch, args=(k,)) for k in range(n_threads)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert all(r is not None and r.status == 202 for r in results), [
            r for r in results if r is None or r.status != 202][:3]
        ids = {r.json["instances"][0]["id"] for r in results}
        assert len(ids) == n_threads

        def settled():
            listing = admin.instances()
            running = [i for i in listing if i["state"] == "running"]
            waiting = [i for i in listing if i["state"] == "pending" and i["host_id"] is None and
                       i["state_reason"] and "Insufficient" in i["state_reason"]]
            return (running, waiting) if len(running) + len(waiting) == n_threads else None

        running, waiting = wait_for(settled, timeout=20, message="every launch decided")
        assert len(running) == n_slots, len(running)
        assert len(waiting) == n_threads - n_slots
        # It stays that way across resyncs (every 500 ms).
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            assert len(admin.instances({"state": "running"})) == n_slots
        # Freeing one slot lets exactly one waiting instance in.
        admin.ok("POST", f"/v1/instances/{running[0]['id']}/terminate", expect=(202,))
        admin.wait_state(running[0]["id"], "terminated")
        wait_for(lambda: len(admin.instances({"state": "running"})) == n_slots,
                 message="the freed slot to be taken")
        assert len(admin.instances({"state": "pending"})) == n_threads - n_slots - 1
    finally:
        stop_sampling.set()
        sampler.join(30)
    assert not violations, violations[:3]
    h = admin.ok("GET", f"/v1/hosts/{host}")
    assert h["allocated_memory_mib"] == h["memory_mib"] == 1024 * n_slots
    assert h["instance_count"] == n_slots


def test_bulk_launch_of_1000_is_placed_within_capacity(stratod):
    admin = stratod.admin
    hosts = add_sim_hosts(admin, 8, vcpus=64, memory_mib=65536)  # default cpu_ratio 4.0
    out = admin.run(count=1000, instance_type="mv1.nano", placement_policy="balance")
    assert len(out) == 1000 and len({i["id"] for i in out}) == 1000
    wait_for(lambda: len(admin.instances({"state": "running"})) == 1000, timeout=30,
             message="1000 running")
    listed = admin.list_all("/v1/hosts", "hosts")
    assert sum(h["instance_count"] for h in listed) == 1000
    for h in listed:
        assert h["allocated_vcpus"] <= h["vcpus"] * h["cpu_ratio"]
        assert h["allocated_memory_mib"] <= h["memory_mib"]
        # balance: least loaded first, so the load is even.
        assert h["instance_count"] == 125, [x["instance_count"] for x in listed]
    assert sorted(h["id"] for h in listed) == sorted(hosts)


def test_host_listing_pages_and_filters(stratod):
    admin = stratod.admin
    hosts = sorted(add_sim_hosts(admin, 5, vcpus=4, memory_mib=4096, name_prefix="rack7"))
    for h in hosts:
        host = admin.ok("GET", f"/v1/hosts/{h}")
        assert host["name"].startswith("rack7") and host["driver"] == "sim"
        assert host["cpu_ratio"] == 4.0  # the daemon's default
    admin.ok("POST", f"/v1/hosts/{hosts[2]}/disable")
    seen, token = [], None
    while True:
        q = {"page_size": 2, **({"next_token": token} if token else {})}
        page = admin.ok("GET", "/v1/hosts", query=q)
        seen += [h["id"] for h in page["hosts"]]
        token = page.get("next_token")
        if not token:
            break
    assert seen == hosts
    enabled = [h["id"] for h in admin.list_all("/v1/hosts", "hosts", {"enabled": "true"})]
    assert enabled == [h for h in hosts if h != hosts[2]]
    assert admin.list_all("/v1/hosts", "hosts", {"zone": "strato-1a"}) != []
    assert admin.list_all("/v1/hosts", "hosts", {"zone": "strato-1z"}) == []
    r = admin.request("POST", "/v1/hosts", {"name": "dup", "vcpus": 4, "memory_mib": 4096})
    assert r.status == 201, r
    r = admin.request("POST", "/v1/hosts", {"name": "dup", "vcpus": 4, "memory_mib": 4096})
    assert r.status == 409 and r.code == "HostAlreadyExists", r


def _settled(api):
    listing = api.instances()
    for i in listing:
        stable = i["state"] in ("running", "stopped", "terminated")
        waiting = (i["state"] == "pending" and i["host_id"] is None and
                   (i["state_reason"] or "").startswith("Insufficient capacity"))
        if not (stable or waiting):
            return None
    return listing


@pytest.mark.parametrize("seed", [1, 2])
def test_capacity_accounting_survives_churn_and_kill9(stratod, seed):
    rnd = random.Random(seed)
    admin = stratod.admin
    add_sim_hosts(admin, 2, vcpus=8, memory_mib=8192, cpu_ratio=1.0)  # 8 t3.micro slots
    ids = [i["id"] for i in admin.run(count=10)]

    def churn(steps):
        for _ in range(steps):
            iid = rnd.choice(ids)
            action = rnd.choice(["stop", "stop", "start", "start", "reboot", "terminate"]
                                if rnd.random() < 0.1 else ["stop", "start", "reboot"])
            body = {"force": True} if action == "stop" and rnd.random() < 0.3 else None
            r = admin.request("POST", f"/v1/instances/{iid}/{action}", body=body)
            assert r.status in (202, 409), r

    churn(60)
    stratod.kill9()
    stratod.start()
    churn(60)
    listing = wait_for(lambda: _settled(admin), timeout=15, message="every instance to settle")
    placed = [i for i in listing if i["host_id"]]
    assert all(i["state"] == "running" for i in placed)
    for h in admin.list_all("/v1/hosts", "hosts"):
        mine = [i for i in placed if i["host_id"] == h["id"]]
        assert (h["instance_count"], h["allocated_vcpus"], h["allocated_memory_mib"]) == (
            len(mine), 2 * len(mine), 1024 * len(mine)), (h, mine)
    # The scheduler's own view agrees: exactly the free slots get filled, no more.
    waiting_before = sum(1 for i in listing if i["state"] == "pending")
    free = 8 - len(placed)
    admin.run(count=free + 2)

    def filled():
        now = _settled(admin)
        if now is None:
            return None
        running = [i for i in now if i["state"] == "running"]
        pending = [i for i in now if i["state"] == "pending"]
        return (running, pending) if len(pending) == waiting_before + 2 or len(running) > 8 \
            else None

    running, pending = wait_for(filled, timeout=15, message="the new instances to be decided")
    assert len(running) == 8, len(running)
    assert len(pending) == waiting_before + 2

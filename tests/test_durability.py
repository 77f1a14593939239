"""Every acknowledged change survives a graceful restart, a kill -9, and a SIGTERM that
arrives while requests are in flight; secrets on disk are private."""

import os
import stat
import subprocess
import threading

import pytest

from conftest import STRATOD, add_sim_hosts, default_image_id, new_tenant, unique, wait_for


def _settle(api, ids, states=("running", "stopped", "terminated")):
    return wait_for(lambda: all(api.instance(i)["state"] in states for i in ids),
                    message="instances to settle")


def _build_world(d):
    """A mix of acknowledged changes, the last one answered just before the caller kills."""
    admin = d.admin
    hosts = add_sim_hosts(admin, 2, vcpus=16, memory_mib=16384)
    t = new_tenant(admin)
    run = [i["id"] for i in t.api.run(count=3, tags={"app": "db"})]
    t.api.wait_states(run, "running")
    t.api.ok("PUT", "/v1/tags", {"resource_ids": [run[0]], "tags": {"role": "primary"}},
             expect=(204,))
    stop = t.api.ok("POST", f"/v1/instances/{run[1]}/stop", expect=(202,))
    assert stop["state"] in ("stopping", "stopped")
    term = t.api.ok("POST", f"/v1/instances/{run[2]}/terminate", expect=(202,))
    assert term["state"] in ("shutting-down", "terminated")
    image = t.api.ok("POST", "/v1/images", {"name": "golden"}, expect=(201,))
    admin.ok("POST", f"/v1/hosts/{hosts[1]}/disable")
    spare = t.api.ok("POST", f"/v1/users/{t.user_id}/access-keys", expect=(201,))
    t.api.ok("DELETE", f"/v1/access-keys/{spare['access_key_id']}", expect=(204,))
    late = t.api.run(count=2, tags={"late": "yes"})  # acknowledged, maybe still pending
    other = admin.ok("POST", "/v1/tenants", {"name": unique("acked")}, expect=(201,))
    return {"tenant": t, "hosts": hosts, "running": run[0], "stopped": run[1],
            "terminated": run[2], "late": [i["id"] for i in late], "image": image["id"],
            "other_tenant": other["id"],
            "deleted_key": (spare["access_key_id"], spare["secret_access_key"])}


def _check_world(d, w):
    admin, api = d.admin, w["tenant"].api
    # The tenant's member key survived (it is stored sealed; the master key must be reused).
    assert api.request("GET", "/v1/instances").status == 200
    r = api.with_key(*w["deleted_key"]).request("GET", "/v1/instances")
    assert r.status == 403 and r.code == "InvalidClientTokenId", r
    tenants = {t["id"] for t in admin.ok("GET", "/v1/tenants")["tenants"]}
    assert {w["tenant"].id, w["other_tenant"]} <= tenants
    hosts = {h["id"]: h for h in admin.list_all("/v1/hosts", "hosts")}
    assert set(w["hosts"]) == set(hosts)
    assert hosts[w["hosts"][1]]["enabled"] is False
    assert api.ok("GET", f"/v1/images/{w['image']}")["name"] == "golden"

    primary = api.instance(w["running"])
    assert primary["state"] == "running" and primary["host_id"]
    assert primary["tags"] == {"app": "db", "role": "primary"}
    assert api.wait_state(w["stopped"], "stopped")["host_id"] is None
    assert api.wait_state(w["terminated"], "terminated")["host_id"] is None
    for iid in w["late"]:
        i = api.wait_state(iid, "running")
        assert i["tags"] == {"late": "yes"}
    # Capacity accounting matches what is placed, read after everything above settled (a host
    # read earlier may still count the instances that were stopping or terminating then).
    def accounting_matches():
        placed = [i for i in api.instances() if i["host_id"]]
        for h in admin.list_all("/v1/hosts", "hosts"):
            mine = [i for i in placed if i["host_id"] == h["id"]]
            if (h["instance_count"], h["allocated_memory_mib"]) != (
                    len(mine), sum(i["memory_mib"] for i in mine)):
                return False
        return True

    wait_for(accounting_matches, message="host accounting to match the placed instances")


def test_kill9_keeps_every_acknowledged_change(stratod):
    w = _build_world(stratod)
    stratod.kill9()  # right after the last 2xx
    stratod.start()
    _check_world(stratod, w)


def test_graceful_restart_keeps_state_exactly(stratod):
    w = _build_world(stratod)
    api = w["tenant"].api
    ids = [w["running"], w["stopped"], w["terminated"], *w["late"]]
    _settle(api, ids)
    before = {i: api.instance(i) for i in ids}
    hosts_before = stratod.admin.list_all("/v1/hosts", "hosts")
    assert stratod.stop() == 0
    stratod.start()
    assert {i: api.instance(i) for i in ids} == before
    assert stratod.admin.list_all("/v1/hosts", "hosts") == hosts_before
    _check_world(stratod, w)


def test_admin_credentials_survive_restart(stratod):
    key = stratod.credentials["aws_access_key_id"]
    secret = stratod.credentials["aws_secret_access_key"]
    stratod.restart()
    assert stratod.credentials["aws_access_key_id"] == key
    assert stratod.credentials["aws_secret_access_key"] == secret
    assert stratod.admin.request("GET", "/v1/hosts").status == 200


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_stop_with_requests_in_flight_loses_no_acknowledged_request(stratod, how):
    admin = stratod.admin
    add_sim_hosts(admin, 4, vcpus=256, memory_mib=1 << 20)
    t = new_tenant(admin)
    image = default_image_id(admin)
    n_threads = 20
    acked = {"instances": [], "tenants": [], "images": []}
    lock = threading.Lock()
    started = threading.Barrier(n_threads + 1)
    total = [0]

    def worker(k):
        started.wait(10)
        seq = 0
        while True:
            seq += 1
            kind = seq % 3
            try:
                if kind == 0:
                    r = admin.request("POST", "/v1/tenants", {"name": f"inflight-{k}-{seq}"})
                elif kind == 1:
                    r = t.api.request("POST", "/v1/images", {"name": f"img-{k}-{seq}"})
                else:
                    r = t.api.request("POST", "/v1/instances",
                                      {"image_id": image, "instance_type": "t3.nano", "count": 5,
                                       "tags": {"worker": str(k), "seq": str(seq)}})
            except OSError:
                return  # refused or cut: not acknowledged, nothing to check
            if r.status not in (201, 202):
                return
            with lock:
                total[0] += 1
                if kind == 0:
                    acked["tenants"].append(r.json["id"])
                elif kind == 1:
                    acked["images"].append(r.json["id"])
                else:
                    acked["instances"].extend(i["id"] for i in r.json["instances"])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for th in threads:
        th.start()
    started.wait(10)
    wait_for(lambda: total[0] >= 60, timeout=30, message="60 acknowledged requests")
    at_signal = total[0]
    if how == "sigterm":
        assert stratod.stop(timeout=30) == 0, stratod.log()
    else:
        stratod.kill9()
    for th in threads:
        th.join(30)
        assert not th.is_alive()
    assert acked["instances"] and acked["tenants"] and acked["images"]
    if how == "sigterm":
        # Twenty clients were busy when SIGTERM came: the requests in flight were answered.
        assert total[0] > at_signal

    stratod.start()
    tenants = {x["id"] for x in admin.ok("GET", "/v1/tenants")["tenants"]}
    assert set(acked["tenants"]) <= tenants, set(acked["tenants"]) - tenants
    images = {x["id"] for x in t.api.ok("GET", "/v1/images")["images"]}
    assert set(acked["images"]) <= images, set(acked["images"]) - images
    instances = {x["id"]: x for x in t.api.instances()}
    missing = set(acked["instances"]) - set(instances)
    assert not missing, f"{len(missing)} acknowledged instances lost"
    # And they converge once the daemon is back.
    wait_for(lambda: all(i["state"] == "running" for i in t.api.instances()), timeout=20,
             message="all instances running after restart")


def test_waiting_instance_keeps_waiting_across_kill9(stratod):
    admin = stratod.admin
    (host,) = add_sim_hosts(admin, 1, vcpus=2, memory_mib=2048, cpu_ratio=1.0)
    ids = sorted(i["id"] for i in admin.run(count=2))
    # Placement goes in id order: the first gets the only slot, the second waits.
    first, second = ids
    admin.wait_state(first, "running")
    wait_for(lambda: "Insufficient capacity" in (admin.instance(second)["state_reason"] or ""),
             message="the second instance to wait")
    stratod.kill9()
    stratod.start()
    assert admin.instance(first)["state"] == "running"
    waiting = admin.instance(second)
    assert waiting["state"] == "pending" and waiting["host_id"] is None
    h = admin.ok("GET", f"/v1/hosts/{host}")
    assert (h["instance_count"], h["allocated_vcpus"]) == (1, 2)
    admin.ok("POST", f"/v1/instances/{first}/terminate", expect=(202,))
    assert admin.wait_state(second, "running")["host_id"] == host


def test_second_daemon_on_the_same_data_dir_is_refused(stratod):
    # Two control planes over one store would each trust their own capacity view; the second
    # must refuse to start and must not disturb the first.
    admin = stratod.admin
    add_sim_hosts(admin, 1, vcpus=8, memory_mib=8192)
    second = subprocess.Popen(
        [STRATOD, "--data-dir", str(stratod.data_dir), "--listen", "127.0.0.1:0",
         "--local-host", "none", "--no-access-log"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        try:
            out, _ = second.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            # Show the damage in the failure: what the first daemon answers meanwhile.
            r = admin.request("POST", "/v1/instances",
                              {"image_id": default_image_id(admin), "instance_type": "t3.micro"})
            raise AssertionError(f"a second stratod kept running on {stratod.data_dir}; "
                                 f"meanwhile the first answered a launch with {r!r}")
        assert second.returncode != 0, out
    finally:
        if second.poll() is None:
            second.kill()
            second.wait(10)
    r = admin.request("POST", "/v1/tenants", {"name": unique("after-second")})
    assert r.status == 201, r
    assert admin.run(count=1)[0]["state"] == "pending"


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_secret_files_are_private(stratod):
    data = stratod.data_dir
    assert _mode(data / "credentials") == 0o600
    assert _mode(data / "master.key") == 0o600
    assert _mode(data) == 0o700
    stratod.restart()
    assert _mode(data / "credentials") == 0o600
    assert _mode(data / "master.key") == 0o600
    text = (data / "credentials").read_text()
    assert "[default]" in text and "aws_secret_access_key" in text

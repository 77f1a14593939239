"""Security groups on real guests (TCG) and real packets: an allowed port answers, a
forbidden one never does, replies to allowed outbound flows come back, live rule and
membership changes take effect on running guests, and the rules are back after a kill -9
of stratod. Guests serve with busybox httpd and fetch with busybox wget."""

import os
import signal
import subprocess

import pytest

from conftest import wait_for

FETCH_TIMEOUT = 4


def serve(cloud, iid, *ports):
    for port in ports:
        status, out = cloud.guest_run(
            iid, f"mkdir -p /tmp/w{port} && echo served-{port} > /tmp/w{port}/index.html && "
                 f"httpd -p {port} -h /tmp/w{port}")
        assert status == 0, out


def fetch(cloud, iid, ip, port):
    """True if `iid` gets the page from ip:port within FETCH_TIMEOUT seconds."""
    status, out = cloud.guest_run(
        iid, f"timeout {FETCH_TIMEOUT} wget -q -O - http://{ip}:{port}/", timeout=30)
    return status == 0 and f"served-{port}" in out


def eventually(predicate, timeout=30.0):
    """Rule changes travel controller → agent → nft: allow them a moment to land."""
    try:
        wait_for(predicate, timeout, interval=0.5)
        return True
    except AssertionError:
        return False


def never(predicate, tries=2):
    return not any(predicate() for _ in range(tries))


def sg(api, name):
    return api.ok("POST", "/v1/security-groups", {"name": name}, expect=(201,))["id"]


def rule(api, gid, action, **r):
    api.ok("POST", f"/v1/security-groups/{gid}/{action}", {"rules": [r]})


def wait_address(cloud, iid, ip):
    status, out = cloud.guest_run(
        iid, f"(for i in $(seq 1 60); do ip -4 -o addr | grep -q ' {ip}/' && exit 0; "
             "sleep 1; done; exit 1)", timeout=80)
    assert status == 0, f"{iid} never got {ip}: {out}"


@pytest.fixture(scope="module")
def groups(cloud):
    api = cloud.admin
    web, client = sg(api, "web"), sg(api, "client")
    # web: 8080 from members of "client" only. client: no inbound at all.
    rule(api, web, "authorize-ingress", protocol="tcp", from_port=8080, to_port=8080,
         source_group_id=client)
    return web, client


@pytest.fixture(scope="module")
def guests(cloud, image, groups):
    web, client = groups
    a = cloud.admin.run(image_id=image, security_group_ids=[web])[0]
    b = cloud.admin.run(image_id=image, security_group_ids=[client])[0]
    for i in (a, b):
        cloud.wait_ready(i["id"])
        wait_address(cloud, i["id"], i["private_ip"])
    serve(cloud, a["id"], 8080, 8081)
    serve(cloud, b["id"], 8080)
    return a, b


def test_allowed_port_answers_and_forbidden_never_does(cloud, guests):
    a, b = guests
    # b → a:8080 is allowed by group membership; the reply reaches b although b admits no
    # inbound connection at all (stateful).
    assert eventually(lambda: fetch(cloud, b["id"], a["private_ip"], 8080))
    assert never(lambda: fetch(cloud, b["id"], a["private_ip"], 8081))
    # a may open anything (all egress) but b admits nothing.
    assert never(lambda: fetch(cloud, a["id"], b["private_ip"], 8080))


def test_live_rule_change_takes_effect(cloud, guests, groups):
    a, b = guests
    web, client = groups
    rule(cloud.admin, web, "authorize-ingress", protocol="tcp", from_port=8081, to_port=8081,
         cidr=b["private_ip"] + "/32")
    assert eventually(lambda: fetch(cloud, b["id"], a["private_ip"], 8081))
    rule(cloud.admin, web, "revoke-ingress", protocol="tcp", from_port=8081, to_port=8081,
         cidr=b["private_ip"] + "/32")
    assert eventually(lambda: not fetch(cloud, b["id"], a["private_ip"], 8081))
    # Egress is enforced too: without it b cannot open a connection to a.
    rule(cloud.admin, client, "revoke-egress", protocol="all", cidr="0.0.0.0/0")
    assert eventually(lambda: not fetch(cloud, b["id"], a["private_ip"], 8080))
    rule(cloud.admin, client, "authorize-egress", protocol="all", cidr="0.0.0.0/0")
    assert eventually(lambda: fetch(cloud, b["id"], a["private_ip"], 8080))


def test_membership_change_on_running_guest(cloud, guests, groups):
    a, b = guests
    web, client = groups
    default = next(g["id"] for g in cloud.admin.ok("GET", "/v1/security-groups")["security_groups"]
                   if g["name"] == "default" and g["vpc_id"] == a["vpc_id"])
    # b leaves "client": a's rule naming "client" no longer admits it.
    cloud.admin.ok("POST", f"/v1/instances/{b['id']}/security-groups",
                   {"security_group_ids": [default]})
    assert eventually(lambda: not fetch(cloud, b["id"], a["private_ip"], 8080))
    # Both in the default group: members of it reach each other on every port.
    cloud.admin.ok("POST", f"/v1/instances/{a['id']}/security-groups",
                   {"security_group_ids": [web, default]})
    assert eventually(lambda: fetch(cloud, b["id"], a["private_ip"], 8081))
    assert eventually(lambda: fetch(cloud, a["id"], b["private_ip"], 8080))
    cloud.admin.ok("POST", f"/v1/instances/{b['id']}/security-groups",
                   {"security_group_ids": [client]})
    cloud.admin.ok("POST", f"/v1/instances/{a['id']}/security-groups",
                   {"security_group_ids": [web]})
    assert eventually(lambda: not fetch(cloud, a["id"], b["private_ip"], 8080))


def echo_requests_seen(cloud, iid):
    status, out = cloud.guest_run(iid, "grep '^Icmp:' /proc/net/snmp")
    assert status == 0, out
    head, values = [line.split() for line in out.strip().splitlines()[-2:]]
    return int(dict(zip(head, values))["InEchos"])


def test_spoofed_source_never_passes(cloud, guests, groups):
    a, b = guests
    web, _ = groups
    spoofed = "10.254.0.9"
    for cidr in (spoofed + "/32", b["private_ip"] + "/32"):
        rule(cloud.admin, web, "authorize-ingress", protocol="icmp", cidr=cidr)
    try:
        # From its own address b's pings arrive (the check can fail) …
        assert eventually(lambda: cloud.guest_run(
            b["id"], f"ping -c 1 -W 2 {a['private_ip']}", timeout=30)[0] == 0)
        # … from an address it does not own they never do, although a rule admits it: the
        # bridge drops every packet whose source is not the port's own.
        status, out = cloud.guest_run(b["id"], f"ip addr add {spoofed}/32 dev eth0")
        assert status == 0, out
        before = echo_requests_seen(cloud, a["id"])
        cloud.guest_run(b["id"], f"ping -c 3 -W 1 -I {spoofed} {a['private_ip']}", timeout=30)
        assert echo_requests_seen(cloud, a["id"]) == before
    finally:
        cloud.guest_run(b["id"], f"ip addr del {spoofed}/32 dev eth0")
        for cidr in (spoofed + "/32", b["private_ip"] + "/32"):
            rule(cloud.admin, web, "revoke-ingress", protocol="icmp", cidr=cidr)


def test_rules_come_back_after_kill_9(cloud, guests):
    a, b = guests
    ns = f"strato-{cloud.qemu_host['id']}-{a['vpc_id']}"
    # Someone flushes the namespace's firewall; stratod dies hard and comes back: the
    # reconcile restores the rules (a forbidden port stays forbidden).
    subprocess.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"], check=True)
    os.kill(cloud.proc.pid, signal.SIGKILL)
    cloud.proc.wait()
    cloud.start()
    def restored():
        out = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "ruleset"],
                             capture_output=True, text=True).stdout
        return "tcp dport 8080" in out and "strato_spoof" in out
    wait_for(restored, 30.0, interval=0.5, message="the security-group rules to be restored")
    assert eventually(lambda: fetch(cloud, b["id"], a["private_ip"], 8080))
    assert never(lambda: fetch(cloud, b["id"], a["private_ip"], 8081))

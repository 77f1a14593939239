"""The instance metadata service seen from real guests under TCG: IMDSv1 and IMDSv2 paths,
token TTL expiry, http-tokens required, hop limit (the IP TTL of responses), the endpoint
switched off, X-Forwarded-For refused, two tenants with the same private address each
seeing only their own instance, and user-data run at first boot."""

import base64
import contextlib
import json
import re
import subprocess
import uuid

import pytest

from conftest import BOOT_TIMEOUT, new_tenant, unique, wait_for

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHv0bN1+o5dh0i5wZ5a5dl4V1E2OlDx3kqGyl0v2V7Nq imds@test"
MARKER = f"USER-DATA-RAN-{uuid.uuid4().hex[:8]}"
USER_DATA = f"#!/bin/sh\necho {MARKER} $(cat /run/strato/id)\n"


def context_done(cloud, iid, timeout=BOOT_TIMEOUT):
    return wait_for(lambda: (lambda t: t if f"STRATO-CONTEXT-DONE {iid}" in t else None)(
        cloud.console(iid)), timeout, interval=0.5, message=f"STRATO-CONTEXT-DONE of {iid}")


def imds(cloud, iid, path, *flags):
    """(exit status, body) of strato-imds in the guest (IMDSv2 unless flags say -1)."""
    return cloud.guest_run(iid, f"strato-imds {' '.join(flags)} '{path}'", timeout=60)


def raw(cloud, iid, method, path, *headers):
    """Raw HTTP/1.0 to the endpoint from the guest: (status code, body)."""
    lines = "".join(f"{h}\\r\\n" for h in headers)
    status, out = cloud.guest_run(
        iid, f"printf '{method} {path} HTTP/1.0\\r\\nHost: x\\r\\n{lines}\\r\\n' | "
             "timeout 10 nc 169.254.169.254 80 | tr -d '\\r'", timeout=60)
    assert status == 0, out
    head, _, body = out.partition("\n\n")
    code = int(head.split()[1]) if head.startswith("HTTP/") else 0
    return code, body


@pytest.fixture(scope="module")
def guest(cloud, image):
    admin = cloud.admin
    name = unique("imds")
    admin.ok("POST", "/v1/key-pairs", {"name": name, "public_key": KEY}, expect=(201,))
    inst = admin.run(image_id=image, key_name=name,
                     user_data=base64.b64encode(USER_DATA.encode()).decode())[0]
    cloud.wait_ready(inst["id"])
    context_done(cloud, inst["id"])
    inst = admin.instance(inst["id"])  # placed: its zone is known now
    inst["key_name"] = name
    return inst


def set_options(cloud, iid, **opts):
    cloud.admin.ok("POST", f"/v1/instances/{iid}/metadata-options", opts)


def test_imdsv1_paths(cloud, guest):
    iid = guest["id"]
    expect = {
        "/latest/meta-data/instance-id": iid,
        "/latest/meta-data/ami-id": guest["image_id"],
        "/latest/meta-data/ami-launch-index": str(guest["launch_index"]),
        "/latest/meta-data/instance-type": guest["instance_type"],
        "/latest/meta-data/local-ipv4": guest["private_ip"],
        "/latest/meta-data/hostname": f"{iid}.strato.internal",
        "/latest/meta-data/local-hostname": f"{iid}.strato.internal",
        "/latest/meta-data/placement/region": "strato-1",
        "/latest/meta-data/security-groups": "default",
        "/latest/meta-data/public-keys/": f"0={guest['key_name']}",
        "/latest/meta-data/public-keys/0/openssh-key": KEY,
        "/latest/meta-data/block-device-mapping/root": "/dev/vda",
    }
    for path, want in expect.items():
        status, out = imds(cloud, iid, path, "-1")
        assert status == 0 and out == want, (path, out)
    status, zone = imds(cloud, iid, "/latest/meta-data/placement/availability-zone", "-1")
    assert status == 0 and zone == guest["zone"], zone
    status, index = imds(cloud, iid, "/latest/meta-data/", "-1")
    for entry in ("ami-id", "ami-launch-index", "instance-id", "local-ipv4", "mac", "network/", "placement/",
                  "public-keys/", "security-groups", "block-device-mapping/", "hostname"):
        assert entry in index.split("\n"), index
    status, mac = imds(cloud, iid, "/latest/meta-data/mac", "-1")
    assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", mac), mac
    status, sub = imds(cloud, iid, f"/latest/meta-data/network/interfaces/macs/{mac}/subnet-id",
                       "-1")
    assert status == 0 and sub == guest["subnet_id"], sub
    status, doc = imds(cloud, iid, "/latest/dynamic/instance-identity/document", "-1")
    doc = json.loads(doc)
    assert doc["instanceId"] == iid and doc["privateIp"] == guest["private_ip"], doc
    status, ud = imds(cloud, iid, "/latest/user-data", "-1")
    assert status == 0 and ud == USER_DATA.rstrip("\n"), ud
    status, out = imds(cloud, iid, "/latest/meta-data/no-such-thing", "-1")
    assert status == 1 and "404" in out, out


def test_imdsv2_tokens_and_their_ttl(cloud, guest):
    iid = guest["id"]
    status, out = imds(cloud, iid, "/latest/meta-data/instance-id")  # v2: token first
    assert status == 0 and out == iid, out
    code, token = raw(cloud, iid, "PUT", "/latest/api/token",
                      "X-aws-ec2-metadata-token-ttl-seconds: 2")
    assert code == 200 and token, token
    status, out = imds(cloud, iid, "/latest/meta-data/instance-id", "-t", token)
    assert status == 0 and out == iid, out
    cloud.guest_run(iid, "sleep 3")
    status, out = imds(cloud, iid, "/latest/meta-data/instance-id", "-t", token)
    assert status == 1 and "401" in out, f"an expired token was accepted: {out}"
    status, out = imds(cloud, iid, "/latest/meta-data/instance-id", "-t", "Zm9yZ2Vk")
    assert status == 1 and "401" in out, out
    for ttl in ("0", "21601", "abc"):
        code, _ = raw(cloud, iid, "PUT", "/latest/api/token",
                      f"X-aws-ec2-metadata-token-ttl-seconds: {ttl}")
        assert code == 400, ttl


def test_token_put_with_x_forwarded_for_is_refused(cloud, guest):
    code, _ = raw(cloud, guest["id"], "PUT", "/latest/api/token",
                  "X-aws-ec2-metadata-token-ttl-seconds: 60", "X-Forwarded-For: 10.9.9.9")
    assert code == 403


@contextlib.contextmanager
def imdsv1_refused_while(cloud, iid, code, **options):
    """Sets `options` on the running instance, waits until IMDSv1 gets `code`, and on exit
    restores the defaults and waits until IMDSv1 answers again."""
    defaults = {"http_tokens": "optional", "http_endpoint": "enabled"}
    set_options(cloud, iid, **options)
    try:
        wait_for(lambda: code in imds(cloud, iid, "/latest/meta-data/instance-id", "-1")[1],
                 30, interval=0.5, message=f"IMDSv1 to get {code} with {options}")
        yield
    finally:
        set_options(cloud, iid, **{k: defaults[k] for k in options})
    wait_for(lambda: imds(cloud, iid, "/latest/meta-data/instance-id", "-1")[0] == 0, 30,
             interval=0.5, message="IMDSv1 to answer again")


def test_http_tokens_required_applies_to_a_running_instance(cloud, guest):
    iid = guest["id"]
    with imdsv1_refused_while(cloud, iid, "401", http_tokens="required"):
        status, out = imds(cloud, iid, "/latest/meta-data/instance-id")
        assert status == 0 and out == iid, out


def test_http_endpoint_disabled_answers_nothing(cloud, guest):
    iid = guest["id"]
    with imdsv1_refused_while(cloud, iid, "403", http_endpoint="disabled"):
        status, out = imds(cloud, iid, "/latest/meta-data/instance-id")
        assert status == 1 and "403" in out, out


def test_hop_limit_is_the_ip_ttl_of_responses(cloud, guest):
    """Counted where the responses leave: an nft output chain in the VPC's namespace."""
    iid = guest["id"]
    ns = f"strato-{cloud.qemu_host['id']}-{guest['vpc_id']}"
    table = "imdsttl"
    subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], check=True, text=True, input=(
        f"table inet {table} {{\n"
        "  chain out {\n"
        "    type filter hook output priority 0;\n"
        "    ip saddr 169.254.169.254 tcp sport 80 ip ttl 1 counter\n"
        "    ip saddr 169.254.169.254 tcp sport 80 ip ttl 5 counter\n"
        "  }\n"
        "}\n"))

    def counters():
        out = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "table", "inet", table],
                             capture_output=True, text=True, check=True).stdout
        return [int(n) for n in re.findall(r"counter packets (\d+)", out)]

    try:
        base = counters()
        assert imds(cloud, iid, "/latest/meta-data/instance-id", "-1")[0] == 0
        c1 = counters()
        assert c1[0] > base[0] and c1[1] == base[1], (base, c1)
        set_options(cloud, iid, http_put_response_hop_limit=5)

        def at_ttl_5():
            before = counters()
            imds(cloud, iid, "/latest/meta-data/instance-id", "-1")
            after = counters()
            return after[1] > before[1] and after[0] == before[0]
        wait_for(at_ttl_5, 30, interval=0.5, message="responses with TTL 5")
    finally:
        set_options(cloud, iid, http_put_response_hop_limit=1)
        subprocess.run(["ip", "netns", "exec", ns, "nft", "delete", "table", "inet", table])


def test_user_data_script_ran_once_at_first_boot(cloud, guest):
    console = cloud.console(guest["id"])
    assert f"{MARKER} {guest['id']}" in console, console[-2000:]
    assert console.count(MARKER) >= 1


def test_two_tenants_with_the_same_private_ip_see_only_their_own(cloud, image):
    """Each tenant reads its own guest (the admin cannot see them: tenancy is strict)."""
    admin = cloud.admin
    launched = []
    try:
        for _ in range(2):
            t = new_tenant(admin)
            vpc = t.api.ok("POST", "/v1/vpcs", {"cidr": "10.70.0.0/16"}, expect=(201,))
            sub = t.api.ok("POST", "/v1/subnets", {"vpc_id": vpc["id"], "cidr": "10.70.1.0/24"},
                           expect=(201,))
            inst = t.api.run(image_id=image, subnet_id=sub["id"], private_ip="10.70.1.20")[0]
            launched.append((t, inst))
        for t, inst in launched:
            iid = inst["id"]
            wait_for(lambda: f"STRATO-CONTEXT-DONE {iid}" in t.api.ok(
                "GET", f"/v1/instances/{iid}/console")["output"], BOOT_TIMEOUT, interval=0.5,
                message=f"STRATO-CONTEXT-DONE of {iid}")
        for t, inst in launched:
            with cloud.guest_shell(inst["id"]) as sh:
                status, out = sh.run("strato-imds -1 /latest/meta-data/instance-id")
                assert status == 0 and out == inst["id"], out
                status, doc = sh.run("strato-imds /latest/dynamic/instance-identity/document")
                doc = json.loads(doc)
                assert doc["accountId"] == inst["tenant_id"], doc
                assert doc["privateIp"] == "10.70.1.20", doc
    finally:
        for t, inst in launched:
            t.api.ok("POST", f"/v1/instances/{inst['id']}/terminate", expect=(202,))
        for t, inst in launched:
            t.api.wait_state(inst["id"], "terminated", timeout=60)


def test_a_guest_cannot_read_another_guests_metadata_by_taking_its_address(cloud, guest, image):
    """Same subnet: guest A claims B's address (secondary address, gratuitous ARP, metadata
    route with B's address as source). The source guard drops it at A's tap: A never gets
    B's metadata, and B still gets its own."""
    b = cloud.admin.run(image_id=image, subnet_id=guest["subnet_id"])[0]
    try:
        cloud.wait_ready(b["id"])
        context_done(cloud, b["id"])
        a_id, b_ip = guest["id"], b["private_ip"]
        spoof = (f"ip addr add {b_ip}/32 dev eth0; arping -U -c 2 -I eth0 -s {b_ip} {b_ip}; "
                 f"ip route replace 169.254.169.254 dev eth0 src {b_ip}; "
                 "strato-imds -1 /latest/meta-data/instance-id; "
                 f"echo rc=$?; ip route del 169.254.169.254; ip addr del {b_ip}/32 dev eth0")
        status, out = cloud.guest_run(a_id, spoof, timeout=90)
        assert b["id"] not in out, f"guest A read B's metadata: {out}"
        assert "rc=1" in out, out
        status, out = imds(cloud, b["id"], "/latest/meta-data/instance-id", "-1")
        assert status == 0 and out == b["id"], out
        status, out = imds(cloud, a_id, "/latest/meta-data/instance-id", "-1")
        assert status == 0 and out == a_id, out
    finally:
        cloud.admin.ok("POST", f"/v1/instances/{b['id']}/terminate", expect=(202,))
        cloud.wait_state(b["id"], "terminated")

"""Real guests on the network: DHCP gives each its allocated address, guests of one subnet
reach each other, and two VPCs with identical CIDRs cannot exchange a packet. Under TCG."""

import os
import signal
import subprocess

import pytest

from conftest import wait_for


def run_and_wait(cloud, image, **extra):
    inst = cloud.admin.run(image_id=image, **extra)[0]
    return inst


def ipv4_of(cloud, iid):
    status, out = cloud.guest_run(iid, "ip -4 -o addr show scope global")
    assert status == 0, out
    return out


def wait_address(cloud, iid, ip, timeout=60.0):
    """udhcpc runs in the background at boot: wait until the lease is applied."""
    # A subshell: `exit` must not end the console shell itself.
    status, out = cloud.guest_run(
        iid, f"(for i in $(seq 1 {int(timeout)}); do ip -4 -o addr | grep -q ' {ip}/' && exit 0; "
             "sleep 1; done; ip -4 -o addr; exit 1)", timeout=timeout + 10)
    assert status == 0, f"{iid} never got {ip}: {out}"


def ping(cloud, iid, ip):
    status, out = cloud.guest_run(iid, f"ping -c 2 -W 2 {ip}", timeout=30)
    return status == 0


@pytest.fixture(scope="module")
def pair(cloud, image):
    """Two guests in the tenant's default subnet."""
    a = run_and_wait(cloud, image)
    b = run_and_wait(cloud, image)
    for i in (a, b):
        cloud.wait_ready(i["id"])
    return a, b


def test_guests_get_their_address_by_dhcp_and_reach_each_other(cloud, pair):
    a, b = pair
    for i in (a, b):
        wait_address(cloud, i["id"], i["private_ip"])
    out = ipv4_of(cloud, a["id"])
    prefix = cloud.admin.ok("GET", f"/v1/subnets/{a['subnet_id']}")["cidr"].split("/")[1]
    assert f"{a['private_ip']}/{prefix}" in out
    assert ping(cloud, a["id"], b["private_ip"])
    assert ping(cloud, b["id"], a["private_ip"])
    # The gateway (first address) answers too; the guest's default route points at it.
    gw = ".".join(a["private_ip"].split(".")[:2]) + ".0.1"
    status, route = cloud.guest_run(a["id"], "ip route show default")
    assert gw in route, route
    # Nothing of the guest network appeared in the machine's own namespace.
    host_links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    host_addrs = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout
    assert a["private_ip"] not in host_addrs and gw + "/" not in host_addrs
    ns = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                    text=True).stdout.split() if a["vpc_id"] in n]
    assert ns, "the VPC's namespace exists"
    for link in subprocess.run(["ip", "-n", ns[0], "-o", "link"], capture_output=True,
                               text=True).stdout.splitlines():
        name = link.split(":")[1].strip().split("@")[0]
        assert name == "lo" or name not in host_links


def test_two_vpcs_with_the_same_cidr_cannot_exchange_a_packet(cloud, image):
    admin = cloud.admin
    nets = []
    for _ in range(2):
        vpc = admin.ok("POST", "/v1/vpcs", {"cidr": "10.50.0.0/16"}, expect=(201,))
        sub = admin.ok("POST", "/v1/subnets", {"vpc_id": vpc["id"], "cidr": "10.50.1.0/24"},
                       expect=(201,))
        nets.append(sub)
    a = run_and_wait(cloud, image, subnet_id=nets[0]["id"], private_ip="10.50.1.10")
    b = run_and_wait(cloud, image, subnet_id=nets[1]["id"], private_ip="10.50.1.11")
    assert a["private_ip"] == "10.50.1.10" and b["private_ip"] == "10.50.1.11"
    for i in (a, b):
        cloud.wait_ready(i["id"])
        wait_address(cloud, i["id"], i["private_ip"])
    # Each reaches its own gateway...
    assert ping(cloud, a["id"], "10.50.1.1")
    assert ping(cloud, b["id"], "10.50.1.1")
    # ...but not the other VPC's guest, though the address is in its own subnet.
    assert not ping(cloud, a["id"], "10.50.1.11")
    assert not ping(cloud, b["id"], "10.50.1.10")
    status, neigh = cloud.guest_run(a["id"], "ip neigh show 10.50.1.11")
    assert "lladdr" not in neigh, f"{a['id']} learned the MAC of another VPC's guest: {neigh}"
    for i in (a, b):
        admin.ok("POST", f"/v1/instances/{i['id']}/terminate", expect=(202,))
    for i in (a, b):
        cloud.wait_state(i["id"], "terminated")


def test_a_dead_dnsmasq_and_a_stray_interface_are_repaired(cloud, pair):
    """The agent's periodic sync reconciles the data plane: a killed dnsmasq comes back
    (the guest renews its lease from it) and an interface nobody asked for goes."""
    a, _ = pair
    host = cloud.qemu_host["id"]
    ns = f"strato-{host}-{a['vpc_id']}"
    pidfile = f"/run/strato/net/{host}/{a['vpc_id']}/{a['subnet_id']}.pid"

    def dnsmasq_pid():
        try:
            pid = int(open(pidfile).read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            comm = open(f"/proc/{pid}/comm").read().strip()
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return None
        return pid if comm == "dnsmasq" and state != "Z" else None

    old = dnsmasq_pid()
    assert old, "the subnet's dnsmasq runs"
    os.kill(old, signal.SIGKILL)
    subprocess.run(["ip", "-n", ns, "link", "add", "bstray", "type", "bridge"], check=True)
    new = wait_for(lambda: (lambda p: p if p and p != old else None)(dnsmasq_pid()), 20.0,
                   interval=0.2, message="a new dnsmasq")
    assert new != old
    wait_for(lambda: "bstray" not in subprocess.run(["ip", "-n", ns, "-o", "link"],
                                                    capture_output=True, text=True).stdout,
             20.0, interval=0.2, message="the stray bridge to go")
    status, out = cloud.guest_run(a["id"], "udhcpc -i eth0 -n -q -t 5 -T 1 -s /bin/true 2>&1",
                                  timeout=30)
    assert status == 0 and f"lease of {a['private_ip']} obtained" in out, out

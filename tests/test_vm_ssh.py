"""SSH into a real guest (TCG) with its key pair: the guest installs the key from the
metadata service at boot and runs dropbear; the host side (the VPC's namespace) connects
to its private address with the right key and is refused with another."""

import subprocess

import pytest

from conftest import BOOT_TIMEOUT, public_client_namespace, unique, wait_for


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "strato-test", "-f",
                    str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


def ssh(ns, key, ip, command, timeout=60):
    return subprocess.run(
        ["ip", "netns", "exec", ns, "ssh", "-i", str(key), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=20",
         "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", f"root@{ip}", command],
        capture_output=True, text=True, timeout=timeout)


def launch_contextualized(cloud, image, **extra):
    """A running guest that finished its contextualization, and its VPC's namespace."""
    inst = cloud.admin.run(image_id=image, **extra)[0]
    iid = inst["id"]
    cloud.wait_ready(iid)
    wait_for(lambda: f"STRATO-CONTEXT-DONE {iid}" in cloud.console(iid), BOOT_TIMEOUT,
             interval=0.5, message="contextualization")
    return inst, f"strato-{cloud.qemu_host['id']}-{inst['vpc_id']}"


def terminate(cloud, iid):
    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    cloud.wait_state(iid, "terminated")


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("ssh")
    right, wrong = d / "right", d / "wrong"
    return (right, keygen(right)), (wrong, keygen(wrong))


def test_ssh_with_the_key_pair_and_refused_with_another(cloud, image, keys):
    (right, right_pub), (wrong, _) = keys
    name = unique("ssh")
    cloud.admin.ok("POST", "/v1/key-pairs", {"name": name, "public_key": right_pub},
                   expect=(201,))
    inst, ns = launch_contextualized(cloud, image, key_name=name)
    iid = inst["id"]
    p = ssh(ns, right, inst["private_ip"], "cat /run/strato/id; id -u")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [iid, "0"], p.stdout
    p = ssh(ns, wrong, inst["private_ip"], "true")
    assert p.returncode == 255 and "Permission denied" in p.stderr, (p.returncode, p.stderr)
    terminate(cloud, iid)


def test_a_guest_without_a_key_pair_lets_no_one_in(cloud, image, keys):
    (right, _), _ = keys
    inst, ns = launch_contextualized(cloud, image)
    p = ssh(ns, right, inst["private_ip"], "true")
    assert p.returncode == 255, (p.returncode, p.stdout, p.stderr)
    terminate(cloud, inst["id"])


PUBLIC_CLIENT_IP = "198.51.100.3"  # .1–.9 of the default public CIDR are never allocated


def test_ssh_by_elastic_ip_from_the_public_side(cloud, image, keys):
    """The key works at the guest's elastic IP from outside its VPC, and the guest's own
    metadata names that address and its security group."""
    (_, right_pub), _ = keys
    api = cloud.admin
    name = unique("sshpub")
    api.ok("POST", "/v1/key-pairs", {"name": name, "public_key": right_pub}, expect=(201,))
    gid = api.ok("POST", "/v1/security-groups", {"name": name}, expect=(201,))["id"]
    api.ok("POST", f"/v1/security-groups/{gid}/authorize-ingress", {"rules": [
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]})
    inst, _ = launch_contextualized(cloud, image, key_name=name, security_group_ids=[gid])
    eip = api.ok("POST", "/v1/addresses", expect=(201,))
    api.ok("POST", f"/v1/addresses/{eip['id']}/associate", {"instance_id": inst["id"]})
    with public_client_namespace(cloud, PUBLIC_CLIENT_IP, "sshpub") as client:
        check_public_ssh(client, inst, eip, name, keys)
    api.ok("POST", f"/v1/addresses/{eip['id']}/disassociate")
    api.ok("DELETE", f"/v1/addresses/{eip['id']}", expect=(204,))
    terminate(cloud, inst["id"])


def check_public_ssh(public_client, inst, eip, name, keys):
    (right, _), (wrong, _) = keys
    p = wait_for(lambda: (lambda r: r if r.returncode == 0 else None)(
        ssh(public_client, right, eip["public_ip"], "cat /run/strato/id")), 60.0, interval=1.0,
        message="ssh at the elastic IP")
    assert p.stdout.strip() == inst["id"]
    p = ssh(public_client, wrong, eip["public_ip"], "true")
    assert p.returncode == 255 and "Permission denied" in p.stderr, (p.returncode, p.stderr)
    # The metadata service follows the association (pushed on change or at the next resync).
    meta = lambda path: ssh(public_client, right, eip["public_ip"], f"strato-imds {path}").stdout
    wait_for(lambda: meta("/latest/meta-data/public-ipv4").strip() == eip["public_ip"], 30.0,
             interval=1.0, message="public-ipv4 in the metadata")
    assert meta("/latest/meta-data/security-groups").split() == [name]

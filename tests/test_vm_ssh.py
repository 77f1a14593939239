"""SSH into a real guest (TCG) with its key pair: the guest installs the key from the
metadata service at boot and runs dropbear; the host side (the VPC's namespace) connects
to its private address with the right key and is refused with another."""

import subprocess

import pytest

from conftest import BOOT_TIMEOUT, unique, wait_for


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

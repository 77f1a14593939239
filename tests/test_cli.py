"""The strato CLI against a real stratod: configuration from the daemon's credentials file,
noun-verb commands, --wait, JSON output and exit codes."""

import json
import os
import subprocess

import pytest

from conftest import STRATO_CLI, add_sim_hosts, default_image_id, free_port, random_id


def _cli_or_skip():
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip(f"the strato CLI is not built at {STRATO_CLI} (set STRATO_BUILD_DIR or "
                    "STRATO_CLI)")


@pytest.fixture
def cli(make_stratod):
    _cli_or_skip()
    stratod = make_stratod()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATO_", "AWS_"))}
    env["STRATO_CREDENTIALS_FILE"] = str(stratod.data_dir / "credentials")
    env["HOME"] = str(stratod.root)  # no stray ~/.strato/credentials

    def run(*args, check=None, timeout=60):
        p = subprocess.run([STRATO_CLI, *args], env=env, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if check is not None:
            assert p.returncode == check, (args, p.returncode, p.stdout, p.stderr)
        return p

    run.env = env
    run.daemon = stratod
    return run


def _json(p):
    return json.loads(p.stdout)


def test_type_list(cli):
    p = cli("type", "list", check=0)
    assert "t3.micro" in p.stdout and "mv1.nano" in p.stdout
    types = _json(cli("-o", "json", "type", "list", check=0))["instance_types"]
    assert {"name": "t3.micro", "vcpus": 2, "memory_mib": 1024, "family": "t3",
            "machine": "q35"} in types


def test_host_add_sim(cli):
    out = _json(cli("-o", "json", "host", "add-sim", "--count", "3", "--vcpus", "8",
                    "--memory", "16GiB", check=0))
    assert len(out["hosts"]) == 3
    hosts = cli.daemon.admin.list_all("/v1/hosts", "hosts")
    assert sorted(h["id"] for h in hosts) == sorted(out["hosts"])
    assert all((h["vcpus"], h["memory_mib"], h["driver"]) == (8, 16384, "sim") for h in hosts)
    listed = cli("host", "list", check=0).stdout
    assert all(h in listed for h in out["hosts"])


def test_instance_lifecycle_with_wait(cli):
    add_sim_hosts(cli.daemon.admin, 3, vcpus=8, memory_mib=16384)
    image = default_image_id(cli.daemon.admin)
    out = _json(cli("instance", "run", "--image-id", image, "--type", "t3.micro", "--count", "2",
                    "--tag", "env=test", "--wait", "-o", "json", check=0))
    instances = out["instances"]
    assert len(instances) == 2
    assert all(i["state"] == "running" and i["tags"] == {"env": "test"} for i in instances)
    a, b = sorted(i["id"] for i in instances)

    listed = _json(cli("-o", "json", "instance", "list", check=0))["instances"]
    assert sorted(i["id"] for i in listed) == [a, b]
    assert a in cli("instance", "list", check=0).stdout
    shown = _json(cli("-o", "json", "instance", "show", a, check=0))
    assert shown["id"] == a and shown["state"] == "running"

    out = _json(cli("-o", "json", "instance", "stop", a, "--wait", check=0))
    assert [i["state"] for i in out["instances"]] == ["stopped"]
    assert cli.daemon.admin.instance(a)["state"] == "stopped"
    out = _json(cli("-o", "json", "instance", "start", a, "--wait", check=0))
    assert [i["state"] for i in out["instances"]] == ["running"]
    out = _json(cli("-o", "json", "instance", "terminate", a, b, "--wait", check=0))
    assert sorted(i["state"] for i in out["instances"]) == ["terminated", "terminated"]
    assert {cli.daemon.admin.instance(i)["state"] for i in (a, b)} == {"terminated"}


def test_instance_run_maps_volumes(cli):
    add_sim_hosts(cli.daemon.admin, 1, vcpus=8, memory_mib=16384)
    image = default_image_id(cli.daemon.admin)
    out = _json(cli("-o", "json", "instance", "run", "--image-id", image, "--type", "t3.micro",
                    "--volume", "/dev/sdf:2:gp3", "--volume", "/dev/sdg:1:keep", "--wait",
                    check=0))
    [inst] = out["instances"]
    devices = {d["device"]: d for d in inst["block_devices"]}
    assert sorted(devices) == ["/dev/sdf", "/dev/sdg"], inst
    assert devices["/dev/sdf"]["delete_on_termination"] is True
    assert devices["/dev/sdg"]["delete_on_termination"] is False
    v = cli.daemon.admin.ok("GET", f"/v1/volumes/{devices['/dev/sdf']['volume_id']}")
    assert (v["size"], v["volume_type"], v["state"]) == (2, "gp3", "in-use"), v
    p = cli("instance", "run", "--image-id", image, "--type", "t3.micro", "--volume", "/dev/sdz:1")
    assert p.returncode == 3 and "InvalidBlockDeviceMapping" in p.stderr, p.stderr
    p = cli("instance", "run", "--image-id", image, "--type", "t3.micro", "--volume", "/dev/sdf")
    assert p.returncode == 2, p.stderr


def test_tags(cli):
    add_sim_hosts(cli.daemon.admin, 1, vcpus=8, memory_mib=16384)
    admin = cli.daemon.admin
    iid = admin.run(count=1)[0]["id"]
    cli("tag", "add", iid, "--tag", "team=core", "--tag", "tier=web", check=0)
    assert admin.instance(iid)["tags"] == {"team": "core", "tier": "web"}
    tags = _json(cli("-o", "json", "tag", "list", iid, check=0))["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("team", "core"), ("tier", "web")]
    assert "team" in cli("tag", "list", iid, check=0).stdout
    cli("tag", "remove", iid, "--key", "tier", check=0)
    assert admin.instance(iid)["tags"] == {"team": "core"}


def test_usage_error_exits_2(cli):
    p = cli("instance", "run", "--type", "t3.micro")  # --image-id missing
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "image-id" in p.stderr
    assert cli("no-such-noun").returncode == 2
    assert cli("-o", "yaml", "type", "list").returncode == 2


def test_api_error_exits_3_and_names_the_code(cli):
    missing = random_id("i")
    p = cli("instance", "show", missing)
    assert p.returncode == 3, (p.stdout, p.stderr)
    assert "InvalidInstanceID.NotFound" in p.stderr
    assert p.stdout == ""
    p = cli("instance", "show", "i-xyz")
    assert p.returncode == 3 and "InvalidInstanceID.Malformed" in p.stderr, p.stderr


def test_unreachable_endpoint_exits_5(cli):
    port = free_port()  # nothing listens there
    p = cli("--endpoint", f"http://127.0.0.1:{port}", "type", "list", timeout=30)
    assert p.returncode == 5, (p.stdout, p.stderr)
    assert p.stderr.strip()


def test_bad_credentials_exit_3(cli, tmp_path):
    creds = tmp_path / "bad-credentials"
    creds.write_text("[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\n"
                     f"aws_secret_access_key = {'x' * 40}\nregion = strato-1\n"
                     f"endpoint_url = {cli.daemon.endpoint}\n")
    p = cli("--credentials-file", str(creds), "instance", "list")
    assert p.returncode == 3, (p.stdout, p.stderr)
    assert "InvalidClientTokenId" in p.stderr


def test_vpc_and_subnet_commands(cli):
    vpc = _json(cli("-o", "json", "vpc", "create", "--cidr", "10.3.0.0/16", check=0))
    assert vpc["cidr"] == "10.3.0.0/16" and vpc["id"].startswith("vpc-")
    sub = _json(cli("-o", "json", "subnet", "create", "--vpc-id", vpc["id"], "--cidr",
                    "10.3.1.0/28", check=0))
    assert sub["available_ip_address_count"] == 11
    listed = cli("vpc", "list", check=0).stdout
    assert vpc["id"] in listed and "172.16.0.0/12" in listed  # and the default VPC
    assert sub["id"] in cli("subnet", "list", check=0).stdout
    p = cli("subnet", "create", "--vpc-id", vpc["id"], "--cidr", "10.3.1.8/29")
    assert p.returncode == 3 and "InvalidSubnet" in p.stderr, (p.stdout, p.stderr)
    add_sim_hosts(cli.daemon.admin, 1, 8, 16384)
    image = default_image_id(cli.daemon.admin)
    inst = _json(cli("-o", "json", "instance", "run", "--image-id", image, "--type", "t3.micro",
                     "--subnet-id", sub["id"], "--private-ip", "10.3.1.6", check=0))
    inst = inst["instances"][0] if "instances" in inst else inst[0]
    assert inst["private_ip"] == "10.3.1.6" and inst["subnet_id"] == sub["id"]
    p = cli("vpc", "delete", vpc["id"])
    assert p.returncode == 3 and "DependencyViolation" in p.stderr, (p.stdout, p.stderr)

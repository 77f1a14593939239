"""Launch context and metadata options over every front end (sim hosts, no guest):
key pair, user-data and MetadataOptions at launch; live changes through the native API,
the CLI and EC2's ModifyInstanceMetadataOptions; bad input refused with nothing changed."""

import base64
import json
import os
import subprocess

import pytest

from conftest import STRATO_CLI, add_sim_hosts, new_tenant, unique
from ec2_support import cli_for

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHv0bN1+o5dh0i5wZ5a5dl4V1E2OlDx3kqGyl0v2V7Nq t@x"


@pytest.fixture(scope="module")
def env(shared_stratod):
    admin = shared_stratod.admin
    add_sim_hosts(admin, 1, vcpus=64, memory_mib=262144)
    return shared_stratod


def options(api, iid):
    return api.ok("GET", f"/v1/instances/{iid}/metadata-options")


def test_launch_context_defaults_and_given_options(env, tenant):
    api = tenant.api
    name = unique("key")
    api.ok("POST", "/v1/key-pairs", {"name": name, "public_key": KEY}, expect=(201,))
    plain = api.run()[0]
    assert options(api, plain["id"]) == {
        "instance_id": plain["id"], "http_tokens": "optional",
        "http_put_response_hop_limit": 1, "http_endpoint": "enabled"}
    given = api.run(key_name=name, user_data=base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
                    http_tokens="required", http_put_response_hop_limit=3,
                    http_endpoint="disabled")[0]
    got = options(api, given["id"])
    assert (got["http_tokens"], got["http_put_response_hop_limit"], got["http_endpoint"]) == (
        "required", 3, "disabled")


@pytest.mark.parametrize("extra,code", [
    ({"user_data": "not base64!"}, "InvalidParameterValue"),
    ({"user_data": base64.b64encode(b"x" * (16 * 1024 + 1)).decode()}, "InvalidParameterValue"),
    ({"key_name": "no-such-key"}, "InvalidKeyPair.NotFound"),
    ({"http_tokens": "sometimes"}, "InvalidParameterValue"),
    ({"http_put_response_hop_limit": 0}, "InvalidParameterValue"),
    ({"http_put_response_hop_limit": 65}, "InvalidParameterValue"),
    ({"http_endpoint": "on"}, "InvalidParameterValue"),
])
def test_bad_launch_context_launches_nothing(env, tenant, extra, code):
    api = tenant.api
    before = len(api.instances())
    r = api.request("POST", "/v1/instances",
                    {"image_id": env.admin.ok("GET", "/v1/images")["images"][0]["id"],
                     "instance_type": "t3.micro", **extra})
    assert r.status in (400, 404), r
    assert r.code == code, r
    assert len(api.instances()) == before


def test_user_data_of_exactly_16_kib_is_accepted(env, tenant):
    api = tenant.api
    data = base64.b64encode(b"y" * (16 * 1024)).decode()
    assert api.run(user_data=data)[0]["id"].startswith("i-")


def test_modify_live_validates_and_is_tenant_scoped(env, tenant, admin):
    api = tenant.api
    iid = api.run()[0]["id"]
    out = api.ok("POST", f"/v1/instances/{iid}/metadata-options",
                 {"http_tokens": "required", "http_put_response_hop_limit": 2})
    assert (out["http_tokens"], out["http_put_response_hop_limit"], out["http_endpoint"]) == (
        "required", 2, "enabled")
    for bad in ({"http_tokens": "x"}, {"http_put_response_hop_limit": 99},
                {"http_endpoint": "maybe"}, {}, {"unknown": 1}):
        r = api.request("POST", f"/v1/instances/{iid}/metadata-options", bad)
        assert r.status == 400, (bad, r)
    assert options(api, iid)["http_put_response_hop_limit"] == 2  # nothing changed
    other = new_tenant(admin)
    r = other.api.request("POST", f"/v1/instances/{iid}/metadata-options",
                          {"http_tokens": "optional"})
    assert r.status == 404 and r.code == "InvalidInstanceID.NotFound", r
    assert other.api.request("GET", f"/v1/instances/{iid}/metadata-options").status == 404
    assert options(api, iid)["http_tokens"] == "required"
    api.ok("POST", f"/v1/instances/{iid}/terminate", expect=(202,))
    api.wait_state(iid, "terminated")
    r = api.request("POST", f"/v1/instances/{iid}/metadata-options", {"http_tokens": "optional"})
    assert r.status == 409 or r.code == "IncorrectInstanceState", r


def test_cli_metadata_options_and_run_flags(env, tenant, tmp_path):
    if not os.access(STRATO_CLI, os.X_OK):
        pytest.skip("the strato CLI is not built")
    api = tenant.api
    creds = tmp_path / "credentials"
    creds.write_text(f"[default]\naws_access_key_id = {api.access_key_id}\n"
                     f"aws_secret_access_key = {api.secret_access_key}\n"
                     f"endpoint_url = {api.endpoint}\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRATO_", "AWS_"))}
    environ.update(STRATO_CREDENTIALS_FILE=str(creds), HOME=str(tmp_path))

    def cli(*args):
        return subprocess.run([STRATO_CLI, *args], env=environ, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    script = tmp_path / "ud.sh"
    script.write_text("#!/bin/sh\necho from-cli\n")
    image = env.admin.ok("GET", "/v1/images")["images"][0]["id"]
    p = cli("-o", "json", "instance", "run", "--image-id", image, "--type", "t3.micro",
            "--user-data", str(script), "--http-tokens", "required")
    assert p.returncode == 0, p.stderr
    iid = json.loads(p.stdout)["instances"][0]["id"]
    p = cli("-o", "json", "instance", "metadata-options", iid)
    assert p.returncode == 0 and json.loads(p.stdout)["http_tokens"] == "required", p
    p = cli("-o", "json", "instance", "metadata-options", iid, "--http-tokens", "optional",
            "--http-put-response-hop-limit", "4", "--http-endpoint", "disabled")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["http_put_response_hop_limit"] == 4
    assert options(api, iid)["http_endpoint"] == "disabled"
    assert cli("instance", "metadata-options", iid, "--http-tokens", "x").returncode == 2
    assert cli("instance", "run", "--image-id", image, "--type", "t3.micro", "--user-data",
               str(tmp_path / "missing")).returncode == 2
    big = tmp_path / "big"
    big.write_bytes(b"z" * (16 * 1024 + 1))
    assert cli("instance", "run", "--image-id", image, "--type", "t3.micro", "--user-data",
               str(big)).returncode == 2


def test_ec2_run_and_modify_instance_metadata_options(env, tenant):
    api = tenant.api
    aws = cli_for(api.endpoint, tenant)
    image = env.admin.ok("GET", "/v1/images")["images"][0]["id"]
    out = aws.ok("ec2", "run-instances", "--image-id", image, "--instance-type", "t3.micro",
                 "--count", "1", "--user-data", "#!/bin/sh\necho ec2\n",
                 "--metadata-options", "HttpTokens=required,HttpPutResponseHopLimit=2")
    iid = out["Instances"][0]["InstanceId"]
    got = options(api, iid)
    assert (got["http_tokens"], got["http_put_response_hop_limit"]) == ("required", 2)
    out = aws.ok("ec2", "modify-instance-metadata-options", "--instance-id", iid,
                 "--http-tokens", "optional", "--http-endpoint", "disabled")
    assert out["InstanceId"] == iid
    assert out["InstanceMetadataOptions"]["HttpTokens"] == "optional"
    assert out["InstanceMetadataOptions"]["HttpEndpoint"] == "disabled"
    assert options(api, iid)["http_endpoint"] == "disabled"
    aws.fails("InvalidParameterValue", "ec2", "modify-instance-metadata-options",
              "--instance-id", iid, "--http-put-response-hop-limit", "99")
    other = cli_for(api.endpoint, new_tenant(env.admin))
    other.fails("InvalidInstanceID.NotFound", "ec2", "modify-instance-metadata-options",
                "--instance-id", iid, "--http-tokens", "required")
    assert options(api, iid)["http_tokens"] == "optional"

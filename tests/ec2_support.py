"""Helpers for the EC2 Query API tests: the real aws CLI v2, boto3, and raw signed requests
parsed as EC2 XML."""

import json
import os
import shutil
import subprocess
import tempfile
import weakref
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config

from conftest import REGION, encode_query

AWS = "/usr/bin/aws"  # the Debian awscli v2; a pip v1 may shadow it on PATH
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
VERSION = "2016-11-15"
# boto3 waiters polling every second (the CLI's wait at its fixed 15 s is tested apart).
FAST_WAIT = {"Delay": 1, "MaxAttempts": 60}


def error_code(excinfo):
    """The EC2 error code of a botocore ClientError caught by pytest.raises."""
    return excinfo.value.response["Error"]["Code"]


class AwsCli:
    """Runs `/usr/bin/aws ec2 …` for one access key against one endpoint."""

    def __init__(self, endpoint, access_key_id, secret_access_key):
        self.endpoint = endpoint
        self.home = tempfile.mkdtemp(prefix="strato-awscli-")
        # The CLI keeps its caches under HOME; gone with this object or at exit at the latest.
        weakref.finalize(self, shutil.rmtree, self.home, True)
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": self.home,
            "AWS_ACCESS_KEY_ID": access_key_id,
            "AWS_SECRET_ACCESS_KEY": secret_access_key,
            "AWS_CONFIG_FILE": os.path.join(self.home, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, "credentials"),
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
        }

    def run(self, *args, timeout=120):
        """(returncode, parsed JSON stdout or None, stderr)."""
        p = subprocess.run([AWS, "--endpoint-url", self.endpoint, "--region", REGION,
                            "--output", "json", *args], env=self.env, capture_output=True,
                           text=True, timeout=timeout)
        out = json.loads(p.stdout) if p.stdout.strip() else None
        return p.returncode, out, p.stderr

    def ok(self, *args, timeout=120):
        rc, out, err = self.run(*args, timeout=timeout)
        assert rc == 0, f"aws {' '.join(args)} -> {rc}: {err}"
        return out

    def fails(self, code, *args):
        """Asserts the call fails with EC2 error `code`; returns stderr."""
        rc, out, err = self.run(*args)
        assert rc != 0, f"aws {' '.join(args)} succeeded: {out}"
        assert f"({code})" in err, f"expected {code}: {err}"
        return err


def cli_for(endpoint, who):
    """An AwsCli for a conftest Tenant or Api."""
    api = getattr(who, "api", who)
    return AwsCli(endpoint, api.access_key_id, api.secret_access_key)


def boto3_ec2(endpoint, who):
    api = getattr(who, "api", who)
    return boto3.client("ec2", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=api.access_key_id,
                        aws_secret_access_key=api.secret_access_key,
                        config=Config(retries={"max_attempts": 1}))


class Ec2Reply:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.body = response.body
        self.root = ET.fromstring(response.body)

    def find(self, path):
        """Text at an ElementTree path written without namespaces ("requestId")."""
        el = self.root.find(_ns(path))
        return None if el is None else (el.text or "")

    def findall(self, path):
        return self.root.findall(_ns(path))

    @property
    def error_code(self):
        return self.root.findtext("Errors/Error/Code")

    @property
    def error_message(self):
        return self.root.findtext("Errors/Error/Message")

    def __repr__(self):
        return f"<Ec2Reply {self.status} {self.body[:600]!r}>"


def _ns(path):
    return "/".join(p if p in (".", "..") or p.startswith("{") else f"{{{EC2_NS}}}{p}"
                    for p in path.split("/"))


def ec2_raw(api, action, params=None, method="POST", **kwargs):
    """One EC2 Query request signed for service ec2 (conftest's botocore signer)."""
    kwargs.setdefault("service", "ec2")
    pairs = [("Action", action), ("Version", VERSION)] + list((params or {}).items())
    if method == "POST":
        r = api.request("POST", "/", raw_body=encode_query(pairs),
                        headers={"Content-Type":
                                 "application/x-www-form-urlencoded; charset=utf-8"},
                        **kwargs)
    else:
        r = api.request("GET", "/", query=pairs, **kwargs)
    return Ec2Reply(r)


@pytest.fixture
def cli(shared_stratod, tenant):
    """The aws CLI for a fresh tenant of the shared daemon."""
    return cli_for(shared_stratod.endpoint, tenant)


@pytest.fixture
def ec2(shared_stratod, tenant):
    """boto3's EC2 client for a fresh tenant of the shared daemon."""
    return boto3_ec2(shared_stratod.endpoint, tenant)

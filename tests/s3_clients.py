"""Real S3 clients pointed at a stratod: the aws CLI v2 (Debian's, by full path), boto3 and
s3cmd, each configured for one tenant's access key; and the fixtures the S3 tests share (a
test module imports them by name)."""
import json
import os
import subprocess
import urllib.parse

import boto3
import pytest
from botocore.config import Config

from conftest import unique

AWS = "/usr/bin/aws"  # a pip-installed v1 may shadow it on PATH
REGION = "strato-1"


class AwsCli:
    def __init__(self, endpoint, access_key_id, secret_access_key):
        self.endpoint = endpoint
        self.env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key_id,
                    "AWS_SECRET_ACCESS_KEY": secret_access_key, "AWS_DEFAULT_REGION": REGION,
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                    "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"}

    def run(self, *args, check=True, input=None):
        """(exit code, stdout, stderr) of `aws <args> --endpoint-url …`."""
        p = subprocess.run([AWS, *args, "--endpoint-url", self.endpoint], env=self.env,
                           capture_output=True, text=True, input=input, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def json(self, *args):
        _, out, _ = self.run(*args, "--output", "json")
        return json.loads(out) if out.strip() else {}


def boto3_client(endpoint, access_key_id, secret_access_key, service="s3", addressing="path"):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                        config=Config(s3={"addressing_style": addressing},
                                      retries={"max_attempts": 1}))


class S3cmd:
    def __init__(self, endpoint, access_key_id, secret_access_key, workdir):
        host = urllib.parse.urlsplit(endpoint).netloc
        self.config = os.path.join(workdir, "s3cfg")
        with open(self.config, "w") as f:
            f.write("[default]\n"
                    f"access_key = {access_key_id}\nsecret_key = {secret_access_key}\n"
                    f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
                    f"bucket_location = {REGION}\nsignature_v2 = False\n")

    def run(self, *args, check=True):
        p = subprocess.run(["s3cmd", "-c", self.config, *args], capture_output=True, text=True,
                           timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"s3cmd {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p.returncode, p.stdout, p.stderr


def bucket_name(prefix="bkt"):
    """A new valid bucket name (names are global: unique per run)."""
    return unique(prefix).lower().replace("_", "-")[:40]


@pytest.fixture
def s3(admin, tenant):
    """boto3 for the test's tenant."""
    return boto3_client(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)


@pytest.fixture
def bucket(s3):
    """A new bucket of the test's tenant; its uploads and objects go with it afterwards."""
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    yield name
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    for o in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=o["Key"])
    s3.delete_bucket(Bucket=name)

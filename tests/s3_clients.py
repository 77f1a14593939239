"""Real S3 clients pointed at a stratod: the aws CLI v2 (Debian's, by full path), boto3 and
s3cmd, each configured for one tenant's access key."""
import json
import os
import subprocess
import urllib.parse

import boto3
from botocore.config import Config

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

"""Real S3 clients pointed at a stratod: the aws CLI v2 (Debian's, by full path), boto3 and
s3cmd, each configured for one tenant's access key; and the fixtures the S3 tests share (a
test module imports them by name)."""
import datetime
import hashlib
import hmac
import http.client
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


def trailer_put(endpoint, akid, secret, path, chunks, trailer_name, trailer_value, query=""):
    """PUT `chunks` as an aws-chunked body with STREAMING-UNSIGNED-PAYLOAD-TRAILER and the
    checksum in the trailer (None: announced but never sent), as the AWS SDKs send uploads
    over https; botocore does not here. `query` must be canonical (sorted, nothing to
    escape). Returns (status, lower-cased headers, body)."""
    u = urllib.parse.urlsplit(endpoint)
    now = datetime.datetime.utcnow()
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/{REGION}/s3/aws4_request"
    payload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    headers = {"host": u.netloc, "x-amz-date": amz_date, "content-encoding": "aws-chunked",
               "x-amz-content-sha256": payload, "x-amz-trailer": trailer_name,
               "x-amz-decoded-content-length": str(sum(len(c) for c in chunks))}
    signed = sorted(headers)
    canonical = "\n".join(["PUT", path, query, *[f"{k}:{headers[k]}" for k in signed], "",
                           ";".join(signed), payload])

    def h(k, msg):
        return hmac.new(k, msg.encode(), hashlib.sha256).digest()

    k = h(h(h(h(("AWS4" + secret).encode(), day), REGION), "s3"), "aws4_request")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    body = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n"
    if trailer_value is not None:
        body += f"{trailer_name}:{trailer_value}\r\n".encode()
    body += b"\r\n"
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, "
                                f"SignedHeaders={';'.join(signed)}, Signature={signature}")
    headers["content-length"] = str(len(body))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("PUT", f"{path}?{query}" if query else path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()

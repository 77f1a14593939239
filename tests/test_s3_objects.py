"""The S3 object store through real clients: the aws CLI, boto3 and s3cmd against stratod.
Every answer is parsed and checked; bytes are compared, not just exit codes."""
import hashlib
import os

import botocore.exceptions
import pytest

from conftest import new_tenant
from s3_clients import AwsCli, S3cmd, boto3_client, bucket_name, s3  # noqa: F401 (fixture)


@pytest.fixture
def cli(admin, tenant):
    return AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_bucket_lifecycle_with_boto3(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert error_code(e) == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert error_code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_invalid_bucket_names_are_refused(s3):
    for name in ("ab", "UPPER", "a..b", "192.168.1.1", "-start"):
        with pytest.raises((botocore.exceptions.ClientError,
                            botocore.exceptions.ParamValidationError)) as e:
            s3.create_bucket(Bucket=name)
        if isinstance(e.value, botocore.exceptions.ClientError):
            assert error_code(e) == "InvalidBucketName", name


def test_objects_round_trip_with_metadata_ranges_and_etags(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    body = os.urandom(3 * 1024 * 1024 + 17)
    put = s3.put_object(Bucket=name, Key="dir/data.bin", Body=body, ContentType="application/x-test",
                        Metadata={"color": "blue"})
    assert put["ETag"] == '"' + hashlib.md5(body).hexdigest() + '"'
    got = s3.get_object(Bucket=name, Key="dir/data.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"color": "blue"}
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=name, Key="dir/data.bin")
    assert head["ContentLength"] == len(body)
    part = s3.get_object(Bucket=name, Key="dir/data.bin", Range="bytes=100-199")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 100-199/{len(body)}"
    assert part["Body"].read() == body[100:200]
    tail = s3.get_object(Bucket=name, Key="dir/data.bin", Range="bytes=-10")
    assert tail["Body"].read() == body[-10:]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="dir/data.bin", Range=f"bytes={len(body)}-")
    assert error_code(e) == "InvalidRange"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key="missing")
    assert error_code(e) == "NoSuchKey"
    # Overwrite, copy, delete.
    s3.put_object(Bucket=name, Key="dir/data.bin", Body=b"small")
    assert s3.get_object(Bucket=name, Key="dir/data.bin")["Body"].read() == b"small"
    s3.copy_object(Bucket=name, Key="copy", CopySource={"Bucket": name, "Key": "dir/data.bin"})
    assert s3.get_object(Bucket=name, Key="copy")["Body"].read() == b"small"
    s3.delete_object(Bucket=name, Key="dir/data.bin")
    s3.delete_object(Bucket=name, Key="dir/data.bin")  # deleting twice is fine, as in S3
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])] == ["copy"]


def test_content_md5_and_sha256_checksums_are_verified(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    import base64
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=name, Key="k", Body=b"data", ContentMD5=wrong)
    assert error_code(e) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=name, Key="k")  # nothing was stored
    right = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    s3.put_object(Bucket=name, Key="k", Body=b"data", ContentMD5=right)


def test_listing_with_prefix_delimiter_and_pages(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    keys = [f"a/{i:02d}" for i in range(7)] + ["b/x", "b/y", "top", "a b/%", "c/d/e"]
    for k in keys:
        s3.put_object(Bucket=name, Key=k, Body=k.encode())
    listed = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=name, PaginationConfig={"PageSize": 3}):
        listed += [o["Key"] for o in page.get("Contents", [])]
    assert listed == sorted(keys)
    r = s3.list_objects_v2(Bucket=name, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a b/", "a/", "b/", "c/"]
    assert [o["Key"] for o in r["Contents"]] == ["top"]
    r = s3.list_objects_v2(Bucket=name, Prefix="a/", MaxKeys=5)
    assert r["IsTruncated"] and r["KeyCount"] == 5
    v1 = s3.list_objects(Bucket=name, Prefix="b/")
    assert [o["Key"] for o in v1["Contents"]] == ["b/x", "b/y"]
    deleted = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == sorted(keys)
    assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0


def test_presigned_urls_work_and_expire(s3, admin):
    import time
    import urllib.request
    import urllib.error
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="shared.txt", Body=b"presigned hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "shared.txt"},
                                    ExpiresIn=60)
    assert urllib.request.urlopen(url, timeout=10).read() == b"presigned hello"
    short = s3.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "shared.txt"},
                                      ExpiresIn=1)
    time.sleep(2.2)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(short, timeout=10)
    assert e.value.code == 403
    tampered = url.replace("shared.txt", "other.txt")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(tampered, timeout=10)
    assert e.value.code == 403


def test_virtual_hosted_addressing(admin, tenant):
    """Host: <bucket>.s3.localhost names the bucket; the path is only the key."""
    import http.client
    s3 = boto3_client(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="vh/key.txt", Body=b"virtual")
    # Sign for the virtual-hosted form, send to loopback with that Host header.
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    port = admin.port
    req = AWSRequest(method="GET", url=f"http://{name}.s3.localhost:{port}/vh/key.txt")
    S3SigV4Auth(Credentials(tenant.access_key_id, tenant.api.secret_access_key), "s3",
                "strato-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(req.headers.items())
    headers["Host"] = f"{name}.s3.localhost:{port}"
    conn.request("GET", "/vh/key.txt", headers=headers)
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b"virtual"


def test_tenants_cannot_reach_each_others_buckets(admin, s3):
    other = new_tenant(admin)
    theirs = boto3_client(admin.endpoint, other.access_key_id, other.api.secret_access_key)
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret", Body=b"mine")
    assert name not in [b["Name"] for b in theirs.list_buckets()["Buckets"]]
    for call in (lambda: theirs.get_object(Bucket=name, Key="secret"),
                 lambda: theirs.list_objects_v2(Bucket=name),
                 lambda: theirs.put_object(Bucket=name, Key="x", Body=b"y"),
                 lambda: theirs.delete_object(Bucket=name, Key="secret"),
                 lambda: theirs.delete_bucket(Bucket=name)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.create_bucket(Bucket=name)
    assert error_code(e) == "BucketAlreadyExists"
    assert s3.get_object(Bucket=name, Key="secret")["Body"].read() == b"mine"


def test_bad_signatures_are_refused(admin, tenant):
    bad = boto3_client(admin.endpoint, tenant.access_key_id, "x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_buckets()
    assert error_code(e) == "SignatureDoesNotMatch"
    unknown = boto3_client(admin.endpoint, "AKIA" + "Z" * 16, "x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unknown.list_buckets()
    assert error_code(e) == "InvalidClientTokenId" or error_code(e) == "InvalidAccessKeyId"


def test_aws_cli_cp_ls_and_rm(cli, tmp_path):
    name = bucket_name()
    _, out, _ = cli.run("s3", "mb", f"s3://{name}")
    assert f"make_bucket: {name}" in out
    small = tmp_path / "small.txt"
    small.write_text("hello from the aws cli\n")
    cli.run("s3", "cp", str(small), f"s3://{name}/docs/small.txt")
    _, out, _ = cli.run("s3", "ls", f"s3://{name}/docs/")
    assert "small.txt" in out and " 23 " in out
    back = tmp_path / "back.txt"
    cli.run("s3", "cp", f"s3://{name}/docs/small.txt", str(back))
    assert back.read_text() == "hello from the aws cli\n"
    listing = cli.json("s3api", "list-objects-v2", "--bucket", name)
    assert [o["Key"] for o in listing["Contents"]] == ["docs/small.txt"]
    cli.run("s3", "rm", f"s3://{name}/docs/small.txt")
    cli.run("s3", "rb", f"s3://{name}")
    code, _, err = cli.run("s3api", "head-bucket", "--bucket", name, check=False)
    assert code != 0 and "404" in err


def test_s3cmd_put_get_ls(admin, tenant, tmp_path):
    c = S3cmd(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key, str(tmp_path))
    name = bucket_name()
    c.run("mb", f"s3://{name}")
    f = tmp_path / "f.txt"
    f.write_text("s3cmd was here\n")
    c.run("put", str(f), f"s3://{name}/f.txt")
    _, out, _ = c.run("ls", f"s3://{name}")
    assert f"s3://{name}/f.txt" in out
    got = tmp_path / "got.txt"
    c.run("get", f"s3://{name}/f.txt", str(got))
    assert got.read_text() == "s3cmd was here\n"
    c.run("del", f"s3://{name}/f.txt")
    c.run("rb", f"s3://{name}")


def _sigv4_streaming_put(endpoint, akid, secret, bucket, key, chunks, tamper=False):
    """PUT with Content-Encoding aws-chunked and per-chunk signatures
    (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), signed here the way the AWS SDKs for Java/Go do."""
    import datetime
    import hmac
    import http.client
    import urllib.parse as up

    def h(key_, msg):
        return hmac.new(key_, msg.encode(), hashlib.sha256).digest()

    u = up.urlsplit(endpoint)
    now = datetime.datetime.utcnow()
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/strato-1/s3/aws4_request"
    decoded = sum(len(c) for c in chunks)
    path = f"/{bucket}/{key}"
    headers = {"host": u.netloc, "x-amz-date": amz_date, "content-encoding": "aws-chunked",
               "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
               "x-amz-decoded-content-length": str(decoded)}
    signed = sorted(headers)
    canonical = "\n".join(["PUT", path, "", *[f"{k}:{headers[k]}" for k in signed], "",
                           ";".join(signed), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])
    k = h(h(h(h(("AWS4" + secret).encode(), day), "strato-1"), "s3"), "aws4_request")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    seed = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    body, previous = b"", seed
    for c in [*chunks, b""]:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                         hashlib.sha256(b"").hexdigest(), hashlib.sha256(c).hexdigest()])
        sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        body += f"{len(c):x};chunk-signature={sig}\r\n".encode() + c + b"\r\n"
        previous = sig
    if tamper:
        body = body.replace(chunks[0][:8], b"XXXXXXXX", 1)
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, "
                                f"SignedHeaders={';'.join(signed)}, Signature={seed}")
    headers["content-length"] = str(len(body))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("PUT", path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


def test_aws_chunked_signed_streaming_upload(admin, tenant, s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    chunks = [os.urandom(64 * 1024) for _ in range(5)] + [os.urandom(1000)]
    status, body = _sigv4_streaming_put(admin.endpoint, tenant.access_key_id,
                                        tenant.api.secret_access_key, name, "streamed", chunks)
    assert status == 200, body
    got = s3.get_object(Bucket=name, Key="streamed")
    assert got["Body"].read() == b"".join(chunks)
    assert got["ETag"] == '"' + hashlib.md5(b"".join(chunks)).hexdigest() + '"'
    status, body = _sigv4_streaming_put(admin.endpoint, tenant.access_key_id,
                                        tenant.api.secret_access_key, name, "forged", chunks,
                                        tamper=True)
    assert status == 403 and b"SignatureDoesNotMatch" in body
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=name, Key="forged")  # nothing stored

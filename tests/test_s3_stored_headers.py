"""The response headers an uploader sets (Cache-Control, Content-Disposition,
Content-Encoding, Content-Language, Expires) are kept with the object and returned by every
GetObject and HeadObject: through PutObject (boto3), a multipart upload (`aws s3 cp` of a
file over its 8 MiB threshold), CopyObject with and without REPLACE, and `s3cmd modify`."""
import os

import pytest

from s3_clients import AwsCli, S3cmd, bucket, s3  # noqa: F401 (fixtures)

HEADERS = {"CacheControl": "max-age=60", "ContentDisposition": 'attachment; filename="r.txt"',
           "ContentEncoding": "identity", "ContentLanguage": "de",
           "Expires": "Tue, 01 Dec 2099 16:00:00 GMT"}


def stored(response):
    out = {k: response.get(k) for k in HEADERS}
    if out["Expires"] is not None:  # botocore parses it into a datetime
        out["Expires"] = response["ResponseMetadata"]["HTTPHeaders"]["expires"]
    return out


def test_put_keeps_them_and_every_read_returns_them(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", **HEADERS)
    assert stored(s3.head_object(Bucket=bucket, Key="k")) == HEADERS
    assert stored(s3.get_object(Bucket=bucket, Key="k")) == HEADERS
    # A response-* override replaces the stored header for that answer only.
    got = s3.get_object(Bucket=bucket, Key="k", ResponseCacheControl="no-store")
    assert got["CacheControl"] == "no-store"
    assert got["ResponseMetadata"]["HTTPHeaders"]["cache-control"] == "no-store"
    assert s3.head_object(Bucket=bucket, Key="k")["CacheControl"] == "max-age=60"
    # An object put without them has none.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert stored(s3.head_object(Bucket=bucket, Key="plain")) == {k: None for k in HEADERS}


def test_copy_keeps_or_replaces_them(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", **HEADERS)
    s3.copy_object(Bucket=bucket, Key="same", CopySource={"Bucket": bucket, "Key": "k"})
    assert stored(s3.head_object(Bucket=bucket, Key="same")) == HEADERS
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                   MetadataDirective="REPLACE", CacheControl="no-cache")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["CacheControl"] == "no-cache" and head.get("ContentDisposition") is None


def test_multipart_upload_with_the_aws_cli(admin, tenant, s3, bucket, tmp_path):
    cli = AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(9 << 20))  # over the CLI's 8 MiB multipart threshold
    cli.run("s3", "cp", str(src), f"s3://{bucket}/big.bin", "--cache-control", "max-age=5",
            "--content-disposition", "inline", "--content-language", "en")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"].endswith('-2"')  # it went as a multipart upload
    assert (head["CacheControl"], head["ContentDisposition"], head["ContentLanguage"]) == (
        "max-age=5", "inline", "en")


def test_s3cmd_modify_adds_a_header(admin, tenant, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"keep": "me"})
    s3cmd = S3cmd(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key, tmp_path)
    s3cmd.run("modify", "--add-header=Cache-Control:max-age=30", f"s3://{bucket}/k")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["CacheControl"] == "max-age=30"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"

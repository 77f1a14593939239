"""S3 additional checksums (x-amz-checksum-crc32 / crc32c / sha1 / sha256): verified while
the body streams, as headers (boto3 and the aws CLI v2 over http send them so) and as
aws-chunked trailers (x-amz-trailer, as the SDKs send over https), stored with the object
and returned with x-amz-checksum-mode: ENABLED — where botocore re-checks them itself.
A mismatch is BadDigest and stores nothing."""
import base64
import hashlib
import json
import os
import re
import zlib

import botocore.exceptions
import pytest

from s3_clients import AwsCli, bucket, s3, trailer_put  # noqa: F401 (fixtures)


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return b64((crc ^ 0xFFFFFFFF).to_bytes(4, "big"))


def sha1(data):
    return b64(hashlib.sha1(data).digest())


def sha256(data):
    return b64(hashlib.sha256(data).digest())


ALGORITHMS = {"CRC32": crc32, "CRC32C": crc32c, "SHA1": sha1, "SHA256": sha256}


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def absent(s3, bucket, key):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key=key)
    return e.value.response["Error"]["Code"] in ("404", "NoSuchKey")


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_boto3_checksum_is_verified_stored_and_returned(s3, bucket, algorithm):
    data = os.urandom(300_000)
    expected = ALGORITHMS[algorithm](data)
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected
    # botocore validates the returned value against the bytes it reads.
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got[f"Checksum{algorithm}"] == expected
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    # Not asked for: not sent. A range is not the whole object: not sent either.
    assert f"Checksum{algorithm}" not in s3.head_object(Bucket=bucket, Key="k")
    ranged = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert ranged["Body"].read() == data[:10] and f"Checksum{algorithm}" not in ranged


def test_copy_keeps_the_source_checksum(s3, bucket):
    data = os.urandom(100_000)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ChecksumAlgorithm="CRC32C")
    s3.copy_object(Bucket=bucket, Key="same-meta", CopySource={"Bucket": bucket, "Key": "src"})
    s3.copy_object(Bucket=bucket, Key="new-meta", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"a": "b"})
    for key in ("same-meta", "new-meta"):
        got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        assert got["Body"].read() == data
        assert got["ChecksumCRC32C"] == crc32c(data)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_wrong_checksum_is_bad_digest_and_nothing_is_stored(s3, bucket, algorithm):
    # A value the client states itself is sent as is (botocore computes none then).
    wrong = ALGORITHMS[algorithm](b"other bytes")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k", Body=b"the real bytes",
                      **{f"Checksum{algorithm}": wrong})
    assert error_code(e) == "BadDigest"
    assert absent(s3, bucket, "k")
    right = ALGORITHMS[algorithm](b"the real bytes")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"the real bytes",
                        **{f"Checksum{algorithm}": right})
    assert put[f"Checksum{algorithm}"] == right


def raw_put(tenant, bucket, key, data, headers):
    """(status, error code) of a PUT signed here, with exactly these extra headers."""
    r = tenant.api.request("PUT", f"/{bucket}/{key}", raw_body=data,
                           headers={"Content-Type": "application/octet-stream",
                                    "x-amz-content-sha256": hashlib.sha256(data).hexdigest(),
                                    **headers},
                           service="s3")
    m = re.search(rb"<Code>([^<]+)</Code>", r.body or b"")
    return r.status, m.group(1).decode() if m else None


def test_malformed_and_conflicting_declarations_are_invalid_request(s3, bucket, tenant):
    data = b"abc"
    for extra in ({"x-amz-checksum-crc32": "not base64!"},
                  {"x-amz-checksum-crc32": b64(b"\x00\x01")},  # wrong length
                  {"x-amz-checksum-sha256": crc32(data)},  # a CRC where a SHA-256 belongs
                  {"x-amz-checksum-crc32": crc32(data), "x-amz-checksum-sha1": sha1(data)},
                  {"x-amz-sdk-checksum-algorithm": "MD4"},
                  {"x-amz-sdk-checksum-algorithm": "SHA1", "x-amz-checksum-crc32": crc32(data)},
                  {"x-amz-trailer": "x-amz-checksum-md5"}):
        assert raw_put(tenant, bucket, "k", data, extra) == (400, "InvalidRequest"), extra
        assert absent(s3, bucket, "k")
    assert raw_put(tenant, bucket, "k", data, {"x-amz-checksum-crc32": crc32(b"abd")}) == (
        400, "BadDigest")
    assert absent(s3, bucket, "k")
    assert raw_put(tenant, bucket, "k", data, {"x-amz-checksum-crc32c": crc32c(data)}) == (
        200, None)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32C"] == crc32c(data)


def test_upload_part_checksums_are_verified(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    part = os.urandom(5 << 20)
    ok = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=1, Body=part,
                        ChecksumAlgorithm="CRC32")
    assert ok["ChecksumCRC32"] == crc32(part)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=2, Body=b"tail",
                       ChecksumCRC32=crc32(b"nope"))
    assert error_code(e) == "BadDigest"
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=up)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=up)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA256"])
def test_trailer_checksums(admin, tenant, s3, bucket, algorithm):
    chunks = [os.urandom(64 * 1024) for _ in range(3)] + [os.urandom(123)]
    data = b"".join(chunks)
    name = f"x-amz-checksum-{algorithm.lower()}"
    value = ALGORITHMS[algorithm](data)
    put = lambda key, v: trailer_put(admin.endpoint, tenant.access_key_id,  # noqa
                                     tenant.api.secret_access_key, f"/{bucket}/{key}",
                                     chunks, name, v)
    status, headers, body = put("good", value)
    assert status == 200, body
    assert headers[name] == value
    got = s3.get_object(Bucket=bucket, Key="good", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got[f"Checksum{algorithm}"] == value

    status, _, body = put("bad", ALGORITHMS[algorithm](b"x"))
    assert status == 400 and b"<Code>BadDigest</Code>" in body
    assert absent(s3, bucket, "bad")
    status, _, body = put("missing", None)
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body
    assert absent(s3, bucket, "missing")


def test_aws_cli_checksums(admin, tenant, bucket, s3, tmp_path):
    cli = AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    src = tmp_path / "src.bin"
    data = os.urandom(200_000)
    src.write_bytes(data)
    _, out, _ = cli.run("s3api", "put-object", "--bucket", bucket, "--key", "cli",
                        "--body", str(src), "--checksum-algorithm", "CRC32C", "--output", "json")
    assert json.loads(out)["ChecksumCRC32C"] == crc32c(data)
    dst = tmp_path / "dst.bin"
    _, out, _ = cli.run("s3api", "get-object", "--bucket", bucket, "--key", "cli",
                        "--checksum-mode", "ENABLED", str(dst), "--output", "json")
    assert json.loads(out)["ChecksumCRC32C"] == crc32c(data)
    assert dst.read_bytes() == data
    # An object stored without a checksum has none to show.
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert "ChecksumCRC32" not in s3.head_object(Bucket=bucket, Key="plain",
                                                 ChecksumMode="ENABLED")

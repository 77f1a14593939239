"""S3 multipart checksums: an upload created with x-amz-checksum-algorithm takes only parts
that carry a checksum of it (a header, as boto3 and the aws CLI send over http, or an
aws-chunked trailer, as the SDKs send over https), lists them, checks the ones Complete
names, and gives the object the composite base64(HASH(raw part checksums))-N, returned by
HeadObject/GetObject with x-amz-checksum-mode: ENABLED. Bad input is a 400 that changes
nothing."""
import base64
import hashlib
import json
import os
import re

import botocore.exceptions
import pytest

from s3_clients import AwsCli, bucket, s3, trailer_put  # noqa: F401 (fixtures)
from test_s3_checksums import ALGORITHMS

MiB = 1024 * 1024
EMPTY_PAYLOAD = {"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()}


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def composite(algorithm, parts):
    """What S3 shows for a multipart object: HASH over the parts' raw checksums, "-N"."""
    raw = b"".join(base64.b64decode(ALGORITHMS[algorithm](p)) for p in parts)
    return ALGORITHMS[algorithm](raw) + f"-{len(parts)}"


def headers_of(response):
    return response["ResponseMetadata"]["HTTPHeaders"]


def upload_parts(s3, bucket, key, upload_id, parts, algorithm, first=1):
    """Uploads with botocore computing the checksum; returns the CompletedPart dicts."""
    done = []
    for n, data in enumerate(parts, first):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=data,
                           ChecksumAlgorithm=algorithm)
        assert r[f"Checksum{algorithm}"] == ALGORITHMS[algorithm](data)
        done.append({"PartNumber": n, "ETag": r["ETag"],
                     f"Checksum{algorithm}": r[f"Checksum{algorithm}"]})
    return done


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_composite_checksum_of_a_multipart_object(s3, bucket, algorithm):
    up = s3.create_multipart_upload(Bucket=bucket, Key="big", ChecksumAlgorithm=algorithm)
    assert up["ChecksumAlgorithm"] == algorithm
    uid = up["UploadId"]
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(1234)]
    completed = upload_parts(s3, bucket, "big", uid, parts, algorithm)

    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=uid)
    assert listed["ChecksumAlgorithm"] == algorithm
    assert [(p["PartNumber"], p[f"Checksum{algorithm}"]) for p in listed["Parts"]] == \
        [(n, ALGORITHMS[algorithm](d)) for n, d in enumerate(parts, 1)]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["UploadId"], u["ChecksumAlgorithm"]) for u in uploads] == [(uid, algorithm)]

    expected = composite(algorithm, parts)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=uid,
                                        MultipartUpload={"Parts": completed})
    assert done[f"Checksum{algorithm}"] == expected

    head = s3.head_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    assert headers_of(head)["x-amz-checksum-type"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["Body"].read() == b"".join(parts)
    # Without the mode there is no checksum; a range has no whole-object checksum.
    assert f"Checksum{algorithm}" not in s3.head_object(Bucket=bucket, Key="big")
    ranged = s3.get_object(Bucket=bucket, Key="big", Range="bytes=0-99", ChecksumMode="ENABLED")
    assert ranged["Body"].read() == parts[0][:100]
    assert f"Checksum{algorithm}" not in ranged
    assert "x-amz-checksum-type" not in headers_of(ranged)
    # A copy has the same bytes, so it keeps the composite.
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "big"})
    assert s3.head_object(Bucket=bucket, Key="copy",
                          ChecksumMode="ENABLED")[f"Checksum{algorithm}"] == expected


def test_complete_without_part_checksums_and_the_initiate_xml(s3, bucket, tenant):
    r = tenant.api.request("POST", f"/{bucket}/k", query={"uploads": ""},
                           headers={"x-amz-checksum-algorithm": "SHA256", **EMPTY_PAYLOAD},
                           service="s3")
    assert r.status == 200, r.body
    assert b"<ChecksumAlgorithm>SHA256</ChecksumAlgorithm>" in r.body
    assert r.headers["x-amz-checksum-algorithm"] == "SHA256"
    uid = re.search(rb"<UploadId>([^<]+)</UploadId>", r.body).group(1).decode()
    parts = [os.urandom(5 * MiB), os.urandom(10)]
    completed = upload_parts(s3, bucket, "k", uid, parts, "SHA256")
    plain = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in completed]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                        MultipartUpload={"Parts": plain})
    expected = composite("SHA256", parts)
    assert done["ChecksumSHA256"] == expected
    # As the test computes it independently, from hashlib over the raw part digests.
    raw = b"".join(hashlib.sha256(p).digest() for p in parts)
    assert expected == base64.b64encode(hashlib.sha256(raw).digest()).decode() + "-2"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected


def test_wrong_part_checksum_is_invalid_part_and_the_upload_stays_completable(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = [os.urandom(5 * MiB), os.urandom(99)]
    completed = upload_parts(s3, bucket, "k", uid, parts, "SHA256")
    wrong = [dict(completed[0]), dict(completed[1])]
    wrong[1]["ChecksumSHA256"] = ALGORITHMS["SHA256"](b"something else")
    other = [dict(completed[0]), {"PartNumber": 2, "ETag": completed[1]["ETag"],
                                  "ChecksumCRC32": ALGORITHMS["CRC32"](parts[1])}]
    for bad in (wrong, other):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": bad})
        assert error_code(e) == "InvalidPart"
        with pytest.raises(botocore.exceptions.ClientError):
            s3.head_object(Bucket=bucket, Key="k")
    assert len(s3.list_parts(Bucket=bucket, Key="k", UploadId=uid)["Parts"]) == 2
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=uid,
                                        MultipartUpload={"Parts": completed})
    assert done["ChecksumSHA256"] == composite("SHA256", parts)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"".join(parts)


def test_parts_must_carry_the_uploads_algorithm(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    data = os.urandom(1000)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=data)
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=data,
                       ChecksumAlgorithm="CRC32")
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as e:  # right algorithm, wrong value
        s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=data,
                       ChecksumSHA256=ALGORITHMS["SHA256"](b"nope"))
    assert error_code(e) == "BadDigest"
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=uid).get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=uid)


def test_unknown_algorithm_at_create_is_invalid_request(s3, bucket, tenant):
    for headers in ({"x-amz-checksum-algorithm": "MD5"},
                    {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"}):
        r = tenant.api.request("POST", f"/{bucket}/k", query={"uploads": ""},
                               headers={**headers, **EMPTY_PAYLOAD}, service="s3")
        assert r.status == 400 and b"<Code>InvalidRequest</Code>" in r.body, (headers, r.body)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME")
    assert error_code(e) == "InvalidRequest"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_upload_without_algorithm_keeps_part_checksums_but_the_object_has_none(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="k")
    assert "ChecksumAlgorithm" not in up
    uid = up["UploadId"]
    first, second = os.urandom(5 * MiB), os.urandom(77)
    r1 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1, Body=first,
                        ChecksumAlgorithm="CRC32C")
    r2 = s3.upload_part(Bucket=bucket, Key="k", UploadId=uid, PartNumber=2, Body=second)
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=uid)
    assert "ChecksumAlgorithm" not in listed
    assert listed["Parts"][0]["ChecksumCRC32C"] == ALGORITHMS["CRC32C"](first)
    assert not any(k.startswith("Checksum") for k in listed["Parts"][1])
    # A listed checksum is still checked against the part's.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="k", UploadId=uid,
            MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumCRC32C": "AAAAAA=="},
                {"PartNumber": 2, "ETag": r2["ETag"]}]})
    assert error_code(e) == "InvalidPart"
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=uid,
        MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumCRC32C": r1["ChecksumCRC32C"]},
            {"PartNumber": 2, "ETag": r2["ETag"]}]})
    assert not any(k.startswith("Checksum") for k in done)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert not any(k.startswith("Checksum") for k in head)


def test_upload_part_copy_gets_the_uploads_checksum(s3, bucket):
    source = os.urandom(5 * MiB + 3)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=uid, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src"})
    tail = upload_parts(s3, bucket, "k", uid, [b"tail"], "CRC32", first=2)[0]
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=uid)["Parts"]
    assert listed[0]["ChecksumCRC32"] == ALGORITHMS["CRC32"](source)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=uid,
        MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]},
            {"PartNumber": 2, "ETag": tail["ETag"]}]})
    assert done["ChecksumCRC32"] == composite("CRC32", [source, b"tail"])


def test_trailer_part_checksums(admin, tenant, s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = [os.urandom(5 * MiB + 1), os.urandom(300_000)]

    def put(number, data, name, value):
        chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)]
        return trailer_put(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key,
                           f"/{bucket}/k", chunks, name, value,
                           query=f"partNumber={number}&uploadId={uid}")

    # A trailer of another algorithm, or none at all, is refused and stores nothing. (Small
    # bodies: the first is refused before its body is read.)
    small = os.urandom(1000)
    status, _, body = put(1, small, "x-amz-checksum-crc32", ALGORITHMS["CRC32"](small))
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body, body
    status, _, body = put(1, parts[0], "x-amz-checksum-sha256", None)
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body, body
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=uid).get("Parts", []) == []

    etags = []
    for n, data in enumerate(parts, 1):
        value = ALGORITHMS["SHA256"](data)
        status, headers, body = put(n, data, "x-amz-checksum-sha256", value)
        assert status == 200, body
        assert headers["x-amz-checksum-sha256"] == value
        etags.append(headers["etag"])
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=uid)["Parts"]
    assert [p["ChecksumSHA256"] for p in listed] == [ALGORITHMS["SHA256"](p) for p in parts]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e}
                                   for n, e in enumerate(etags, 1)]})
    assert done["ChecksumSHA256"] == composite("SHA256", parts)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"".join(parts)


def test_aws_cli_multipart_checksums(admin, tenant, s3, bucket, tmp_path):
    cli = AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    up = cli.json("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "cli",
                  "--checksum-algorithm", "SHA256")
    assert up["ChecksumAlgorithm"] == "SHA256"
    uid = up["UploadId"]
    parts = [os.urandom(5 * MiB), os.urandom(4321)]
    completed = []
    for n, data in enumerate(parts, 1):
        f = tmp_path / f"part{n}"
        f.write_bytes(data)
        r = cli.json("s3api", "upload-part", "--bucket", bucket, "--key", "cli",
                     "--upload-id", uid, "--part-number", str(n), "--body", str(f),
                     "--checksum-algorithm", "SHA256")
        assert r["ChecksumSHA256"] == ALGORITHMS["SHA256"](data)
        completed.append({"PartNumber": n, "ETag": r["ETag"],
                          "ChecksumSHA256": r["ChecksumSHA256"]})
    listed = cli.json("s3api", "list-parts", "--bucket", bucket, "--key", "cli",
                      "--upload-id", uid)
    assert listed["ChecksumAlgorithm"] == "SHA256"
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == \
        [c["ChecksumSHA256"] for c in completed]
    spec = tmp_path / "parts.json"
    spec.write_text(json.dumps({"Parts": completed}))
    done = cli.json("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "cli",
                    "--upload-id", uid, "--multipart-upload", f"file://{spec}")
    expected = composite("SHA256", parts)
    assert done["ChecksumSHA256"] == expected
    head = cli.json("s3api", "head-object", "--bucket", bucket, "--key", "cli",
                    "--checksum-mode", "ENABLED")
    assert head["ChecksumSHA256"] == expected
    # A bad algorithm at create: the CLI reports the server's InvalidRequest.
    code, _, err = cli.run("s3api", "create-multipart-upload", "--bucket", bucket, "--key", "x",
                           "--checksum-algorithm", "MD5", check=False)
    assert code != 0 and "InvalidRequest" in err

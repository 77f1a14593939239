"""S3 multipart uploads through boto3 and the aws CLI (which switches to multipart for files
of 8 MiB and more)."""
import hashlib
import os

import botocore.exceptions
import pytest

from conftest import new_tenant
from s3_clients import AwsCli, boto3_client, bucket, bucket_name, s3  # noqa: F401 (fixtures)
from test_s3_objects import error_code

MiB = 1024 * 1024


def multipart_etag(parts):
    return '"' + hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + \
        f'-{len(parts)}"'


def test_create_upload_parts_list_and_complete(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    up = s3.create_multipart_upload(Bucket=name, Key="big", ContentType="application/x-big",
                                    Metadata={"k": "v"})
    uid = up["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=name)["Uploads"]] == [uid]
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(123)]
    etags = []
    for n, data in enumerate(parts, 1):
        etags.append(s3.upload_part(Bucket=name, Key="big", UploadId=uid, PartNumber=n,
                                    Body=data)["ETag"])
    assert etags == ['"' + hashlib.md5(p).hexdigest() + '"' for p in parts]
    listed = s3.list_parts(Bucket=name, Key="big", UploadId=uid)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == \
        [(1, 5 * MiB), (2, 5 * MiB), (3, 123)]
    done = s3.complete_multipart_upload(
        Bucket=name, Key="big", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    assert done["ETag"] == multipart_etag(parts)
    got = s3.get_object(Bucket=name, Key="big")
    assert got["Body"].read() == b"".join(parts)
    assert got["ContentType"] == "application/x-big" and got["Metadata"] == {"k": "v"}
    assert s3.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_parts(Bucket=name, Key="big", UploadId=uid)
    assert error_code(e) == "NoSuchUpload"


def test_bad_completions_are_refused_and_change_nothing(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    uid = s3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
    small = [os.urandom(1000), os.urandom(1000)]
    etags = [s3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=n, Body=d)["ETag"]
             for n, d in enumerate(small, 1)]

    def complete(parts):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.complete_multipart_upload(Bucket=name, Key="k", UploadId=uid,
                                         MultipartUpload={"Parts": parts})
        return error_code(e)

    assert complete([{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": etags[1]}]) \
        == "EntityTooSmall"
    assert complete([{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]) \
        == "InvalidPartOrder"
    assert complete([{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]) == "InvalidPart"
    assert complete([{"PartNumber": 7, "ETag": etags[0]}]) == "InvalidPart"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=10001, Body=b"x")
    assert error_code(e) == "InvalidArgument"
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=name, Key="k")
    # A single small part is a valid upload.
    s3.complete_multipart_upload(Bucket=name, Key="k", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etags[0]}]})
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == small[0]


def test_abort_discards_the_parts(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    uid = s3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
    s3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=1, Body=b"x" * 1000)
    s3.abort_multipart_upload(Bucket=name, Key="k", UploadId=uid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=2, Body=b"y")
    assert error_code(e) == "NoSuchUpload"
    s3.delete_bucket(Bucket=name)  # no upload keeps it busy


def test_upload_part_copy_takes_ranges_of_existing_objects(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    source = os.urandom(6 * MiB)
    s3.put_object(Bucket=name, Key="src", Body=source)
    uid = s3.create_multipart_upload(Bucket=name, Key="dst")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=name, Key="dst", UploadId=uid, PartNumber=1,
                             CopySource={"Bucket": name, "Key": "src"},
                             CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    p2 = s3.upload_part_copy(Bucket=name, Key="dst", UploadId=uid, PartNumber=2,
                             CopySource={"Bucket": name, "Key": "src"},
                             CopySourceRange=f"bytes={5 * MiB}-{6 * MiB - 1}")
    s3.complete_multipart_upload(
        Bucket=name, Key="dst", UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
                                   {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=name, Key="dst")["Body"].read() == source


def test_another_tenant_cannot_touch_an_upload(admin, s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    uid = s3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
    other = new_tenant(admin)
    theirs = boto3_client(admin.endpoint, other.access_key_id, other.api.secret_access_key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.upload_part(Bucket=name, Key="k", UploadId=uid, PartNumber=1, Body=b"x")
    assert error_code(e) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        theirs.abort_multipart_upload(Bucket=name, Key="k", UploadId=uid)
    assert error_code(e) == "AccessDenied"


def test_aws_cli_copies_a_large_file_in_parts(admin, tenant, tmp_path):
    cli = AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    name = bucket_name()
    cli.run("s3", "mb", f"s3://{name}")
    src = tmp_path / "large.bin"
    data = os.urandom(19 * MiB + 3)
    src.write_bytes(data)
    cli.run("s3", "cp", str(src), f"s3://{name}/large.bin")
    head = cli.json("s3api", "head-object", "--bucket", name, "--key", "large.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')  # 8 MiB parts: 8 + 8 + 3
    back = tmp_path / "back.bin"
    cli.run("s3", "cp", f"s3://{name}/large.bin", str(back))
    assert back.read_bytes() == data


def test_get_and_head_by_part_number(s3, bucket):
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB + 17), os.urandom(MiB)]
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    done = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid,
                                                     PartNumber=n, Body=p)["ETag"]}
            for n, p in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": done})
    total = sum(len(p) for p in parts)
    first = 0
    for n, p in enumerate(parts, 1):
        got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert got["Body"].read() == p
        assert got["PartsCount"] == 3 and got["ContentLength"] == len(p)
        assert got["ContentRange"] == f"bytes {first}-{first + len(p) - 1}/{total}"
        head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert (head["ContentLength"], head["PartsCount"]) == (len(p), 3)
        first += len(p)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=4)
    assert (e.value.response["ResponseMetadata"]["HTTPStatusCode"], error_code(e)) == (
        416, "InvalidPartNumber")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=1, Range="bytes=0-1")
    assert error_code(e) == "InvalidRequest"
    # Any other object is one part: part 1 is all of it, and it has no parts count.
    s3.put_object(Bucket=bucket, Key="single", Body=b"whole")
    got = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert got["Body"].read() == b"whole" and "PartsCount" not in got
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="single", PartNumber=2)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    # A copy of a multipart object is one object of one part, as in S3.
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "mp"})
    assert "PartsCount" not in s3.head_object(Bucket=bucket, Key="copy", PartNumber=1)

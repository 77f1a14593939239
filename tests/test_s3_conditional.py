"""Conditional reads and copies (If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since and their x-amz-copy-source-if-* forms), GetObject's response-* header
overrides, and the copy of an object onto itself, through boto3 and a presigned URL."""
import datetime
import urllib.request

import botocore.exceptions
import pytest

from s3_clients import bucket, s3  # noqa: F401 (fixtures)

PAST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
FUTURE = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def obj(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"payload",
                         Metadata={"v": "1"})["ETag"]
    return bucket, etag


def status_of(call, **kwargs):
    try:
        return call(**kwargs)["ResponseMetadata"]["HTTPStatusCode"]
    except botocore.exceptions.ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]


def test_get_and_head_preconditions(s3, obj):
    bucket, etag = obj
    for call in (s3.get_object, s3.head_object):
        k = {"Bucket": bucket, "Key": "k"}
        assert status_of(call, **k, IfMatch=etag) == 200
        assert status_of(call, **k, IfMatch='"nope"')[0] == 412
        assert status_of(call, **k, IfNoneMatch='"nope"') == 200
        assert status_of(call, **k, IfNoneMatch=etag)[0] == 304
        assert status_of(call, **k, IfNoneMatch="*")[0] == 304
        assert status_of(call, **k, IfModifiedSince=PAST) == 200
        assert status_of(call, **k, IfModifiedSince=FUTURE)[0] == 304
        assert status_of(call, **k, IfUnmodifiedSince=FUTURE) == 200
        assert status_of(call, **k, IfUnmodifiedSince=PAST)[0] == 412
        # S3's precedence: a true If-Match beats a false If-Unmodified-Since.
        assert status_of(call, **k, IfMatch=etag, IfUnmodifiedSince=PAST) == 200
    assert status_of(s3.get_object, Bucket=bucket, Key="k", IfMatch='"nope"') == (
        412, "PreconditionFailed")
    # A 304 leaves the connection usable: the next request on it is answered.
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"payload"


def test_response_header_overrides(s3, obj):
    bucket, _ = obj
    r = s3.get_object(Bucket=bucket, Key="k", ResponseContentType="text/x-test",
                      ResponseContentDisposition='attachment; filename="a.bin"',
                      ResponseCacheControl="no-cache", ResponseContentLanguage="fr")
    assert r["ContentType"] == "text/x-test"
    assert r["ContentDisposition"] == 'attachment; filename="a.bin"'
    assert r["CacheControl"] == "no-cache"
    assert r["ContentLanguage"] == "fr"
    assert r["Body"].read() == b"payload"
    # The object itself is unchanged.
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] != "text/x-test"
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "k", "ResponseContentDisposition": "attachment; filename=x"})
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert resp.headers["Content-Disposition"] == "attachment; filename=x"
        assert resp.read() == b"payload"


def test_copy_preconditions(s3, obj):
    bucket, etag = obj
    src = {"Bucket": bucket, "Key": "k"}
    for cond in ({"CopySourceIfMatch": '"nope"'}, {"CopySourceIfNoneMatch": etag},
                 {"CopySourceIfUnmodifiedSince": PAST},
                 {"CopySourceIfModifiedSince": FUTURE}):
        assert status_of(s3.copy_object, Bucket=bucket, Key="c", CopySource=src,
                         **cond) == (412, "PreconditionFailed"), cond
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["k"]  # nothing was copied
    assert status_of(s3.copy_object, Bucket=bucket, Key="c", CopySource=src,
                     CopySourceIfMatch=etag, CopySourceIfModifiedSince=PAST) == 200
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == b"payload"


def test_copy_onto_itself_needs_new_metadata(s3, obj):
    bucket, etag = obj
    src = {"Bucket": bucket, "Key": "k"}
    assert status_of(s3.copy_object, Bucket=bucket, Key="k", CopySource=src) == (
        400, "InvalidRequest")
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"v": "1"}
    s3.copy_object(Bucket=bucket, Key="k", CopySource=src, MetadataDirective="REPLACE",
                   Metadata={"v": "2"})
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["Metadata"] == {"v": "2"} and head["ETag"] == etag

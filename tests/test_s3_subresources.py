"""S3 sub-resources the object store does not have (?acl, ?tagging, ?policy, ?versioning, …)
through boto3 and the aws CLI. Each is recognised: a read answers as S3 does for a bucket or
object never configured, a write is refused with NotImplemented, and none of them is ever
taken for the plain bucket or object request it resembles (PUT ?tagging is no CreateBucket,
DELETE ?tagging no DeleteObject)."""
import botocore.exceptions
import pytest

from conftest import new_tenant
from s3_clients import AwsCli, boto3_client, bucket_name, s3  # noqa: F401 (fixture)


@pytest.fixture
def filled(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"kept")
    yield name
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)


def refused(code, call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kwargs)
    err = e.value.response
    assert err["Error"]["Code"] == code, err
    return err["ResponseMetadata"]["HTTPStatusCode"]


def still_there(s3, bucket):
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_reads_answer_as_for_a_bucket_never_configured(s3, tenant, filled):
    assert "Status" not in s3.get_bucket_versioning(Bucket=filled)
    acl = s3.get_bucket_acl(Bucket=filled)
    assert acl["Owner"]["ID"] == tenant.id
    assert [(g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [
        (tenant.id, "FULL_CONTROL")]
    assert s3.get_object_acl(Bucket=filled, Key="k")["Owner"]["ID"] == tenant.id
    assert s3.get_object_tagging(Bucket=filled, Key="k")["TagSet"] == []
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=filled)
    for code, call in [("NoSuchTagSet", s3.get_bucket_tagging),
                       ("NoSuchBucketPolicy", s3.get_bucket_policy),
                       ("NoSuchCORSConfiguration", s3.get_bucket_cors),
                       ("NoSuchLifecycleConfiguration", s3.get_bucket_lifecycle_configuration),
                       ("ServerSideEncryptionConfigurationNotFoundError",
                        s3.get_bucket_encryption),
                       ("NoSuchWebsiteConfiguration", s3.get_bucket_website)]:
        assert refused(code, call, Bucket=filled) == 404
    assert refused("NoSuchKey", s3.get_object_tagging, Bucket=filled, Key="missing") == 404


def test_writes_are_refused_and_change_nothing(s3, filled):
    tags = {"TagSet": [{"Key": "a", "Value": "b"}]}
    for call, kwargs in [
        (s3.put_bucket_tagging, {"Tagging": tags}),
        (s3.put_bucket_versioning, {"VersioningConfiguration": {"Status": "Enabled"}}),
        (s3.put_bucket_policy, {"Policy": '{"Version":"2012-10-17","Statement":[]}'}),
        (s3.put_bucket_cors, {"CORSConfiguration": {"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}}),
        (s3.put_object_tagging, {"Key": "k", "Tagging": tags}),
        (s3.list_object_versions, {}),
    ]:
        assert refused("NotImplemented", call, Bucket=filled, **kwargs) == 400
    still_there(s3, filled)
    assert s3.get_object_tagging(Bucket=filled, Key="k")["TagSet"] == []
    assert "Status" not in s3.get_bucket_versioning(Bucket=filled)


def test_acls_may_only_say_what_is_true_owner_full_control(s3, tenant, filled):
    assert s3.get_bucket_ownership_controls(Bucket=filled)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_acl(Bucket=filled, ACL="private")
    s3.put_object_acl(Bucket=filled, Key="k", ACL="bucket-owner-full-control")
    owner = {"ID": tenant.id}
    s3.put_object_acl(Bucket=filled, Key="k", AccessControlPolicy={"Owner": owner, "Grants": [
        {"Grantee": {"ID": tenant.id, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]})
    s3.put_object(Bucket=filled, Key="owned", Body=b"x", ACL="bucket-owner-full-control")
    s3.delete_object(Bucket=filled, Key="owned")
    for call, kwargs in [
        (s3.put_bucket_acl, {"ACL": "public-read"}),
        (s3.put_object_acl, {"Key": "k", "ACL": "public-read"}),
        (s3.put_object_acl, {"Key": "k", "AccessControlPolicy": {"Owner": owner, "Grants": [
            {"Grantee": {"Type": "Group",
                         "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
             "Permission": "READ"}]}}),
        (s3.put_object, {"Key": "public", "Body": b"x", "ACL": "public-read"}),
        (s3.put_object, {"Key": "public", "Body": b"x", "GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'}),
        (s3.copy_object, {"Key": "public", "CopySource": {"Bucket": filled, "Key": "k"},
                          "ACL": "public-read"}),
        (s3.create_multipart_upload, {"Key": "public", "ACL": "public-read"}),
    ]:
        assert refused("AccessControlListNotSupported", call, Bucket=filled, **kwargs) == 400
    still_there(s3, filled)
    assert s3.list_multipart_uploads(Bucket=filled).get("Uploads", []) == []
    name = bucket_name()
    assert refused("AccessControlListNotSupported", s3.create_bucket, Bucket=name,
                   ACL="public-read") == 400
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_deleting_a_configuration_never_deletes_the_bucket_or_object(s3, filled):
    s3.delete_object_tagging(Bucket=filled, Key="k")
    s3.delete_bucket_tagging(Bucket=filled)
    s3.delete_bucket_policy(Bucket=filled)
    s3.delete_bucket_cors(Bucket=filled)
    s3.delete_bucket_lifecycle(Bucket=filled)
    still_there(s3, filled)
    # The same on an empty bucket, which DeleteBucket would have removed.
    empty = bucket_name()
    s3.create_bucket(Bucket=empty)
    s3.delete_bucket_tagging(Bucket=empty)
    s3.delete_bucket_policy(Bucket=empty)
    s3.head_bucket(Bucket=empty)
    s3.delete_bucket(Bucket=empty)


def test_put_of_a_subresource_on_a_missing_bucket_creates_nothing(s3):
    name = bucket_name()
    assert refused("NoSuchBucket", s3.put_bucket_tagging, Bucket=name,
                   Tagging={"TagSet": [{"Key": "a", "Value": "b"}]}) == 404
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_another_tenant_is_refused(admin, s3, filled):
    other = new_tenant(admin)
    s3b = boto3_client(admin.endpoint, other.access_key_id, other.api.secret_access_key)
    assert refused("AccessDenied", s3b.get_bucket_acl, Bucket=filled) == 403
    assert refused("AccessDenied", s3b.delete_object_tagging, Bucket=filled, Key="k") == 403
    assert refused("AccessDenied", s3b.get_bucket_policy, Bucket=filled) == 403
    still_there(s3, filled)


def test_aws_cli_reads_and_refusals(admin, tenant, s3, filled):
    cli = AwsCli(admin.endpoint, tenant.access_key_id, tenant.api.secret_access_key)
    acl = cli.json("s3api", "get-bucket-acl", "--bucket", filled)
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    rc, _, err = cli.run("s3api", "put-object-tagging", "--bucket", filled, "--key", "k",
                         "--tagging", "TagSet=[{Key=a,Value=b}]", check=False)
    assert rc != 0 and "(NotImplemented)" in err
    cli.run("s3api", "delete-bucket-tagging", "--bucket", filled)
    still_there(s3, filled)

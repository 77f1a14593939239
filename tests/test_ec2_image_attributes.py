"""An image's description through ModifyImageAttribute / DescribeImageAttribute (the real aws
CLI v2) and PATCH /v1/images/{id}: only the owner changes it; another tenant that sees the
image is unauthorized, one that does not gets InvalidAMIID.NotFound; bad values change
nothing. Also: an image's tags go with it when it is deregistered. Records only (images
without a disk), no hosts needed."""

from conftest import new_tenant
from ec2_support import cli_for


def described(aws, image_id):
    out = aws.ok("ec2", "describe-image-attribute", "--image-id", image_id,
                 "--attribute", "description")
    assert out["ImageId"] == image_id, out
    return out["Description"].get("Value")


def test_the_owner_changes_the_description_and_no_one_else(shared_stratod):
    a, b = new_tenant(shared_stratod.admin), new_tenant(shared_stratod.admin)
    aws_a = cli_for(shared_stratod.endpoint, a)
    aws_b = cli_for(shared_stratod.endpoint, b)
    image_id = aws_a.ok("ec2", "register-image", "--name", "described",
                        "--description", "first")["ImageId"]
    assert described(aws_a, image_id) == "first"

    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id, "--description", "second")
    assert described(aws_a, image_id) == "second"
    [image] = aws_a.ok("ec2", "describe-images", "--image-ids", image_id)["Images"]
    assert image["Description"] == "second", image
    # The attribute/value form.
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--attribute", "description", "--value", "third")
    assert described(aws_a, image_id) == "third"

    # Refused, and nothing changes: too long, a description with a launch permission change,
    # a value for another attribute, an attribute without a value.
    aws_a.fails("InvalidParameterValue", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--description", "x" * 256)
    aws_a.fails("InvalidParameterCombination", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--description", "both", "--launch-permission", "Add=[{Group=all}]")
    aws_a.fails("InvalidParameterCombination", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--attribute", "launchPermission", "--value", "x")
    aws_a.fails("MissingParameter", "ec2", "modify-image-attribute", "--image-id", image_id,
                "--attribute", "description")
    aws_a.fails("InvalidAMIID.NotFound", "ec2", "modify-image-attribute", "--image-id",
                "ami-0123456789abcdef0", "--description", "nobody's")
    assert described(aws_a, image_id) == "third"
    assert aws_a.ok("ec2", "describe-image-attribute", "--image-id", image_id,
                    "--attribute", "launchPermission")["LaunchPermissions"] == []
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--description", "y" * 255)
    assert described(aws_a, image_id) == "y" * 255

    # B cannot see the image: not found. Once shared, B sees it but may not change it.
    aws_b.fails("InvalidAMIID.NotFound", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--description", "b's")
    r = b.api.request("PATCH", f"/v1/images/{image_id}", {"description": "b's"})
    assert (r.status, r.code) == (404, "InvalidAMIID.NotFound"), r
    aws_a.ok("ec2", "modify-image-attribute", "--image-id", image_id,
             "--launch-permission", f"Add=[{{UserId={b.id}}}]")
    aws_b.fails("UnauthorizedOperation", "ec2", "modify-image-attribute", "--image-id",
                image_id, "--description", "b's")
    r = b.api.request("PATCH", f"/v1/images/{image_id}", {"description": "b's"})
    assert (r.status, r.code) == (403, "UnauthorizedOperation"), r
    assert described(aws_b, image_id) == "y" * 255

    # Natively, by the owner; bad bodies are refused.
    out = a.api.ok("PATCH", f"/v1/images/{image_id}", {"description": "native"})
    assert (out["id"], out["description"]) == (image_id, "native"), out
    for body, code in (({"description": 5}, "InvalidParameterValue"),
                       ({"name": "renamed"}, None),
                       ({}, "MissingParameter"),
                       ({"description": "z" * 256}, "InvalidParameterValue")):
        r = a.api.request("PATCH", f"/v1/images/{image_id}", body)
        assert r.status == 400 and (code is None or r.code == code), (body, r)
    assert a.api.ok("GET", f"/v1/images/{image_id}")["description"] == "native"
    # The cloud admin may change it too.
    admin_aws = cli_for(shared_stratod.endpoint, shared_stratod.admin)
    admin_aws.ok("ec2", "modify-image-attribute", "--image-id", image_id,
                 "--description", "by the admin")
    assert described(aws_a, image_id) == "by the admin"
    aws_a.ok("ec2", "deregister-image", "--image-id", image_id)


def test_deregistering_an_image_deletes_its_tags(shared_stratod):
    a = new_tenant(shared_stratod.admin)
    aws = cli_for(shared_stratod.endpoint, a)
    image_id = aws.ok("ec2", "register-image", "--name", "tagged")["ImageId"]
    kept = aws.ok("ec2", "register-image", "--name", "kept")["ImageId"]
    aws.ok("ec2", "create-tags", "--resources", image_id, kept, "--tags", "Key=team,Value=core",
           "Key=stage,Value=test")

    def tags_of(resource):
        return aws.ok("ec2", "describe-tags", "--filters",
                      f"Name=resource-id,Values={resource}")["Tags"]

    assert {(t["Key"], t["Value"], t["ResourceType"]) for t in tags_of(image_id)} == {
        ("team", "core", "image"), ("stage", "test", "image")}
    aws.ok("ec2", "deregister-image", "--image-id", image_id)
    assert tags_of(image_id) == []
    assert len(tags_of(kept)) == 2
    by_key = aws.ok("ec2", "describe-tags", "--filters", "Name=key,Values=team")["Tags"]
    assert [t["ResourceId"] for t in by_key] == [kept], by_key
    # Natively, too.
    native = a.api.ok("POST", "/v1/images", {"name": "native-tagged"}, expect=(201,))["id"]
    aws.ok("ec2", "create-tags", "--resources", native, "--tags", "Key=team,Value=core")
    a.api.request("DELETE", f"/v1/images/{native}")
    assert tags_of(native) == []
    aws.ok("ec2", "deregister-image", "--image-id", kept)
    assert aws.ok("ec2", "describe-tags")["Tags"] == []

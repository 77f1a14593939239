"""EC2 images with the real aws CLI v2: RegisterImage from an S3 object (ImageLocation), the
image-available waiter, DescribeImages, DeregisterImage, and the errors of bad locations."""
from ec2_support import cli_for
from image_support import bzip2, files_under, make_ext4_image
from conftest import add_sim_hosts, wait_for


def test_register_image_from_an_s3_object_then_describe_and_deregister(stratod, tmp_path):
    aws = cli_for(stratod.endpoint, stratod.admin)
    disk = bzip2(make_ext4_image(tmp_path / "disk.img", {"hello.txt": "via s3\n"}))
    aws.ok("s3api", "create-bucket", "--bucket", "images")
    aws.ok("s3api", "put-object", "--bucket", "images", "--key", "disk.img.bz2", "--body", str(disk))
    image_id = aws.ok("ec2", "register-image", "--name", "from-s3",
                      "--image-location", "images/disk.img.bz2")["ImageId"]
    aws.ok("ec2", "wait", "image-available", "--image-ids", image_id)
    [image] = aws.ok("ec2", "describe-images", "--image-ids", image_id)["Images"]
    assert image["State"] == "available" and image["Name"] == "from-s3", image
    assert image["BlockDeviceMappings"][0]["DeviceName"] == "/dev/vda", image
    native = stratod.admin.ok("GET", f"/v1/images/{image_id}")
    assert native["disk"]["compression"] == "bzip2", native
    aws.ok("ec2", "deregister-image", "--image-id", image_id)
    wait_for(lambda: files_under(stratod.data_dir / "storage") == [], 30,
             message="the image's disk deleted")
    # The object itself stays in the bucket: the image had its own copy.
    assert "disk.img.bz2" in str(aws.ok("s3api", "list-objects-v2", "--bucket", "images"))


def test_register_image_refuses_unreadable_locations(stratod):
    aws = cli_for(stratod.endpoint, stratod.admin)
    aws.ok("s3api", "create-bucket", "--bucket", "bucket")
    for location in ("bucket/missing", "no-such-bucket/key", "nokey"):
        aws.fails("InvalidParameterValue", "ec2", "register-image", "--name", "x",
                  "--image-location", location)
    assert files_under(stratod.data_dir / "uploads") == []


def test_run_instances_maps_the_root_device_delete_on_termination(stratod, tmp_path):
    add_sim_hosts(stratod.admin, 1, vcpus=16, memory_mib=1 << 16)
    aws = cli_for(stratod.endpoint, stratod.admin)
    disk = make_ext4_image(tmp_path / "disk.img", {"hello.txt": "root\n"})
    aws.ok("s3api", "create-bucket", "--bucket", "roots")
    aws.ok("s3api", "put-object", "--bucket", "roots", "--key", "disk.img", "--body", str(disk))
    image_id = aws.ok("ec2", "register-image", "--name", "root",
                      "--image-location", "roots/disk.img")["ImageId"]
    aws.ok("ec2", "wait", "image-available", "--image-ids", image_id)
    # A data volume needs a size or a snapshot.
    aws.fails("InvalidBlockDeviceMapping", "ec2", "run-instances", "--image-id", image_id,
              "--instance-type", "t3.nano", "--block-device-mappings",
              "DeviceName=/dev/sdf,Ebs={DeleteOnTermination=false}")
    [inst] = aws.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                    "--block-device-mappings",
                    "DeviceName=/dev/vda,Ebs={DeleteOnTermination=false}")["Instances"]
    iid = inst["InstanceId"]
    aws.ok("ec2", "wait", "instance-running", "--instance-ids", iid)
    [root] = [v for v in stratod.admin.ok("GET", "/v1/volumes")["volumes"]
              if v["attachments"] and v["attachments"][0]["instance_id"] == iid]
    assert root["attachments"][0] == {**root["attachments"][0], "device": "/dev/vda",
                                      "delete_on_termination": False}, root
    aws.ok("ec2", "terminate-instances", "--instance-ids", iid)
    aws.ok("ec2", "wait", "instance-terminated", "--instance-ids", iid)
    wait_for(lambda: stratod.admin.ok("GET", f"/v1/volumes/{root['id']}")["state"] == "available",
             30, message="the kept root volume released")

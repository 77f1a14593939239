"""ModifyInstanceAttribute's BlockDeviceMapping through the real aws CLI v2: the
DeleteOnTermination of an instance's attached volumes changes (shown by DescribeInstances and
DescribeVolumes, obeyed at terminate); bad requests change nothing. DescribeInstanceAttribute
reads each attribute. Sim hosts, no guests."""

import base64
import json

from conftest import new_tenant, wait_for
from ec2_support import FAST_WAIT, cli, cli_for, ec2  # noqa: F401 (fixtures)


def mapping(device, keep, volume_id=None):
    ebs = {"DeleteOnTermination": keep}
    if volume_id:
        ebs["VolumeId"] = volume_id
    return json.dumps([{"DeviceName": device, "Ebs": ebs}])


def delete_on_termination(cli, iid):
    [res] = cli.ok("ec2", "describe-instances", "--instance-ids", iid)["Reservations"]
    return {m["DeviceName"]: m["Ebs"]["DeleteOnTermination"]
            for m in res["Instances"][0]["BlockDeviceMappings"]}


def test_delete_on_termination_changes_and_terminate_obeys(shared_stratod, admin, cli, ec2,
                                                           image_id):
    [inst] = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                    "--placement", "AvailabilityZone=strato-1a", "--block-device-mappings",
                    "DeviceName=/dev/sdf,Ebs={VolumeSize=1}")["Instances"]
    iid = inst["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=FAST_WAIT)
    attached = ec2.create_volume(Size=1, AvailabilityZone="strato-1a")["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[attached], WaiterConfig=FAST_WAIT)
    cli.ok("ec2", "attach-volume", "--volume-id", attached, "--instance-id", iid,
           "--device", "/dev/sdg")
    wait_for(lambda: delete_on_termination(cli, iid) == {"/dev/sdf": True, "/dev/sdg": False},
             30, message="both attached")
    mapped = {v["Attachments"][0]["Device"]: v["VolumeId"] for v in cli.ok(
        "ec2", "describe-volumes", "--filters",
        f"Name=attachment.instance-id,Values={iid}")["Volumes"]}

    # Refused, and nothing changes.
    for args, code in (
            (("--block-device-mappings", mapping("/dev/sdh", False)), "InvalidParameterValue"),
            (("--block-device-mappings", mapping("/dev/sdf", False, attached)),
             "InvalidParameterValue"),
            (("--block-device-mappings", json.dumps([{"DeviceName": "/dev/sdf"}])),
             "MissingParameter"),
            (("--instance-type", "t3.micro"), "Unsupported"),
            (("--block-device-mappings", json.dumps([
                {"DeviceName": "/dev/sdf", "Ebs": {"DeleteOnTermination": False}},
                {"DeviceName": "/dev/sdf", "Ebs": {"DeleteOnTermination": True}}])),
             "InvalidParameterValue")):
        cli.fails(code, "ec2", "modify-instance-attribute", "--instance-id", iid, *args)
    other = cli_for(shared_stratod.endpoint, new_tenant(admin))
    other.fails("InvalidInstanceID.NotFound", "ec2", "modify-instance-attribute",
                "--instance-id", iid, "--block-device-mappings", mapping("/dev/sdf", False))
    assert delete_on_termination(cli, iid) == {"/dev/sdf": True, "/dev/sdg": False}

    cli.ok("ec2", "modify-instance-attribute", "--instance-id", iid, "--block-device-mappings",
           mapping("/dev/sdf", False, mapped["/dev/sdf"]))
    cli.ok("ec2", "modify-instance-attribute", "--instance-id", iid, "--block-device-mappings",
           mapping("/dev/sdg", True))
    assert delete_on_termination(cli, iid) == {"/dev/sdf": False, "/dev/sdg": True}
    [v] = cli.ok("ec2", "describe-volumes", "--volume-ids", attached)["Volumes"]
    assert v["Attachments"][0]["DeleteOnTermination"] is True, v

    cli.ok("ec2", "terminate-instances", "--instance-ids", iid)
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid], WaiterConfig=FAST_WAIT)
    ec2.get_waiter("volume_deleted").wait(VolumeIds=[attached], WaiterConfig=FAST_WAIT)
    ec2.get_waiter("volume_available").wait(VolumeIds=[mapped["/dev/sdf"]],
                                            WaiterConfig=FAST_WAIT)
    cli.fails("IncorrectInstanceState", "ec2", "modify-instance-attribute", "--instance-id", iid,
              "--block-device-mappings", mapping("/dev/sdf", True))
    ec2.delete_volume(VolumeId=mapped["/dev/sdf"])


def test_describe_instance_attribute(cli, ec2, image_id):
    user_data = "#!/bin/sh\necho hello\n"
    [inst] = cli.ok("ec2", "run-instances", "--image-id", image_id, "--instance-type", "t3.nano",
                    "--user-data", user_data, "--block-device-mappings",
                    "DeviceName=/dev/sdf,Ebs={VolumeSize=1}")["Instances"]
    iid = inst["InstanceId"]
    plain = ec2.run_instances(ImageId=image_id, InstanceType="t3.nano", MinCount=1,
                              MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid, plain], WaiterConfig=FAST_WAIT)

    def attr(name, instance=iid):
        out = cli.ok("ec2", "describe-instance-attribute", "--instance-id", instance,
                     "--attribute", name)
        assert out["InstanceId"] == instance
        return out

    assert attr("instanceType")["InstanceType"] == {"Value": "t3.nano"}
    assert attr("rootDeviceName")["RootDeviceName"] == {"Value": "/dev/vda"}
    # The CLI shows user-data as EC2 sends it: base64.
    assert base64.b64decode(attr("userData")["UserData"]["Value"]).decode() == user_data
    assert "Value" not in attr("userData", plain).get("UserData", {})
    [device] = attr("blockDeviceMapping")["BlockDeviceMappings"]
    assert device["DeviceName"] == "/dev/sdf" and device["Ebs"]["VolumeId"].startswith("vol-")
    groups = attr("groupSet")["Groups"]
    assert [g["GroupName"] for g in groups] == ["default"]
    assert attr("disableApiTermination")["DisableApiTermination"] == {"Value": False}
    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    assert attr("instanceInitiatedShutdownBehavior")[
        "InstanceInitiatedShutdownBehavior"] == {"Value": "stop"}
    cli.fails("InvalidParameterValue", "ec2", "describe-instance-attribute", "--instance-id",
              iid, "--attribute", "bogus")
    cli.fails("InvalidInstanceID.NotFound", "ec2", "describe-instance-attribute",
              "--instance-id", "i-00000000000000000", "--attribute", "instanceType")
    ec2.terminate_instances(InstanceIds=[iid, plain])

"""The aws CLI v2 drives a real guest under QEMU (TCG) through the EC2 Query API: launch,
`wait instance-running`, the guest's own readiness line in get-console-output, a graceful
stop observed by `wait instance-stopped`, terminate. The module's vm_cloud teardown proves no
QEMU process or VM file is left."""

from conftest import BOOT_TIMEOUT, READY_LINE, new_tenant, wait_for
from ec2_support import boto3_ec2, cli_for


def test_aws_cli_runs_a_real_guest(cloud, image):
    tenant = new_tenant(cloud.admin)
    cli = cli_for(cloud.endpoint, tenant)
    ec2 = boto3_ec2(cloud.endpoint, tenant)
    run = cli.ok("ec2", "run-instances", "--image-id", image, "--instance-type", "mv1.small",
                 "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=real}]")
    iid = run["Instances"][0]["InstanceId"]
    cli.ok("ec2", "wait", "instance-running", "--instance-ids", iid, timeout=650)
    assert cloud.qemu_pid(iid), "running, yet no QEMU process"
    # The guest prints its readiness line once booted; the API shows it base64-encoded.
    wait_for(lambda: READY_LINE.search(ec2.get_console_output(InstanceId=iid).get("Output", "")),
             BOOT_TIMEOUT, interval=1.0, message=f"STRATO-READY of {iid}")
    console = cli.ok("ec2", "get-console-output", "--instance-id", iid)
    assert READY_LINE.search(console["Output"]).group(1) == iid

    stop = cli.ok("ec2", "stop-instances", "--instance-ids", iid)["StoppingInstances"][0]
    assert stop["PreviousState"]["Name"] == "running"
    cli.ok("ec2", "wait", "instance-stopped", "--instance-ids", iid, timeout=650)
    assert cloud.qemu_pid(iid) is None, "stopped, yet its QEMU still runs"
    cli.ok("ec2", "terminate-instances", "--instance-ids", iid)
    cli.ok("ec2", "wait", "instance-terminated", "--instance-ids", iid, timeout=650)

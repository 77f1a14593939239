"""Bad input and failures on a real qemu host: what is refused up front creates nothing,
what fails on the host ends as a readable state_reason with the capacity given back."""

import pytest

from conftest import default_image_id, random_id


def assert_nothing_created(cloud, before):
    assert cloud.admin.instances() == before
    assert not (cloud.vms_root.exists() and any(cloud.vms_root.iterdir()))
    assert not cloud.qemu_processes()


def test_unknown_image_is_not_found(cloud):
    before = cloud.admin.instances()
    r = cloud.admin.request("POST", "/v1/instances",
                            {"image_id": random_id("ami"), "instance_type": "t3.nano"})
    assert (r.status, r.code) == (404, "InvalidAMIID.NotFound"), r
    assert_nothing_created(cloud, before)


def test_type_larger_than_the_host_is_refused(cloud, image):
    host = cloud.qemu_host
    types = cloud.admin.ok("GET", "/v1/instance-types")["instance_types"]
    too_big = sorted((t for t in types if t["memory_mib"] > host["memory_mib"]),
                     key=lambda t: t["memory_mib"])
    if not too_big:
        pytest.skip(f"every instance type fits this host's {host['memory_mib']} MiB")
    before = cloud.admin.instances()
    r = cloud.admin.request("POST", "/v1/instances",
                            {"image_id": image, "instance_type": too_big[0]["name"]})
    assert (r.status, r.code) == (400, "InsufficientInstanceCapacity"), r
    assert too_big[0]["name"] in r.message
    assert_nothing_created(cloud, before)


def test_disabled_host_takes_no_launch(cloud, image):
    host = cloud.qemu_host
    before = cloud.admin.instances()
    assert cloud.admin.ok("POST", f"/v1/hosts/{host['id']}/disable")["enabled"] is False
    try:
        r = cloud.admin.request("POST", "/v1/instances",
                                {"image_id": image, "instance_type": "mv1.nano"})
        assert (r.status, r.code) == (400, "InsufficientInstanceCapacity"), r
        assert_nothing_created(cloud, before)
    finally:
        assert cloud.admin.ok("POST", f"/v1/hosts/{host['id']}/enable")["enabled"] is True


def test_actions_on_a_terminated_instance_conflict(cloud, image):
    [inst] = cloud.admin.run(instance_type="mv1.nano", image_id=image)
    iid = inst["id"]
    cloud.wait_state(iid, "running")
    pid = cloud.wait_qemu_pid(iid)
    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    term = cloud.wait_state(iid, "terminated")
    assert not cloud.vm_dir(iid).exists() and pid not in cloud.qemu_processes()

    for action in ("start", "reboot", "stop"):
        r = cloud.admin.request("POST", f"/v1/instances/{iid}/{action}")
        assert (r.status, r.code) == (409, "IncorrectInstanceState"), (action, r)
    # Repeating the terminate is a no-op success, as in EC2.
    assert cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")["state"] == "terminated"
    assert cloud.admin.instance(iid) == term
    assert not cloud.vm_dir(iid).exists() and not cloud.qemu_processes()


def test_qemu_that_fails_to_start_leaves_a_stopped_instance(vm_cloud):
    broken = vm_cloud.start("--qemu-binary", "/bin/false")
    image = default_image_id(broken.admin)
    [inst] = broken.admin.run(instance_type="t3.nano", image_id=image)
    stopped = broken.wait_state(inst["id"], "stopped")
    assert "QEMU failed to start" in stopped["state_reason"], stopped
    assert stopped["host_id"] is None and stopped["desired_state"] == "stopped"
    host = broken.qemu_host
    assert (host["allocated_memory_mib"], host["allocated_vcpus"], host["instance_count"]) == \
        (0, 0, 0), host

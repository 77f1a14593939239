"""The serial console as a root shell (stratod --guest-console-shell): the way tests and
operators run commands inside a guest that has no network."""
from conftest import require_guest

require_guest()


def test_commands_run_in_the_guest_and_report_their_status(cloud, image):
    iid = cloud.admin.ok("POST", "/v1/instances",
                         {"image_id": image, "instance_type": "mv1.small"})["instances"][0]["id"]
    cloud.wait_state(iid, "running")
    status, out = cloud.guest_run(iid, "cat /run/strato/id")
    assert (status, out) == (0, iid)
    with cloud.guest_shell(iid) as sh:
        assert sh.run("echo hello > /tmp/f; cat /tmp/f") == (0, "hello")
        assert sh.run("false")[0] == 1
        status, out = sh.run("ls /nonexistent")
        assert status != 0 and "nonexistent" in out
    cloud.admin.ok("POST", f"/v1/instances/{iid}/terminate")
    cloud.wait_state(iid, "terminated")

"""Elastic IPs on a real guest (TCG): from a client namespace attached to the host's public
bridge the guest answers at its public address, its outbound connections arrive from that
address, and after disassociation nothing reaches it any more. The client namespace is
created and removed here; traffic never leaves Strato's and the test's namespaces."""

import subprocess
import textwrap

import pytest

from conftest import public_client_namespace, wait_for

CLIENT_IP = "198.51.100.2"
PEER_SERVER = textwrap.dedent("""
    import http.server, sys
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ("peer=" + self.client_address[0]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    http.server.HTTPServer((sys.argv[1], 9000), H).serve_forever()
""")


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=60)


@pytest.fixture(scope="module")
def guest(cloud, image):
    api = cloud.admin
    gid = api.ok("POST", "/v1/security-groups", {"name": "public-web"}, expect=(201,))["id"]
    api.ok("POST", f"/v1/security-groups/{gid}/authorize-ingress", {"rules": [
        {"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr": "0.0.0.0/0"},
        {"protocol": "icmp", "cidr": "198.51.100.0/24"}]})
    inst = api.run(image_id=image, security_group_ids=[gid])[0]
    cloud.wait_ready(inst["id"])
    status, out = cloud.guest_run(
        inst["id"], "(for i in $(seq 1 60); do ip -4 -o addr | grep -q ' "
                    f"{inst['private_ip']}/' && exit 0; sleep 1; done; exit 1) && "
                    "mkdir -p /tmp/w && echo served-public > /tmp/w/index.html && "
                    "httpd -p 8080 -h /tmp/w", timeout=80)
    assert status == 0, out
    return inst


@pytest.fixture(scope="module")
def client(cloud, guest):
    """A namespace on the public bridge with CLIENT_IP, serving PEER_SERVER on :9000."""
    with public_client_namespace(cloud, CLIENT_IP, "sgtest") as ns:
        server = subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", PEER_SERVER,
                                   CLIENT_IP], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            yield ns
        finally:
            server.kill()
            server.wait()


def from_client(ns, url):
    p = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "-m", "4", url],
                       capture_output=True, text=True, timeout=30)
    return p.stdout if p.returncode == 0 else None


def guest_fetch(cloud, iid, url):
    status, out = cloud.guest_run(iid, f"timeout 4 wget -q -O - {url}", timeout=30)
    return out if status == 0 else None


def test_public_ip_reachability_and_release(cloud, guest, client):
    api = cloud.admin
    eip = api.ok("POST", "/v1/addresses", expect=(201,))
    url = f"http://{eip['public_ip']}:8080/"
    # Unassociated: the address answers nothing.
    assert from_client(client, url) is None
    api.ok("POST", f"/v1/addresses/{eip['id']}/associate", {"instance_id": guest["id"]})
    wait_for(lambda: (from_client(client, url) or "").count("served-public"), 60.0,
             interval=0.5, message="the guest to answer at its public address")
    assert sh("ip", "netns", "exec", client, "busybox", "ping", "-c", "1", "-W", "2",
              eip["public_ip"], check=False).returncode == 0
    # Outbound connections leave with the public address.
    out = wait_for(lambda: guest_fetch(cloud, guest["id"], f"http://{CLIENT_IP}:9000/"), 30.0,
                   interval=0.5, message="the guest to reach the public client")
    assert out.strip() == f"peer={eip['public_ip']}"
    # A port the group does not open stays closed even at the public address.
    assert from_client(client, f"http://{eip['public_ip']}:8081/") is None

    api.ok("POST", f"/v1/addresses/{eip['id']}/disassociate")
    wait_for(lambda: from_client(client, url) is None, 30.0, interval=0.5,
             message="the public address to stop answering")
    assert guest_fetch(cloud, guest["id"], f"http://{CLIENT_IP}:9000/") is None
    api.ok("DELETE", f"/v1/addresses/{eip['id']}", expect=(204,))
    assert all(a["id"] != eip["id"] for a in api.ok("GET", "/v1/addresses")["addresses"])
    assert from_client(client, url) is None

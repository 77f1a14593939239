"""Fixtures for Strato's integration tests: real stratod processes over loopback HTTP.

Binaries: $STRATOD and $STRATO_CLI, else <repo>/$STRATO_BUILD_DIR/src/{daemon/stratod,cli/strato}
with STRATO_BUILD_DIR defaulting to build/debug. Every request is signed with botocore's own
SigV4 implementation, independent of the daemon's.
"""

import configparser
import contextlib
import datetime
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import types
import urllib.parse
import warnings
from pathlib import Path
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import pytest

REPO = Path(__file__).resolve().parent.parent
_build = Path(os.environ.get("STRATO_BUILD_DIR", "build/debug"))
BUILD_DIR = _build if _build.is_absolute() else REPO / _build
STRATOD = os.environ.get("STRATOD", str(BUILD_DIR / "src/daemon/stratod"))
STRATO_CLI = os.environ.get("STRATO_CLI", str(BUILD_DIR / "src/cli/strato"))

SERVICE = "strato"
REGION = "strato-1"

# Every stratod the tests start, so the session can prove none outlives it.
_STARTED = []
_STARTED_LOCK = threading.Lock()
_HOST_NET_PREFIXES = set()  # "strato-<host id>-" of every qemu host this session ran


# ---------------------------------------------------------------- polling


def wait_for(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}; last={last!r}")
        time.sleep(interval)


def random_id(prefix):
    """A well-formed resource id that (with overwhelming probability) names nothing."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def unique(name):
    return f"{name}-{secrets.token_hex(4)}"


# ---------------------------------------------------------------- HTTP client


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    @property
    def message(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("message")
        return None

    def __repr__(self):
        return f"<Response {self.status} {self.body[:500]!r}>"


def _fake_datetime_module(offset):
    real = datetime.datetime

    class Shifted(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + offset

    return types.SimpleNamespace(datetime=Shifted)


def encode_query(query):
    """AWS-style query encoding (RFC 3986 unreserved kept), from a dict or list of pairs."""
    if not query:
        return ""
    pairs = query.items() if isinstance(query, dict) else query
    return urllib.parse.urlencode(list(pairs), quote_via=urllib.parse.quote, safe="-_.~")


def raw_http(port, method, target, body=b"", headers=None, timeout=30):
    """One request on a fresh connection; returns a Response."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


class Api:
    """A signed-JSON client for one access key. `endpoint` may be a callable (restarts)."""

    def __init__(self, endpoint, access_key_id, secret_access_key, region=REGION, service=SERVICE):
        self._endpoint = endpoint
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.region = region
        self.service = service

    @property
    def endpoint(self):
        return self._endpoint() if callable(self._endpoint) else self._endpoint

    @property
    def port(self):
        return urllib.parse.urlsplit(self.endpoint).port

    def with_key(self, access_key_id, secret_access_key):
        return Api(self._endpoint, access_key_id, secret_access_key, self.region, self.service)

    def signed_headers(self, method, target, body=b"", headers=None, clock_offset=None,
                       region=None, service=None):
        """Signs with botocore; returns the headers to send."""
        url = self.endpoint + target
        req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        signer = botocore.auth.SigV4Auth(
            Credentials(self.access_key_id, self.secret_access_key),
            service or self.service, region or self.region)
        if clock_offset is None:
            signer.add_auth(req)
        else:
            with mock.patch.object(botocore.auth, "datetime", _fake_datetime_module(clock_offset)):
                signer.add_auth(req)
        return {k: v for k, v in req.headers.items()}

    def request(self, method, path, body=None, query=None, headers=None, raw_body=None,
                sign=True, tamper=None, clock_offset=None, region=None, service=None):
        """Sends one request. `body` is JSON-encoded; `raw_body` is sent as is. `tamper`
        receives the signed headers dict and may change it before sending."""
        if raw_body is not None:
            data = raw_body if isinstance(raw_body, bytes) else raw_body.encode()
        elif body is not None:
            data = json.dumps(body).encode()
        else:
            data = b""
        hdrs = dict(headers or {})
        if data and not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/json"
        qs = encode_query(query)
        target = path + ("?" + qs if qs else "")
        if sign:
            hdrs = self.signed_headers(method, target, data, hdrs, clock_offset, region, service)
        if tamper:
            tamper(hdrs)
        return raw_http(self.port, method, target, data, hdrs)

    def call(self, method, path, body=None, query=None):
        r = self.request(method, path, body=body, query=query)
        return r.status, r.json

    # ---- conveniences that assert success ----

    def ok(self, method, path, body=None, query=None, expect=(200, 201, 202, 204)):
        r = self.request(method, path, body=body, query=query)
        assert r.status in expect, f"{method} {path} {body!r} -> {r!r}"
        return r.json

    def instance(self, iid):
        return self.ok("GET", f"/v1/instances/{iid}")

    def list_all(self, path, collection, query=None, page_size=1000):
        q = dict(query or {})
        q["page_size"] = page_size
        out = []
        while True:
            page = self.ok("GET", path, query=q)
            out.extend(page[collection])
            if "next_token" not in page:
                return out
            q["next_token"] = page["next_token"]

    def instances(self, query=None):
        return self.list_all("/v1/instances", "instances", query)

    def run(self, count=1, instance_type="t3.micro", image_id=None, **extra):
        body = {"image_id": image_id or default_image_id(self), "instance_type": instance_type,
                "count": count}
        body.update(extra)
        return self.ok("POST", "/v1/instances", body, expect=(202,))["instances"]

    def wait_state(self, iid, state, timeout=10.0):
        return wait_for(lambda: (lambda i: i if i["state"] == state else None)(self.instance(iid)),
                        timeout, message=f"{iid} to be {state}")

    def wait_states(self, ids, state, timeout=10.0):
        for iid in ids:
            self.wait_state(iid, state, timeout)


def default_image_id(api):
    images = api.ok("GET", "/v1/images")["images"]
    ids = [i["id"] for i in images if i["name"] == "strato-guest" and i["public"]]
    assert ids, f"no public strato-guest image in {images}"
    return ids[0]


class Tenant:
    """A tenant with one member user and its Api."""

    def __init__(self, tenant, user, key, api):
        self.id = tenant["id"]
        self.name = tenant["name"]
        self.user_id = user["id"]
        self.access_key_id = key["access_key_id"]
        self.api = api


def new_tenant(admin, name=None):
    tenant = admin.ok("POST", "/v1/tenants", {"name": name or unique("tenant")}, expect=(201,))
    user = admin.ok("POST", "/v1/users",
                    {"name": unique("user"), "tenant_id": tenant["id"], "role": "member"},
                    expect=(201,))
    key = admin.ok("POST", f"/v1/users/{user['id']}/access-keys", expect=(201,))
    return Tenant(tenant, user, key, admin.with_key(key["access_key_id"], key["secret_access_key"]))


def add_sim_hosts(admin, count, vcpus, memory_mib, cpu_ratio=None, **extra):
    """Registers sim hosts (one POST /v1/hosts each when cpu_ratio is given, so the ratio is
    explicit; else POST /v1/hosts/sim in bulk). Returns the host ids."""
    if cpu_ratio is not None:
        ids = []
        for _ in range(count):
            body = {"name": unique("sim"), "driver": "sim", "vcpus": vcpus,
                    "memory_mib": memory_mib, "cpu_ratio": cpu_ratio}
            body.update(extra)
            ids.append(admin.ok("POST", "/v1/hosts", body, expect=(201,))["id"])
        return ids
    body = {"count": count, "vcpus": vcpus, "memory_mib": memory_mib}
    body.update(extra)
    return admin.ok("POST", "/v1/hosts/sim", body, expect=(201,))["hosts"]


# ---------------------------------------------------------------- stratod


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stratod:
    """One stratod process on a private data dir; restartable on the same dir and port."""

    def __init__(self, root, extra_args=()):
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.log_path = self.root / "stratod.log"
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.admin = None
        self.credentials = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=20.0):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        endpoint_file = self.data_dir / "endpoint"
        if endpoint_file.exists():
            endpoint_file.unlink()
        listen = f"127.0.0.1:{self.port}" if self.port else "127.0.0.1:0"
        args = self.command_line(listen)
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        with _STARTED_LOCK:
            _STARTED.append(self.proc)

        def endpoint_written():
            if self.proc.poll() is not None:
                raise AssertionError(f"stratod exited with {self.proc.returncode}:\n{self.log()}")
            try:
                text = endpoint_file.read_text()
            except FileNotFoundError:
                return None
            return text if text.endswith("\n") else None

        text = wait_for(endpoint_written, timeout, message="stratod's endpoint file")
        self.port = urllib.parse.urlsplit(text.strip()).port
        wait_for(self._healthy, timeout, message="GET /healthz")
        self._read_credentials()
        return self

    def command_line(self, listen):
        """The daemon's argv; subclasses choose other defaults (the flags take one value)."""
        return [STRATOD, "--data-dir", str(self.data_dir), "--listen", listen,
                "--local-host", "none", "--resync-interval-ms", "500", "--no-access-log",
                *self.extra_args]

    def _healthy(self):
        try:
            r = raw_http(self.port, "GET", "/healthz", timeout=2)
            return r.status == 200 and r.json == {"status": "ok"}
        except OSError:
            return False

    def _read_credentials(self):
        cp = configparser.ConfigParser()
        cp.read(self.data_dir / "credentials")
        d = cp["default"]
        self.credentials = dict(d)
        assert d["region"] == REGION
        assert d["endpoint_url"] == self.endpoint, (d["endpoint_url"], self.endpoint)
        self.admin = Api(lambda: self.endpoint, d["aws_access_key_id"], d["aws_secret_access_key"])

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20.0):
        """SIGTERM and wait; returns the exit code."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill9(self):
        if self.running():
            self.proc.kill()
        return self.proc.wait(10)

    def restart(self, graceful=True):
        if graceful:
            assert self.stop() == 0, self.log()
        else:
            self.kill9()
        return self.start()

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def _require_stratod():
    # A missing daemon is a broken setup, not a reason to skip the whole suite quietly.
    if not os.access(STRATOD, os.X_OK):
        pytest.fail(f"stratod not built at {STRATOD}: build it, or set STRATO_BUILD_DIR "
                    "(e.g. build/debug) or STRATOD", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def no_stratod_survives():
    """Every daemon fixture depends on this, so it is torn down after all of them. It also
    removes namespaces of this session's hosts that appeared after their module's teardown
    checked for leaks (that check fails on the ones it sees), naming them in a warning."""
    yield
    with _STARTED_LOCK:
        survivors = [p for p in _STARTED if p.poll() is None]
    for p in survivors:
        p.kill()
        p.wait(10)
    strays = sorted(ns for prefix in _HOST_NET_PREFIXES for ns in host_namespaces(prefix))
    for prefix in _HOST_NET_PREFIXES:
        remove_host_namespaces(prefix)
    if strays:
        warnings.warn(f"host namespaces left behind after the suite, removed: {strays}")
    assert not survivors, f"stratod process(es) still running: {[p.args for p in survivors]}"


@pytest.fixture
def make_stratod(no_stratod_survives):
    """Factory for function-scoped daemons: make_stratod(*extra_args) -> started Stratod."""
    _require_stratod()
    made = []

    def factory(*extra_args, start=True):
        root = tempfile.mkdtemp(prefix="strato-itest-")
        d = Stratod(root, extra_args)
        made.append(d)
        return d.start() if start else d

    yield factory
    for d in made:
        d.cleanup()
        shutil.rmtree(d.root, ignore_errors=True)


@pytest.fixture
def stratod(make_stratod):
    return make_stratod()


@pytest.fixture(scope="session")
def shared_stratod(no_stratod_survives):
    """One daemon for the tests that only need independence via their own tenants, with
    four roomy sim hosts so nothing they launch waits for capacity."""
    _require_stratod()
    root = tempfile.mkdtemp(prefix="strato-itest-shared-")
    d = Stratod(root)
    try:
        d.start()
        add_sim_hosts(d.admin, 4, vcpus=256, memory_mib=1 << 20)
        yield d
    finally:
        d.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def admin(shared_stratod):
    return shared_stratod.admin


@pytest.fixture
def tenant(admin):
    """A fresh member tenant on the shared daemon."""
    return new_tenant(admin)


@pytest.fixture
def image_id(admin):
    return default_image_id(admin)


# ---------------------------------------------------------------- real VMs (QEMU, TCG)

_guest = Path(os.environ.get("STRATO_GUEST_DIR", "build/guest"))
GUEST_DIR = _guest if _guest.is_absolute() else REPO / _guest

# A complete readiness line (the UART writes byte by byte: never match a partial one).
# Not anchored at ^: after a reboot the console shell's last prompt precedes it on its line.
READY_LINE = re.compile(r"STRATO-READY (i-[0-9a-f]{17})\r?\n", re.M)
# Generous: TCG boots take 4-8 s alone, several times that beside parallel builds.
BOOT_TIMEOUT = 120.0
VM_STATE_TIMEOUT = 60.0


def require_guest():
    """Skips the calling module when the guest image is not built (CI builds it first)."""
    missing = [f for f in ("vmlinux", "initrd.img") if not (GUEST_DIR / f).is_file()]
    if missing:
        pytest.skip(f"guest image not built: {', '.join(missing)} missing in {GUEST_DIR} (run "
                    f"guest/build.sh {GUEST_DIR}, or set STRATO_GUEST_DIR)",
                    allow_module_level=True)


def processes_matching(needle):
    """{pid: command line} of every live process whose command line contains `needle`."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmd:
            out[int(entry.name)] = cmd
    return out


def pid_runs(pid, needle):
    """True while `pid` is alive with `needle` in its command line (a reused pid is not it)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    cmd = cmd.replace(b"\0", b" ").decode(errors="replace")
    return needle in cmd


def qmp(socket_path, *commands, timeout=10.0):
    """Runs QMP commands (names, or {"execute":…} dicts) on a unix socket after the
    capabilities handshake; returns their replies. Events in between are skipped."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(socket_path))
        f = s.makefile("rwb")
        greeting = json.loads(f.readline())
        assert "QMP" in greeting, greeting
        replies = []
        for cmd in [{"execute": "qmp_capabilities"}, *commands]:
            msg = cmd if isinstance(cmd, dict) else {"execute": cmd}
            f.write(json.dumps(msg).encode() + b"\n")
            f.flush()
            while True:
                line = f.readline()
                if not line:
                    raise AssertionError(f"QMP socket {socket_path} closed during {msg}")
                reply = json.loads(line)
                if "return" in reply or "error" in reply:
                    break
            replies.append(reply)
        return replies[1:]


class SerialLog:
    """A VM's serial log read through one descriptor opened while the VM runs: what the
    guest wrote stays readable after the VM's directory is removed (the inode lives on)."""

    def __init__(self, path):
        self._file = open(path, "rb")
        self._data = b""

    def text(self):
        self._data += self._file.read()
        return self._data.decode(errors="replace")

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class GuestShell:
    """The guest's root shell on its serial console (stratod --guest-console-shell: the
    guest image runs `sh` on ttyS0). run() sends one command line and reads up to an end
    marker the shell computes, so the echo of the typed line never matches it."""

    def __init__(self, socket_path):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.connect(str(socket_path))
        self._count = 0

    def run(self, command, timeout=60.0):
        self._count += 1
        n = self._count
        # $((…)) is expanded by the guest: the markers exist only in the shell's output,
        # never in the echo of the typed line (which line editing may also redraw).
        line = (f"echo __STRATO_BEGIN_$(({n}+0))__; {command}; "
                f"echo \"__STRATO_END_$(({n}+0))_$?__\"\n")
        begin = re.compile(rf"__STRATO_BEGIN_{n}__\r?\n".encode())
        end = re.compile(rf"__STRATO_END_{n}_(\d+)__\r?\n".encode())
        self._sock.sendall(line.encode())
        data = b""
        deadline = time.monotonic() + timeout
        while True:
            b = begin.search(data)
            m = end.search(data, b.end()) if b else None
            if m:
                out = data[b.end():m.start()].decode(errors="replace")
                return int(m.group(1)), out.replace("\r\n", "\n").rstrip("\n")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"guest command timed out: {command!r}; got {data[-500:]!r}")
            self._sock.settimeout(left)
            chunk = self._sock.recv(65536)
            if not chunk:
                raise AssertionError(f"serial socket closed during {command!r}")
            data += chunk

    def close(self):
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class VmStratod(Stratod):
    """A stratod whose local machine is a qemu host running the real guest under TCG."""

    def __init__(self, root, extra_args=(), qemu_args=None):
        super().__init__(root, extra_args)
        self.qemu_args = list(qemu_args if qemu_args is not None else [
            "--guest-dir", str(GUEST_DIR), "--stop-timeout-ms", "15000",
            "--guest-console-shell"])

    def command_line(self, listen):
        return [STRATOD, "--data-dir", str(self.data_dir), "--listen", listen,
                "--local-host", "qemu", "--resync-interval-ms", "1000", "--no-access-log",
                *self.qemu_args, *self.extra_args]

    @property
    def vms_root(self):
        return self.data_dir / "vms"

    def vm_dir(self, iid):
        return self.vms_root / iid

    def qemu_pid(self, iid):
        """The pid of the instance's QEMU from its pid file, checked against /proc."""
        try:
            pid = int((self.vm_dir(iid) / "qemu.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_runs(pid, str(self.vm_dir(iid)) + "/") else None

    def wait_qemu_pid(self, iid, timeout=VM_STATE_TIMEOUT):
        return wait_for(lambda: self.qemu_pid(iid), timeout, interval=0.1,
                        message=f"the QEMU of {iid}")

    def serial_log(self, iid):
        """Opens the running VM's console.log (see SerialLog)."""
        return SerialLog(self.vm_dir(iid) / "console.log")

    def qemu_processes(self):
        return processes_matching(str(self.vms_root) + "/")

    def guest_shell(self, iid):
        """A root shell in the running guest over its serial socket (see GuestShell)."""
        return GuestShell(self.vm_dir(iid) / "serial.sock")

    def guest_run(self, iid, command, timeout=60.0):
        """Runs `command` in the guest; returns (exit status, output). Waits for READY first."""
        self.wait_ready(iid)
        with self.guest_shell(iid) as sh:
            return sh.run(command, timeout)

    @property
    def qemu_host(self):
        hosts = [h for h in self.admin.list_all("/v1/hosts", "hosts") if h["driver"] == "qemu"]
        assert len(hosts) == 1, hosts
        return hosts[0]

    def console(self, iid):
        return self.admin.ok("GET", f"/v1/instances/{iid}/console")["output"]

    def ready_count(self, iid):
        ids = READY_LINE.findall(self.console(iid))
        assert set(ids) <= {iid}, f"another instance's READY line in {iid}'s console: {ids}"
        return len(ids)

    def wait_ready(self, iid, count=1, timeout=BOOT_TIMEOUT):
        """Waits for the `count`-th complete STRATO-READY line of `iid`; returns the console."""
        def ready():
            text = self.console(iid)
            return text if len([i for i in READY_LINE.findall(text) if i == iid]) >= count else None
        return wait_for(ready, timeout, interval=0.25, message=f"STRATO-READY #{count} of {iid}")

    def instance_state(self, iid):
        return self.admin.instance(iid)["state"]

    def wait_state(self, iid, state, timeout=VM_STATE_TIMEOUT):
        return self.admin.wait_state(iid, state, timeout)


def host_namespaces(prefix):
    """The network namespaces a host's data plane owns ("strato-<host id>-…")."""
    try:
        return sorted(n for n in os.listdir("/run/netns") if prefix and n.startswith(prefix))
    except FileNotFoundError:
        return []


@contextlib.contextmanager
def public_client_namespace(cloud, ip, prefix="pubtest"):
    """A namespace of the calling test plugged into the host's public bridge (`bpublic` in
    "strato-<host>-public", made once the host has a VPC data plane) with `ip`/24; yields its
    name and removes it on exit. Traffic from it stays inside Strato's namespaces."""
    public_ns = f"strato-{cloud.qemu_host['id']}-public"
    wait_for(lambda: public_ns in host_namespaces(public_ns), 30.0,
             message="the host's public namespace")
    ns, peer = f"{prefix}-{secrets.token_hex(4)}", f"c{secrets.token_hex(6)}"

    def ip_cmd(*args):
        subprocess.run(["ip", *args], capture_output=True, text=True, check=True, timeout=60)
    ip_cmd("netns", "add", ns)
    try:
        ip_cmd("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", peer,
               "netns", public_ns)
        ip_cmd("-n", public_ns, "link", "set", peer, "master", "bpublic", "up")
        ip_cmd("-n", ns, "addr", "add", ip + "/24", "dev", "eth0")
        ip_cmd("-n", ns, "link", "set", "eth0", "up")
        ip_cmd("-n", ns, "link", "set", "lo", "up")
        yield ns
    finally:
        subprocess.run(["ip", "-n", public_ns, "link", "del", peer], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def remove_host_namespaces(prefix):
    """Safety net after a VM daemon ended: kills what runs in its namespaces (dnsmasq) and
    deletes them. Returns a problem line per namespace that had to be removed."""
    problems = []
    for ns in host_namespaces(prefix):
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        problems.append(f"network namespace {ns} was left behind")
    return problems


class VmCloud:
    """The VmStratods of one test module. close() terminates every instance, then proves
    nothing is left (no QEMU process, no per-VM files), killing stragglers either way."""

    def __init__(self):
        self.daemons = []

    def start(self, *extra_args, qemu_args=None):
        d = VmStratod(tempfile.mkdtemp(prefix="strato-vmtest-"), extra_args, qemu_args)
        self.daemons.append(d)
        return d.start()

    def close(self):
        problems = []
        for d in self.daemons:
            try:
                problems += self._terminate_all_and_check(d)
            except Exception as e:  # noqa: BLE001 - teardown must reach the kill below
                problems.append(f"{d.root}: cleanup failed: {e!r}\n{d.log()}")
            finally:
                d.cleanup()
                problems += remove_host_namespaces(getattr(d, "net_prefix", None))
                if getattr(d, "net_prefix", None):
                    _HOST_NET_PREFIXES.add(d.net_prefix)
                strays = d.qemu_processes()
                for pid in strays:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                if strays:
                    problems.append(f"{d.root}: QEMU processes left after stratod ended: {strays}")
                shutil.rmtree(d.root, ignore_errors=True)
        assert not problems, "\n".join(problems)

    @staticmethod
    def _terminate_all_and_check(d):
        if not d.running():
            d.start()
        live = [i["id"] for i in d.admin.instances() if i["state"] != "terminated"]
        for iid in live:
            d.admin.ok("POST", f"/v1/instances/{iid}/terminate")
        d.admin.wait_states(live, "terminated", timeout=VM_STATE_TIMEOUT)
        terminated = {i["id"] for i in d.admin.instances()}
        d.net_prefix = f"strato-{d.qemu_host['id']}-"

        def leftovers():
            procs = d.qemu_processes()
            files = [str(p) for p in d.vms_root.rglob("*")
                     if p.name in ("qmp.sock", "ops.sock", "console.log", "qemu.pid")]
            dirs = [p.name for p in d.vms_root.iterdir()] if d.vms_root.exists() else []
            return procs, files, dirs, host_namespaces(d.net_prefix)

        # Gone, and still gone a few resync intervals later: a resync the host agent read
        # before the terminations may briefly bring a VPC's namespaces back, and a daemon
        # stopped in that moment would leave them (the next start's reconcile removes them;
        # a test daemon is not started again).
        clean_since = []

        def settled():
            if any(leftovers()):
                clean_since.clear()
                return False
            clean_since.append(time.monotonic())
            return clean_since[-1] - clean_since[0] >= 3.0

        try:
            wait_for(settled, 20.0, interval=0.2,
                     message="every QEMU process, VM directory and namespace to go")
        except AssertionError:
            procs, files, dirs, namespaces = leftovers()
            return [f"{d.root}: after terminating {sorted(terminated)}: QEMU processes {procs}, "
                    f"files {files}, VM directories {dirs}, network namespaces {namespaces}"]
        return []


@pytest.fixture(scope="module")
def vm_cloud(no_stratod_survives):
    """Module-wide factory of qemu-host daemons: vm_cloud.start(*extra_args) -> VmStratod.
    Its teardown is the final leak check of the module's VMs."""
    _require_stratod()
    require_guest()
    cloud = VmCloud()
    yield cloud
    cloud.close()


@pytest.fixture(scope="module")
def vm_stratod(vm_cloud):
    """One qemu-host daemon shared by the tests of a module that stay independent."""
    return vm_cloud.start()


@pytest.fixture(scope="module")
def cloud(vm_stratod):
    """The real-VM tests' shared stratod with a qemu host (one per test module)."""
    return vm_stratod


@pytest.fixture(scope="module")
def image(cloud):
    return default_image_id(cloud.admin)

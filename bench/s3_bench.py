#!/usr/bin/python3
"""S3 and DescribeInstances benchmark (issue 6), every figure measured in the same run:

1. PUT and GET throughput of a 1 GiB object through S3 — boto3 with a single streamed
   PutObject (multipart off) and GetObject streamed to a file, the aws CLI v2 `s3 cp`
   (multipart), and a lean client that costs next to no CPU (SigV4 header, then the body by
   sendfile with UNSIGNED-PAYLOAD, or framed as aws-chunked with 1 MiB chunks; GET spliced
   from the socket into the file), which shows what the server itself can do — against a raw `cp` of the same file on the same disk (then fsync, as
   stratod fsyncs every acknowledged object), and against the MD5 of the same file (every
   single-stream PUT must MD5 each byte for its ETag, on one core: the ceiling for PUT). Runs
   alternate so load from elsewhere hits all alike.
2. stratod's VmRSS, sampled every 50 ms, during a single 5 GiB PutObject: start, peak, end.
3. ops/s for 4 KiB objects, PUT then GET, with 1, 8 and 32 threads (one boto3 client each).
4. DescribeInstances latency through the EC2 Query API with 10,000 instances on sim hosts:
   every page with MaxResults 1000, the whole set in one answer, and two filters.

Exits 0 whether or not a target is met; 1 only when it cannot run. Loopback only.

    bench/s3_bench.py --stratod build/release/src/daemon/stratod
"""
import argparse, concurrent.futures, fcntl, hashlib, http.client, json, os, shutil, signal, socket, statistics
import subprocess, sys, tempfile, threading, time, urllib.parse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

AWS = "/usr/bin/aws"  # Debian's v2; a pip-installed v1 may shadow it on PATH
REGION = "strato-1"
GIB = 1 << 30


class Daemon:
    """A release stratod on a temp data dir, no local host (sim hosts only)."""

    def __init__(self, binary, work):
        self.data = os.path.join(work, "data")
        self.proc = subprocess.Popen(
            [binary, "--data-dir", self.data, "--listen", "127.0.0.1:0", "--local-host", "none",
             "--no-access-log"], stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "stratod.log"), "w"))
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(self.data, "credentials")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("stratod did not start (see stratod.log)")
            time.sleep(0.05)
        time.sleep(0.2)
        cred = {}
        for line in open(os.path.join(self.data, "credentials")):
            if "=" in line:
                k, v = line.split("=", 1)
                cred[k.strip()] = v.strip()
        self.endpoint = cred["endpoint_url"]
        self.admin = Signer(self.endpoint, cred["aws_access_key_id"], cred["aws_secret_access_key"],
                            "strato")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


class Signer:
    """SigV4-signed requests over one keep-alive connection; latency excludes client parsing."""

    def __init__(self, endpoint, key, secret, service):
        self.endpoint, self.service = endpoint, service
        self.key, self.secret = key, secret
        self.creds = Credentials(key, secret)
        self.conn = http.client.HTTPConnection(urllib.parse.urlsplit(endpoint).netloc, timeout=300)

    def raw(self, method, target, body=b"", content_type="application/json"):
        req = AWSRequest(method=method, url=self.endpoint + target, data=body,
                         headers={"Content-Type": content_type} if body else {})
        SigV4Auth(self.creds, self.service, REGION).add_auth(req)
        try:
            self.conn.request(method, target, body=body or None, headers=dict(req.headers.items()))
            r = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed the idle keep-alive connection (its idle timeout): reconnect.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.conn.host, self.conn.port, timeout=300)
            self.conn.request(method, target, body=body or None, headers=dict(req.headers.items()))
            r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {target} -> {r.status} {data[:300]!r}")
        return data

    def json(self, method, path, body=None):
        data = self.raw(method, path, json.dumps(body).encode() if body is not None else b"")
        return json.loads(data or b"{}")


def s3_client(d, key, secret):
    return boto3.client("s3", endpoint_url=d.endpoint, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                      max_pool_connections=4))


class LeanS3:
    """One SigV4-signed S3 request per connection over a raw socket: the body goes by
    sendfile and comes back in 1 MiB reads, so the client adds almost no CPU of its own."""

    def __init__(self, d, key, secret):
        self.endpoint, self.creds = d.endpoint, Credentials(key, secret)
        self.netloc = urllib.parse.urlsplit(d.endpoint).netloc
        host, port = self.netloc.rsplit(":", 1)
        self.address = (host, int(port))

    def _send_header(self, method, path, payload_hash, length=None, extra=None):
        headers = {"X-Amz-Content-SHA256": payload_hash, **(extra or {})}
        if length is not None:
            headers["Content-Length"] = str(length)
        req = AWSRequest(method=method, url=self.endpoint + path, headers=headers)
        SigV4Auth(self.creds, "s3", REGION).add_auth(req)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}"]
        lines += [f"{k}: {v}" for k, v in req.headers.items()]
        sock = socket.create_connection(self.address)
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return sock

    @staticmethod
    def _response(sock):
        r = http.client.HTTPResponse(sock)
        r.begin()
        return r

    def put(self, path, src):
        size = os.path.getsize(src)
        sock = self._send_header("PUT", path, "UNSIGNED-PAYLOAD", size)
        with sock, open(src, "rb") as f:
            sock.sendfile(f)
            r = self._response(sock)
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"lean PUT {path} -> {r.status} {body[:300]!r}")

    def put_chunked(self, path, src, chunk=1 << 20):
        """The same body framed as aws-chunked (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what newer
        SDKs send): "<hex>\r\n<data>\r\n" per chunk, each chunk's data by sendfile."""
        size = os.path.getsize(src)
        full, rest = divmod(size, chunk)
        framed = full * (len(f"{chunk:x}") + 4 + chunk) + (
            len(f"{rest:x}") + 4 + rest if rest else 0) + len(b"0\r\n\r\n")
        sock = self._send_header("PUT", path, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", framed,
                                 {"Content-Encoding": "aws-chunked",
                                  "X-Amz-Decoded-Content-Length": str(size)})
        with sock, open(src, "rb") as f:
            offset = 0
            while offset < size:
                n = min(chunk, size - offset)
                sock.sendall(f"{n:x}\r\n".encode())
                sock.sendfile(f, offset, n)
                sock.sendall(b"\r\n")
                offset += n
            sock.sendall(b"0\r\n\r\n")
            r = self._response(sock)
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"lean chunked PUT {path} -> {r.status} {body[:300]!r}")

    def get(self, path, dst):
        """The body goes socket -> pipe -> file by splice: the kernel moves it into the page
        cache without a pass through user space, as a C client would."""
        sock = self._send_header("GET", path, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        with sock, open(dst, "wb") as f:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError(f"lean GET {path}: connection closed in the header")
                head += chunk
            head, body = head.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            if lines[0].split()[1] != "200":
                raise RuntimeError(f"lean GET {path} -> {lines[0]} {body[:300]!r}")
            fields = dict(l.split(":", 1) for l in lines[1:])
            length = int(next(v for k, v in fields.items() if k.lower() == "content-length"))
            f.write(body)
            f.flush()
            left = length - len(body)
            r, w = os.pipe()
            try:
                fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 1 << 20)
                while left > 0:
                    n = os.splice(sock.fileno(), w, min(left, 1 << 20), flags=os.SPLICE_F_MOVE)
                    if n == 0:
                        raise RuntimeError(f"lean GET {path}: body ended {left} bytes short")
                    left -= n
                    while n:
                        n -= os.splice(r, f.fileno(), n, flags=os.SPLICE_F_MOVE)
            finally:
                os.close(r)
                os.close(w)
            os.fsync(f.fileno())


def aws_env(key, secret):
    return {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true"}


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def large_objects(d, s3, lean, env, work, bucket, rounds):
    """MB/s (MiB) of each way of moving 1 GiB; median over `rounds` alternated runs."""
    src = os.path.join(work, "src-1g")
    with open(src, "wb") as f:  # random bytes: nothing on the path can shortcut zeros
        for _ in range(1024):
            f.write(os.urandom(1 << 20))
    fsync_path(src)
    dst = os.path.join(work, "dst-1g")
    times = {k: [] for k in ("cp", "md5 of the file", "lean put", "lean chunked put", "boto3 put", "aws s3 cp put", "lean get",
                             "boto3 get", "aws s3 cp get")}

    def boto_put():
        with open(src, "rb") as f:
            s3.put_object(Bucket=bucket, Key="big", Body=f, ContentLength=GIB)

    def boto_get():
        body = s3.get_object(Bucket=bucket, Key="big")["Body"]
        with open(dst, "wb") as f:
            for chunk in body.iter_chunks(1 << 20):
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())

    def aws(*args):
        subprocess.run([AWS, "s3", "cp", "--only-show-errors", *args, "--endpoint-url",
                        d.endpoint], env=env, check=True, timeout=600)

    def aws_get():
        aws(f"s3://{bucket}/big-cli", dst)
        fsync_path(dst)

    def settle():
        # This disk is mounted with `discard`: freeing a 1 GiB file trims it at the next
        # journal commit, which the next fsync would pay. Commit before every timed step, so
        # that no step pays for the one before.
        os.sync()

    def drop(*keys):
        for key in keys:
            s3.delete_object(Bucket=bucket, Key=key)
        settle()

    for _ in range(rounds):
        settle()
        times["cp"].append(timed(lambda: (subprocess.run(["cp", src, dst], check=True),
                                          fsync_path(dst))))
        os.unlink(dst)
        settle()
        # What no single-stream PUT can beat: the server must MD5 every byte for the ETag.
        times["md5 of the file"].append(timed(lambda: file_md5(src)))
        times["lean chunked put"].append(
            timed(lambda: lean.put_chunked(f"/{bucket}/big-chunked", src)))
        drop("big-chunked")
        times["lean put"].append(timed(lambda: lean.put(f"/{bucket}/big-lean", src)))
        times["lean get"].append(timed(lambda: lean.get(f"/{bucket}/big-lean", dst)))
        os.unlink(dst)
        drop("big-lean")
        times["boto3 put"].append(timed(boto_put))
        times["aws s3 cp put"].append(timed(lambda: aws(src, f"s3://{bucket}/big-cli")))
        times["boto3 get"].append(timed(boto_get))
        os.unlink(dst)
        settle()
        times["aws s3 cp get"].append(timed(aws_get))
        os.unlink(dst)
        drop("big", "big-cli")
    os.unlink(src)
    return {k: (statistics.median(v), v) for k, v in times.items()}


def rss_during_5g_put(d, s3, work, bucket):
    """(start, peak, end KiB, seconds) of stratod's VmRSS around one 5 GiB PutObject."""
    src = os.path.join(work, "src-5g")
    with open(src, "wb") as f:
        f.truncate(5 * GIB)  # sparse: the client reads it fast, stratod still writes 5 GiB
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(rss_kib(d.proc.pid))
            stop.wait(0.05)

    start = rss_kib(d.proc.pid)
    t = threading.Thread(target=sample)
    t.start()
    try:
        t0 = time.monotonic()
        with open(src, "rb") as f:
            s3.put_object(Bucket=bucket, Key="five", Body=f, ContentLength=5 * GIB)
        seconds = time.monotonic() - t0
    finally:
        stop.set()
        t.join()
        os.unlink(src)
    end = rss_kib(d.proc.pid)
    size = s3.head_object(Bucket=bucket, Key="five")["ContentLength"]
    s3.delete_object(Bucket=bucket, Key="five")
    if size != 5 * GIB:
        raise RuntimeError(f"5 GiB object stored as {size} bytes")
    return start, max(samples + [start, end]), end, seconds, len(samples)


def small_objects(d, key, secret, bucket, threads, seconds):
    """(PUT ops/s, GET ops/s, PUT p50/p99 ms, GET p50/p99 ms) with `threads` clients."""
    body = os.urandom(4096)
    clients = [s3_client(d, key, secret) for _ in range(threads)]
    for c in clients:  # open the connection before timing
        c.head_bucket(Bucket=bucket)

    def run(i, op, keys, deadline):
        c, lat, done = clients[i], [], []
        n = 0
        while time.monotonic() < deadline and (keys is None or n < len(keys)):
            t0 = time.monotonic()
            if op == "put":
                k = f"c{threads}/t{i}/{n}"
                c.put_object(Bucket=bucket, Key=k, Body=body)
                done.append(k)
            else:
                data = c.get_object(Bucket=bucket, Key=keys[n])["Body"].read()
                if len(data) != 4096:
                    raise RuntimeError("short GET")
            lat.append(time.monotonic() - t0)
            n += 1
        return lat, done

    out = {}
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        t0 = time.monotonic()
        res = list(pool.map(lambda i: run(i, "put", None, t0 + seconds), range(threads)))
        put_wall = time.monotonic() - t0
        keys = [r[1] for r in res]
        t0 = time.monotonic()
        got = list(pool.map(lambda i: run(i, "get", keys[i], t0 + seconds), range(threads)))
        get_wall = time.monotonic() - t0
    for name, results, wall in (("put", res, put_wall), ("get", got, get_wall)):
        lat = sorted(x for r in results for x in r[0])
        out[name] = (len(lat) / wall, pct(lat, 50) * 1000, pct(lat, 99) * 1000, len(lat))
    dele = clients[0]
    flat = [k for ks in keys for k in ks]
    for i in range(0, len(flat), 1000):
        dele.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in flat[i:i + 1000]],
                                                   "Quiet": True})
    return out


def pct(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, -(-p * len(sorted_values) // 100) - 1))
    return sorted_values[int(k)]


def metric(endpoint, name):
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(endpoint).netloc, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def describe_instances(d, tenant_api, ec2, n, rounds):
    """Latency lists (seconds) per DescribeInstances query shape, n instances stored."""
    image = [i for i in tenant_api.json("GET", "/v1/images")["images"]
             if i["name"] == "strato-guest" and i["public"]][0]["id"]
    d.admin.json("POST", "/v1/hosts/sim", {"count": max(10, n // 100), "vcpus": 256,
                                           "memory_mib": 1 << 20})
    t0 = time.monotonic()
    for b in range(0, n, 1000):
        tenant_api.json("POST", "/v1/instances",
                        {"image_id": image, "instance_type": "t3.micro", "count": min(1000, n - b),
                         "tags": {"group": f"g{b // 1000}"}})
    launch = time.monotonic() - t0
    deadline = time.monotonic() + 600
    while metric(d.endpoint, 'strato_instances{state="running"}') < n:
        if time.monotonic() > deadline:
            raise RuntimeError("instances never all running")
        time.sleep(0.5)
    running = time.monotonic() - t0

    def query(params):
        body = urllib.parse.urlencode({"Action": "DescribeInstances", "Version": "2016-11-15",
                                       **params}).encode()
        t = time.monotonic()
        data = ec2.raw("POST", "/", body, "application/x-www-form-urlencoded; charset=utf-8")
        return time.monotonic() - t, data

    def pages(params):
        lat, count, token = [], 0, None
        while True:
            p = dict(params, **({"NextToken": token} if token else {}))
            s, data = query(p)
            lat.append(s)
            count += data.count(b"<instanceId>")
            token = extract(data, b"nextToken")
            if not token:
                return lat, count

    shapes = {
        "MaxResults=1000, every page": {"MaxResults": "1000"},
        "filter instance-state-name=running, MaxResults=1000": {
            "MaxResults": "1000", "Filter.1.Name": "instance-state-name",
            "Filter.1.Value.1": "running"},
        "filter tag:group=g3 (1,000 match)": {"Filter.1.Name": "tag:group",
                                              "Filter.1.Value.1": "g3"},
        "no MaxResults (all in one answer)": {},
    }
    results = {}
    for name, params in shapes.items():
        lat, counts = [], set()
        reps = rounds if "every page" in name or "running" in name else rounds * 3
        if "one answer" in name:
            reps = max(5, rounds)
        for _ in range(reps):
            l, c = pages(params)
            lat += l
            counts.add(c)
        results[name] = (sorted(lat), counts)
    # The same pages through boto3, parsing included: what a script sees.
    boto = []
    for _ in range(1):
        token = None
        while True:
            t = time.monotonic()
            r = boto3_ec2(d, ec2).describe_instances(MaxResults=1000, **({"NextToken": token} if token else {}))
            boto.append(time.monotonic() - t)
            token = r.get("NextToken")
            if not token:
                break
    results["boto3 describe_instances, MaxResults=1000 (client parse included)"] = (sorted(boto), set())
    return launch, running, results


_boto_ec2 = {}


def boto3_ec2(d, signer):
    if "c" not in _boto_ec2:
        _boto_ec2["c"] = boto3.client("ec2", endpoint_url=d.endpoint, region_name=REGION,
                                      aws_access_key_id=signer.key,
                                      aws_secret_access_key=signer.secret,
                                      config=Config(retries={"max_attempts": 1}))
    return _boto_ec2["c"]


def extract(xml, tag):
    start = xml.find(b"<" + tag + b">")
    if start < 0:
        return None
    start += len(tag) + 2
    return xml[start:xml.find(b"</" + tag + b">", start)].decode()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-up in finally
    ap = argparse.ArgumentParser()
    ap.add_argument("--stratod", default="build/release/src/daemon/stratod")
    ap.add_argument("--temp-dir", default=None, help="where the data dir and files go (same disk)")
    ap.add_argument("--rounds", type=int, default=3, help="alternated rounds of the 1 GiB copies")
    ap.add_argument("--small-seconds", type=float, default=5.0)
    ap.add_argument("--instances", type=int, default=10000)
    ap.add_argument("--describe-rounds", type=int, default=5)
    ap.add_argument("--skip", action="append", default=[], choices=["large", "rss", "small", "ec2"])
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strato-s3bench-", dir=a.temp_dir)
    d = None
    try:
        d = Daemon(a.stratod, work)
        t = d.admin.json("POST", "/v1/tenants", {"name": "bench"})
        u = d.admin.json("POST", "/v1/users", {"name": "bench", "tenant_id": t["id"], "role": "member"})
        k = d.admin.json("POST", f"/v1/users/{u['id']}/access-keys")
        key, secret = k["access_key_id"], k["secret_access_key"]
        s3 = s3_client(d, key, secret)
        bucket = "bench-bucket"
        s3.create_bucket(Bucket=bucket)
        print(f"stratod {a.stratod} (pid {d.proc.pid}), data dir {d.data}")
        print(f"load average at start: {os.getloadavg()}")

        if "large" not in a.skip:
            r = large_objects(d, s3, LeanS3(d, key, secret), aws_env(key, secret), work, bucket,
                              a.rounds)
            base = r["cp"][0]
            print(f"\n1 GiB object, median of {a.rounds} alternated rounds (MiB/s; ratio to cp+fsync)")
            for name, (med, runs) in r.items():
                print(f"  {name:15s} {1024 / med:7.0f} MiB/s  {base / med:4.2f}x   runs "
                      f"{['%.2f s' % x for x in runs]}")

        if "rss" not in a.skip:
            start, peak, end, secs, n = rss_during_5g_put(d, s3, work, bucket)
            print(f"\nstratod VmRSS during a 5 GiB PutObject ({secs:.1f} s, {5 * 1024 / secs:.0f} MiB/s, "
                  f"{n} samples at 50 ms): start {start / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
                  f"end {end / 1024:.1f} MiB")

        if "small" not in a.skip:
            print(f"\n4 KiB objects, {a.small_seconds:.0f} s of PUTs then GETs of those keys "
                  "(ops/s; latency p50/p99 ms)")
            for c in (1, 8, 32):
                r = small_objects(d, key, secret, bucket, c, a.small_seconds)
                print(f"  concurrency {c:2d}: PUT {r['put'][0]:6.0f} ops/s ({r['put'][1]:.1f}/{r['put'][2]:.1f} ms)"
                      f"   GET {r['get'][0]:6.0f} ops/s ({r['get'][1]:.1f}/{r['get'][2]:.1f} ms)")

        if "ec2" not in a.skip:
            ec2 = Signer(d.endpoint, key, secret, "ec2")
            tenant_api = Signer(d.endpoint, key, secret, "strato")
            launch, running, res = describe_instances(d, tenant_api, ec2, a.instances, a.describe_rounds)
            print(f"\nDescribeInstances, {a.instances} instances on sim hosts (launched in {launch:.1f} s, "
                  f"all running after {running:.1f} s); latency request -> last byte, ms")
            for name, (lat, counts) in res.items():
                print(f"  {name:55s} p50 {pct(lat, 50) * 1000:7.1f}  p99 {pct(lat, 99) * 1000:7.1f}  "
                      f"max {lat[-1] * 1000:7.1f}  ({len(lat)} requests"
                      + (f", {sorted(counts)} instances per sweep)" if counts else ")"))
        print(f"\nstratod VmRSS at the end {rss_kib(d.proc.pid) / 1024:.1f} MiB")
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        if d:
            d.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The object store after crashes: kill -9 during an upload and between writing and
committing leaves neither a visible partial object nor a stray file after restart."""
import os
import socket
import time

from s3_clients import boto3_client
from test_s3_objects import bucket_name


def object_files(d):
    root = d.data_dir / "objects"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_kill9_mid_upload_and_strays_are_cleaned_on_restart(stratod):
    a = stratod.admin
    s3 = boto3_client(stratod.endpoint, a.access_key_id, a.secret_access_key)
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="kept", Body=b"committed")
    kept_files = object_files(stratod)
    assert len(kept_files) == 1

    # Start a large upload by hand and kill stratod while the body is half sent.
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    size = 64 * 1024 * 1024
    req = AWSRequest(method="PUT", url=f"{stratod.endpoint}/{name}/partial",
                     headers={"Content-Length": str(size), "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    S3SigV4Auth(Credentials(a.access_key_id, a.secret_access_key), "s3", "strato-1").add_auth(req)
    sock = socket.create_connection(("127.0.0.1", stratod.port))
    head = f"PUT /{name}/partial HTTP/1.1\r\nHost: 127.0.0.1:{stratod.port}\r\n" + \
        "".join(f"{k}: {v}\r\n" for k, v in req.headers.items() if k.lower() != "host") + "\r\n"
    sock.sendall(head.encode())
    sock.sendall(os.urandom(8 * 1024 * 1024))
    deadline = time.time() + 10
    while not list((stratod.data_dir / "objects" / "tmp").glob("*")) and time.time() < deadline:
        time.sleep(0.05)
    assert list((stratod.data_dir / "objects" / "tmp").glob("*")), "the upload never started"
    stratod.kill9()
    sock.close()

    # A file written but never committed (as if killed between the two).
    bucket_dir = next(p for p in (stratod.data_dir / "objects").iterdir() if p.name != "tmp")
    (bucket_dir / "strayfile0000000000000000").write_bytes(b"orphan")
    (stratod.data_dir / "objects" / "bkt-0000000000000000").mkdir()  # a bucket never committed

    stratod.start()
    a = stratod.admin
    s3 = boto3_client(stratod.endpoint, a.access_key_id, a.secret_access_key)
    assert object_files(stratod) == kept_files
    assert sorted(p.name for p in (stratod.data_dir / "objects").iterdir()) == [bucket_dir.name]
    assert s3.get_object(Bucket=name, Key="kept")["Body"].read() == b"committed"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])]
    assert keys == ["kept"]

"""Helpers for the image-repository tests: small ext4 disk images made the classic way
(dd + mkfs.ext4 -d), streamed uploads, and waits on image state."""
import hashlib
import http.client
import json
import os
import subprocess
from pathlib import Path

from conftest import Response, encode_query, wait_for


def make_ext4_image(path, files, size_mib=16):
    """A raw ext4 disk image at `path` holding `files` ({name: text}), made without
    mounting anything: dd a zeroed file, then mkfs.ext4 -d from a directory."""
    path = Path(path)
    content = path.parent / (path.name + ".d")
    content.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (content / name).write_text(text)
    subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={size_mib}",
                    "status=none"], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "strato-data", "-d", str(content), str(path)],
                   check=True, capture_output=True)
    return path


def bzip2(path):
    subprocess.run(["bzip2", "-kf", str(path)], check=True)
    return Path(str(path) + ".bz2")


def upload_file(api, path, name, description=None, timeout=600):
    """POST /v1/images?name=… with the file streamed as the body (UNSIGNED-PAYLOAD)."""
    query = {"name": name, **({"description": description} if description else {})}
    target = "/v1/images?" + encode_query(query)
    headers = api.signed_headers("POST", target, b"",
                                 {"Content-Type": "application/octet-stream",
                                  "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    headers["Content-Length"] = str(os.path.getsize(path))
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=timeout)
    try:
        with open(path, "rb") as f:
            conn.request("POST", target, body=f, headers=headers)
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def upload_bytes(api, data, name):
    """POST /v1/images?name=… with `data` as the body, its SHA-256 signed (an upload states
    its payload hash: the body is checked against it as it streams in)."""
    return api.request("POST", "/v1/images", raw_body=data, query={"name": name},
                       headers={"Content-Type": "application/octet-stream",
                                "X-Amz-Content-SHA256": hashlib.sha256(data).hexdigest()})


def wait_image(api, image_id, state="available", timeout=120.0):
    def check():
        image = api.ok("GET", f"/v1/images/{image_id}")
        assert image["state"] != "failed" or state == "failed", image
        return image if image["state"] == state else None
    return wait_for(check, timeout, interval=0.2, message=f"image {image_id} {state}")


def files_under(directory):
    """Every regular file under `directory` (relative paths), for leak checks."""
    directory = Path(directory)
    if not directory.exists():
        return []
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def response_json(r):
    return json.loads(r.body) if r.body else None


def attach_new_volume(api, iid, device, body=None, message="attached"):
    """Creates a volume ({"size": 1} unless `body`), waits for it, attaches it to `iid` at
    `device` and waits for the attachment; returns the volume as created."""
    from test_vm_volumes import attached, wait_volume
    v = api.ok("POST", "/v1/volumes", body or {"size": 1}, expect=(202,))
    wait_volume(api, v["id"], lambda x: x["state"] == "available", "available")
    api.ok("POST", f"/v1/volumes/{v['id']}/attach", {"instance_id": iid, "device": device},
           expect=(202,))
    wait_volume(api, v["id"], attached, message)
    return v

"""Upload and download of a 10 MB attachment through the bucket (moto's S3 server on
loopback), by the real views: time and peak memory growth of the process (aim: streamed,
growth under 30 MB).

    .venv/bin/python -m bench.attachments [--megabytes 10]

A new database, ``release``, then one ``manage.py shell`` that signs in an administrator with
Django's test client, uploads the file to a policy recommendation (Django spools it to a
temporary file past 2.5 MB; the storage streams it to the bucket) and downloads it back
(FileResponse streams from the bucket), reading ru_maxrss before and after each step. The
multipart body is encoded before the baseline (the client's side, not the server's); the
test client still copies it once into its fake socket (~the file's size) within the upload
step, so the upload's growth is an upper bound of the server side's.
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg

from tests.support.processes import Process, base_env, free_port, manage

SCRIPT = """
import json, os, resource, tempfile, time
from django.contrib.auth import get_user_model
from django.test import Client
from obcms.policies.models import Policy
from obcms.records.models import Attachment

MB = {megabytes}
path = os.path.join(tempfile.mkdtemp(), "evidence.pdf")
with open(path, "wb") as out:
    out.write(b"%PDF-1.7\\n")
    chunk = os.urandom(1024 * 1024)
    for _ in range(MB):
        out.write(chunk)
    out.write(b"\\n%%EOF\\n")
del chunk
user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x" * 20)
policy = Policy.objects.create(title="Bench", category="social", scope="regional",
                               agency_addressed="X", problem="p", recommendation="r")
client = Client(HTTP_HOST="localhost")
client.force_login(user)
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
with open(path, "rb") as upload:  # the client's side, before the baseline
    body = encode_multipart(BOUNDARY, {{"file": upload}})
client_mb = rss()
base = rss()
started = time.monotonic()
response = client.generic("POST", f"/attachments/policies.policy/{{policy.pk}}/", body,
                          content_type=MULTIPART_CONTENT, secure=True)
upload_s = time.monotonic() - started
after_upload = rss()
attachment = Attachment.objects.get()
assert response.status_code == 302 and attachment.size == os.path.getsize(path), response
started = time.monotonic()
response = client.get(f"/attachments/policies.policy/{{policy.pk}}/{{attachment.pk}}/",
                      secure=True)
size = 0
for part in response.streaming_content:
    size += len(part)
download_s = time.monotonic() - started
after_download = rss()
assert size == attachment.size
print(json.dumps({{"bytes": size, "upload_s": upload_s, "download_s": download_s,
                  "base_mb": base, "upload_growth_mb": after_upload - base,
                  "download_growth_mb": after_download - after_upload,
                  "storage": attachment.file.storage.__class__.__name__}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=10)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    moto = Process(f"moto_server -H 127.0.0.1 -p {port}", base_env(), name="moto")
    try:
        moto.wait_for_http(f"http://127.0.0.1:{port}/moto-api/", timeout=30)
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 (moto's, on loopback)
        ).create_bucket(Bucket="obcms-bench")
        env = base_env(
            SECRET_KEY="bench-" + "x" * 50,
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
            DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
            AWS_STORAGE_BUCKET_NAME="obcms-bench",
            AWS_S3_ENDPOINT_URL=endpoint,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106
            ATTACHMENT_MAX_MB=str(args.megabytes + 1),
            LOG_LEVEL="warning",
        )
        assert manage("release", env=env).returncode == 0
        result = manage("shell", "-c", SCRIPT.format(megabytes=args.megabytes), env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        moto.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        f"{figures['bytes'] / 1024 / 1024:.1f} MB through {figures['storage']} (moto on loopback)"
    )
    print("| step | seconds | peak RSS growth MB |")
    print("|---|---|---|")
    print(f"| upload | {figures['upload_s']:.2f} | {figures['upload_growth_mb']:.1f} |")
    print(f"| download | {figures['download_s']:.2f} | {figures['download_growth_mb']:.1f} |")
    print(f"(process RSS before: {figures['base_mb']:.0f} MB)")


if __name__ == "__main__":
    main()

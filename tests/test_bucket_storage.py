"""Exports and imports through an S3-protocol bucket (moto's server on loopback standing in
for AWS, R2 or MinIO), as they run when web and worker share no disk."""

import csv
import io

import boto3
import pytest
from django.core.files.base import ContentFile

from obcms.communities.models import Community
from obcms.geography.models import Region
from obcms.reports.models import Export, Import
from obcms.reports.tasks import build_export, process_import
from tests.support import factories
from tests.support.processes import base_env

BUCKET = "obcms-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_server():
    from tests.support.processes import Process, free_port

    port = free_port()
    server = Process(f"moto_server -H 127.0.0.1 -p {port}", base_env(), name="moto")
    try:
        server.wait_for_http(f"http://127.0.0.1:{port}/moto-api/", timeout=30)
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def bucket(settings, s3_server):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **CREDENTIALS)


def bucket_keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.django_db
def test_an_export_lands_in_the_bucket_and_matches_the_filtered_list(bucket, client):
    barangay = factories.place("XI")
    for i in range(3):
        factories.community(name=f"Purok {i}", barangay=barangay)
    factories.community(barangay=factories.place("IX"))
    owner = factories.user("viewer")
    region = Region.objects.get(short_name="XI")
    export = Export.objects.create(user=owner, filters={"region": str(region.pk)})

    build_export(export.pk)  # the worker's side
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert f"media/{export.file.name}" in bucket_keys(bucket)

    client.force_login(owner)  # the web's side: streamed back from the bucket
    response = client.get(f"/reports/exports/{export.pk}/download/")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    ids = sorted(int(row[0]) for row in list(csv.reader(io.StringIO(body)))[1:])
    assert ids == sorted(
        Community.objects.filter(municipality__region=region).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_an_uploaded_import_is_read_back_from_the_bucket(bucket):
    barangay = factories.place()
    content = f"name,barangay_psgc\nSitio Bucket,{barangay.psgc_code}\nBad,nowhere\n"
    job = Import(user=factories.user("encoder"))
    job.file.save("upload.csv", ContentFile(content.encode()), save=True)
    assert f"media/{job.file.name}" in bucket_keys(bucket)

    process_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, len(job.errors)) == (Import.Status.DONE, 1, 1)
    assert Community.objects.filter(name="Sitio Bucket").exists()

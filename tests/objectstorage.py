"""An S3-compatible server for the tests (moto in server mode, on a free port in this
process): uploads go to a real bucket over HTTP through django-storages, as they do in
production (issue 18). ``s3`` gives each test its own empty bucket and points the
default storage at it."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


@dataclass
class Bucket:
    endpoint: str
    name: str
    client: Any

    def storage_settings(self) -> dict:
        """STORAGES["default"] for this bucket, as reentry/settings.py builds it."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.name,
                "endpoint_url": self.endpoint,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        }

    def environment(self) -> dict[str, str]:
        """The variables that make reentry/settings.py use this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # only the tests that use it pay the import

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> Bucket:
    client = boto3.client("s3", endpoint_url=s3_server, region_name=REGION, **CREDENTIALS)
    name = f"reentry-test-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    return Bucket(endpoint=s3_server, name=name, client=client)


@pytest.fixture
def s3(s3_bucket, settings, tmp_path) -> Bucket:
    """The default storage on a new bucket; MEDIA_ROOT an empty folder that must stay so."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_bucket.storage_settings()}
    settings.MEDIA_ROOT = tmp_path / "media"
    return s3_bucket

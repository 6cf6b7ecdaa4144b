"""S3-compatible object storage (AWS S3, Cloudflare R2, Backblaze B2, MinIO, Ceph, Swift): where
several booths put their photos, so that links work over mobile data.

The client is MinIO's Python SDK: pure Python, a few small dependencies (the Pi's install and
memory stay small, unlike botocore's), and it signs presigned URLs locally (SigV4), so the QR
code of a photo is known before its upload ends. Every store failure becomes a ``CloudError``
whose message says what to do; the secret key never appears in one.
"""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import CloudConfig
from kiosk.files import not_private
from kiosk.share.page import slug

CONNECT_SECONDS = 5.0
READ_SECONDS = 30.0


class CloudError(Exception):
    """The store cannot be used now (unreachable, refused, misconfigured)."""


@dataclass(frozen=True)
class CloudCredentials:
    access_key: str
    secret_key: str = field(repr=False)


def load_credentials(path: Path) -> CloudCredentials:
    """The access key and secret from ``path``: TOML with ``access_key`` and ``secret_key``,
    readable by its owner only."""
    try:
        shared = not_private(path, "cloud.credentials_file")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CloudError(f"cloud.credentials_file: cannot read {path}: {error.strerror}") from None
    if shared:
        raise CloudError(shared)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CloudError(f"cloud.credentials_file: {path} is not valid TOML: {error}") from None
    keys = {name: values.get(name) for name in ("access_key", "secret_key")}
    missing = [name for name, value in keys.items() if not isinstance(value, str) or not value]
    if missing:
        raise CloudError(f"cloud.credentials_file: {path} needs {' and '.join(missing)}")
    unknown = sorted(set(values) - set(keys))
    if unknown:
        raise CloudError(f"cloud.credentials_file: {path}: unknown key {', '.join(unknown)}")
    return CloudCredentials(keys["access_key"], keys["secret_key"])  # type: ignore[arg-type]


def object_prefix(cloud: CloudConfig, event: str, booth_id: str) -> str:
    """Where this booth's photos go in the bucket, e.g. ``sommerfest-2026/booth-7/``."""
    prefix = cloud.prefix.format(event=slug(event), booth_id=slug(booth_id))
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def event_prefix(cloud: CloudConfig, event: str) -> str:
    """What every booth of this event shares: the prefix up to the booth's part."""
    head = cloud.prefix.split("{booth_id}")[0]
    return head.format(event=slug(event))


class CloudStore:
    def __init__(self, cloud: CloudConfig, credentials: CloudCredentials):
        import urllib3
        from minio import Minio

        self.bucket = cloud.bucket
        self.endpoint = cloud.endpoint
        secure = cloud.endpoint.startswith("https://")
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS),
            retries=urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=(502, 503, 504)),
        )
        self._client = Minio(
            cloud.endpoint.split("://", 1)[1],
            access_key=credentials.access_key,
            secret_key=credentials.secret_key,
            secure=secure,
            region=cloud.region,  # known region: presigning asks the store nothing
            http_client=http,
        )
        if cloud.addressing == "path":
            self._client.disable_virtual_style_endpoint()
        elif cloud.addressing == "virtual":
            self._client.enable_virtual_style_endpoint()

    def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self._call(
            "upload",
            key,
            lambda: self._client.put_object(
                self.bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata={"Cache-Control": cache_control},
            ),
        )

    def get(self, key: str) -> bytes:
        def fetch() -> bytes:
            reply = self._client.get_object(self.bucket, key)
            try:
                return reply.read()
            finally:
                reply.close()
                reply.release_conn()

        return self._call("download", key, fetch)

    def delete(self, key: str) -> None:
        self._call("delete", key, lambda: self._client.remove_object(self.bucket, key))

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """Every object under ``prefix``, with its size."""
        listing = self._call(
            "list", prefix, lambda: list(self._client.list_objects(self.bucket, prefix, True))
        )
        for item in listing:
            yield item.object_name, item.size or 0

    def presigned(
        self,
        key: str,
        signed_at: dt.datetime,
        valid_for: float,
        download_as: str | None = None,
    ) -> str:
        """A link anyone can open until ``signed_at + valid_for`` (SigV4, signed here)."""
        headers = None
        if download_as is not None:
            headers = {"response-content-disposition": f'attachment; filename="{download_as}"'}
        seconds = max(1, min(round(valid_for), 7 * 86400))
        return self._client.presigned_get_object(
            self.bucket,
            key,
            expires=dt.timedelta(seconds=seconds),
            response_headers=headers,
            request_date=signed_at.astimezone(dt.UTC),
        )

    def make_bucket_if_missing(self) -> None:
        def make() -> None:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket)

        self._call("create", self.bucket, make)

    def _call(self, action: str, key: str, call):  # type: ignore[no-untyped-def]
        from minio.error import InvalidResponseError, S3Error
        from urllib3.exceptions import HTTPError

        try:
            return call()
        except S3Error as error:
            raise CloudError(self._explain(action, key, error.code, error.message)) from None
        except InvalidResponseError as error:
            raise CloudError(f"{action} {key}: the store answered {error}") from None
        except (HTTPError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise CloudError(f"cannot reach {self.endpoint}: {reason}") from None

    def _explain(self, action: str, key: str, code: str, message: str) -> str:
        hints = {
            "SignatureDoesNotMatch": "the store refused the secret key: check secret_key in "
            "cloud.credentials_file",
            "InvalidAccessKeyId": "the store does not know the access key: check access_key in "
            "cloud.credentials_file",
            "AccessDenied": "the key may not do this: check its permissions on the bucket",
            "NoSuchBucket": f"there is no bucket {self.bucket!r}: create it, or check cloud.bucket",
            "AuthorizationHeaderMalformed": "the region is wrong: check cloud.region",
        }
        hint = hints.get(code)
        return f"{action} {key}: {code}" + (f": {hint}" if hint else f" ({message})")


def credentials_problem(cloud: CloudConfig) -> str | None:
    """What is wrong with the cloud credentials file, for check-config (never the secret)."""
    if not cloud.enabled or cloud.credentials_file is None:
        return None
    try:
        load_credentials(cloud.credentials_file)
    except CloudError as error:
        return str(error)
    return None

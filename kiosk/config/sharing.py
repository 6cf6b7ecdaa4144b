"""How photos leave the booth: the download server and its Wi-Fi code, Content Credentials, and
the object store several booths share."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt, model_validator

from kiosk.config.values import Duration, OptionalFile, Section


def _check_base_url(value: str) -> str:
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError(
            f"{value!r} is not a web address; write e.g. 'http://booth.local:8080' "
            "or leave it empty to use this machine's network address"
        )
    return value.rstrip("/")


class WifiConfig(Section):
    """The booth's own Wi-Fi, offered as a join QR code before the photo's link."""

    ssid: str = Field(min_length=1, max_length=32)
    password: str = Field("", max_length=63)
    security: Literal["WPA", "WEP", "nopass"] = "WPA"
    hidden: StrictBool = False

    @model_validator(mode="after")
    def _password_fits_security(self) -> WifiConfig:
        if self.security == "nopass" and self.password:
            raise ValueError(
                "password: an open network (security = 'nopass') has none; remove it, or set "
                "security = 'WPA'"
            )
        if self.security in ("WPA", "WEP") and not self.password:
            raise ValueError(
                f"password: missing; a {self.security} network needs its password "
                "(or security = 'nopass' for an open one)"
            )
        if self.security == "WPA" and not 8 <= len(self.password) <= 63:
            raise ValueError(
                f"password: {len(self.password)} characters; a WPA password has 8 to 63"
            )
        return self


class ShareConfig(Section):
    base_url: Annotated[str, AfterValidator(_check_base_url)] = ""
    host: str = "0.0.0.0"
    port: StrictInt = Field(8080, ge=1, le=65535)
    link_ttl: Duration = 7 * 86400.0
    wifi: WifiConfig | None = None


class CredentialsConfig(Section):
    """Content Credentials: how photos are signed (see kiosk/photos/credentials.py)."""

    sign: StrictBool = True
    certificate_chain: OptionalFile = None
    private_key: OptionalFile = None
    booth_id: str = Field("", max_length=64)

    @model_validator(mode="after")
    def _chain_and_key_together(self) -> CredentialsConfig:
        if self.certificate_chain is not None and self.private_key is None:
            raise ValueError("private_key: missing; set it beside certificate_chain, or neither")
        if self.private_key is not None and self.certificate_chain is None:
            raise ValueError("certificate_chain: missing; set it beside private_key, or neither")
        return self


_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# SigV4 presigned URLs are valid for a week at most.
PRESIGNED_LIMIT = 7 * 86400.0


def _check_bucket(value: str) -> str:
    if not _BUCKET_RE.match(value) or ".." in value:
        raise ValueError(
            f"{value!r} is not a bucket name: 3 to 63 lowercase letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit"
        )
    return value


def _check_endpoint(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+/?", value):
        raise ValueError(
            f"{value!r} is not an object store's address; write e.g. "
            "'https://s3.eu-central-1.amazonaws.com' (no bucket, no path)"
        )
    return value.rstrip("/")


def _check_prefix(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise ValueError(f"{value!r}: {error}") from None
    unknown = names - {"event", "booth_id"}
    if unknown:
        raise ValueError(
            f"{{{sorted(unknown)[0]}}} is not known here (use {{event}}, {{booth_id}})"
        )
    if value.startswith("/") or "//" in value:
        raise ValueError(f"{value!r}: no leading or double slash in an object key")
    return value


class CloudConfig(Section):
    """Photos also go to S3-compatible object storage (several booths, links over mobile data)."""

    enabled: StrictBool = False
    endpoint: Annotated[str, AfterValidator(_check_endpoint)] = "https://s3.amazonaws.com"
    region: str = Field("us-east-1", min_length=1, max_length=40)
    bucket: Annotated[str, AfterValidator(_check_bucket)] = "echtbild"
    prefix: Annotated[str, AfterValidator(_check_prefix)] = "{event}/{booth_id}/"
    addressing: Literal["auto", "path", "virtual"] = "auto"
    # "booth": QR codes lead to the booth; "cloud": to the store at once; "cloud-when-uploaded":
    # to the booth until the photo is in the store, then to the store.
    links: Literal["booth", "cloud", "cloud-when-uploaded"] = "cloud-when-uploaded"
    credentials_file: Path | None = None

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> CloudConfig:
        if self.enabled and self.credentials_file is None:
            raise ValueError(
                "credentials_file: missing; cloud.enabled needs a file readable only by the "
                "booth's user, with access_key and secret_key"
            )
        return self

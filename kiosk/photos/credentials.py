"""Content Credentials (C2PA): each photo says, verifiably, that a camera took it and the booth only
cropped it, for which event and operator.

The booth signs with its own certificate: ``kiosk keys init`` makes a small local CA and a
signing certificate issued by it (C2PA refuses a self-signed signing certificate). Operators can
use a certificate chain and key of their own instead. Anyone can check a photo with
``kiosk verify`` (or any C2PA tool): "Valid" means untouched since signing, "Trusted" that the
signer also chains to a CA one trusts.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.config import Config

log = logging.getLogger(__name__)

DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
BOOTH_ASSERTION = "org.echtbild.booth"
CA_CERT = "ca.pem"
CA_KEY = "ca.key"
SIGNER_CHAIN = "signer-chain.pem"
SIGNER_KEY = "signer.key"
# The organisation of the keys `kiosk demo` makes for itself: whoever reads the signer sees that
# it proves nothing about who took a photo, and `kiosk verify --trust` refuses its CA.
DEMO_ORGANISATION = "Echtbild demo key, not for events"


class CredentialsError(Exception):
    """Keys missing or unusable, or a manifest that cannot be made."""


@dataclass(frozen=True)
class PhotoFacts:
    """What the manifest states about one photo."""

    title: str
    captured_at: dt.datetime
    operator: str
    event: str
    booth_id: str
    crop: tuple[int, int, int, int]  # left, top, width, height in the sensor image


def default_booth_id() -> str:
    return socket.gethostname() or "echtbild"


# --- keys -------------------------------------------------------------------------------------


def init_keys(keys_dir: Path, booth_id: str, force: bool = False, demo: bool = False) -> list[Path]:
    """A local CA and a signing certificate it issued, with private keys only their owner reads
    (``demo``: marked as the demo's, in every name a verifier shows)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    paths = [keys_dir / name for name in (CA_CERT, CA_KEY, SIGNER_CHAIN, SIGNER_KEY)]
    if not force and any(path.exists() for path in paths):
        raise CredentialsError(f"keys exist in {keys_dir}; use --force to replace them")
    now = dt.datetime.now(dt.UTC)
    kind = "demo key" if demo else "booth"

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(
                    NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION if demo else "Echtbild"
                ),
            ]
        )

    def usage(signing: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=signing,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not signing,
            crl_sign=not signing,
            encipher_only=False,
            decipher_only=False,
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"Echtbild {'demo CA' if demo else 'CA'} {booth_id}")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(name(f"Echtbild {kind} {booth_id}"))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )

    def pem(certificate: x509.Certificate) -> bytes:
        return certificate.public_bytes(serialization.Encoding.PEM)

    def secret(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    contents = {
        CA_CERT: (pem(ca), 0o644),
        CA_KEY: (secret(ca_key), 0o600),
        SIGNER_CHAIN: (pem(signer) + pem(ca), 0o644),
        SIGNER_KEY: (secret(signer_key), 0o600),
    }
    for file_name, (data, mode) in contents.items():
        path = keys_dir / file_name
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
    return paths


# --- signing ----------------------------------------------------------------------------------


def demo_keys(keys_dir: Path, booth_id: str) -> tuple[Path, Path]:
    """The demo's certificate chain and key in ``keys_dir``, made on its first run."""
    chain, key = keys_dir / SIGNER_CHAIN, keys_dir / SIGNER_KEY
    if not (chain.is_file() and key.is_file()):
        init_keys(keys_dir, booth_id, force=True, demo=True)
        log.info(
            "made a demo signing key in %s: the demo's photos are signed, but by a key that "
            "proves nothing; 'kiosk keys init' makes a booth's own",
            keys_dir,
        )
    return chain, key


def with_demo_key(config: Config) -> Config:
    """``kiosk demo`` signs its photos: with the booth's own keys once made, else with a demo
    key made on its first run (marked as such; `kiosk verify --trust` refuses its CA)."""
    credentials = config.credentials
    chain, key = signing_key_paths(config)
    if not credentials.sign or (chain.is_file() and key.is_file()):
        return config
    booth_id = credentials.booth_id or default_booth_id()
    try:
        chain, key = demo_keys(config.storage.layout.demo_keys_dir, booth_id)
    except (OSError, CredentialsError) as error:
        log.warning("the demo's photos are saved unsigned: no demo key: %s", error)
        return config
    own = credentials.model_copy(update={"certificate_chain": chain, "private_key": key})
    return config.model_copy(update={"credentials": own})


def is_demo_signer(common_name: str | None) -> bool:
    return bool(common_name) and common_name.startswith("Echtbild demo key")


def signing_key_paths(config: Config) -> tuple[Path, Path]:
    """The certificate chain and key to sign with: the operator's, else the booth's own."""
    own = config.credentials
    if own.certificate_chain is not None and own.private_key is not None:
        return own.certificate_chain, own.private_key
    keys = config.storage.layout.keys_dir
    return keys / SIGNER_CHAIN, keys / SIGNER_KEY


def load_signer(config: Config) -> PhotoSigner | None:
    """The booth's signer, or None (photos are then saved unsigned, and the log says why)."""
    if not config.credentials.sign:
        log.info("signing is switched off (credentials.sign = false)")
        return None
    chain, key = signing_key_paths(config)
    if not (chain.is_file() and key.is_file()):
        log.warning("no signing key (%s): photos are saved unsigned; run 'kiosk keys init'", key)
        return None
    try:
        return PhotoSigner(chain, key)
    except CredentialsError as error:
        log.warning("photos are saved unsigned: %s", error)
        return None


class PhotoSigner:
    """Signs booth JPEGs with one certificate chain and key."""

    def __init__(self, certificate_chain: Path, private_key: Path):
        import c2pa

        try:
            chain = certificate_chain.read_bytes()
            key = private_key.read_bytes()
        except OSError as error:
            raise CredentialsError(f"cannot read the signing key: {error}") from error
        # Photos older than the key were taken before it existed, not left by a crash.
        self.made_at = private_key.stat().st_mtime
        try:
            self._signer = c2pa.Signer.from_info(
                c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, key, None)
            )
        except c2pa.C2paError as error:
            raise CredentialsError(f"the signing key is not usable: {error}") from error
        # The claim's thumbnail would be a scaled copy of the person: the booth adds no such
        # pixels; the photo itself is there to look at.
        self._context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})

    def sign(self, jpeg: bytes, facts: PhotoFacts) -> bytes:
        import c2pa

        builder = c2pa.Builder(manifest(facts), context=self._context)
        signed = io.BytesIO()
        try:
            builder.sign(self._signer, "image/jpeg", io.BytesIO(jpeg), signed)
        except c2pa.C2paError as error:
            raise CredentialsError(f"signing failed: {error}") from error
        return signed.getvalue()


def manifest(facts: PhotoFacts) -> dict[str, Any]:
    left, top, width, height = facts.crop
    return {
        "claim_generator_info": [{"name": "Echtbild", "version": __version__}],
        "title": facts.title,
        "format": "image/jpeg",
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": DIGITAL_CAPTURE,
                            "when": facts.captured_at.isoformat(),
                            "softwareAgent": {"name": "Echtbild", "version": __version__},
                        },
                        {
                            "action": "c2pa.cropped",
                            "softwareAgent": {"name": "Echtbild", "version": __version__},
                            "parameters": {
                                "description": "cut from the camera's frame; no other change",
                                "x": left,
                                "y": top,
                                "width": width,
                                "height": height,
                            },
                        },
                    ]
                },
            },
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "Photograph",
                    "author": [{"@type": "Organization", "name": facts.operator}],
                    "copyrightHolder": {"@type": "Organization", "name": facts.operator},
                    "dateCreated": facts.captured_at.isoformat(),
                    "about": {"@type": "Event", "name": facts.event},
                },
            },
            {
                "label": BOOTH_ASSERTION,
                "data": {
                    "booth": facts.booth_id,
                    "event": facts.event,
                    "operator": facts.operator,
                    "captured": facts.captured_at.isoformat(),
                },
            },
        ],
    }


# --- verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    state: str  # "Trusted", "Valid", "Invalid" or "none"
    signer: str | None = None
    reasons: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def captured_by_camera(self) -> bool:
        return DIGITAL_CAPTURE in json.dumps(self.manifest or {})


def trust_anchor_problem(data: bytes) -> str | None:
    """Why ``data`` cannot serve as trust anchors (PEM CA certificates), or None."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        return "not a CA certificate (expected PEM: -----BEGIN CERTIFICATE-----)"
    for certificate in certificates:
        organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if any(name.value == DEMO_ORGANISATION for name in organisations):
            return (
                "the demo key's CA, which 'kiosk demo' made for itself: it proves nothing about "
                "who took a photo; trust a booth's keys/ca.pem (made by 'kiosk keys init')"
            )
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        except x509.ExtensionNotFound:
            continue
        if not constraints.value.ca:
            subject = certificate.subject.rfc4514_string()
            return f"{subject} is a signer's certificate, not a CA's: give the CA (ca.pem)"
    return None


def verify(data: bytes, trust_anchors: bytes | None = None) -> Verification:
    """What a JPEG's Content Credentials say, checked (against ``trust_anchors`` if given)."""
    import c2pa

    settings: dict[str, Any] = {"verify": {"verify_trust": trust_anchors is not None}}
    if trust_anchors is not None:
        settings["trust"] = {"trust_anchors": trust_anchors.decode()}
    try:
        reader = c2pa.Reader.try_create(
            "image/jpeg", io.BytesIO(data), None, c2pa.Context.from_dict(settings)
        )
    except c2pa.C2paError as error:
        return Verification("Invalid", reasons=[f"the credentials cannot be read: {error}"])
    if reader is None:
        return Verification("none")
    with reader:
        state = reader.get_validation_state() or "Invalid"
        results = reader.get_validation_results() or {}
        active = reader.get_active_manifest() or {}
    signer = (active.get("signature_info") or {}).get("common_name")
    failures = (results.get("activeManifest") or {}).get("failure") or []
    reasons = [f"{item.get('code')}: {item.get('explanation', '')}".strip() for item in failures]
    return Verification(state, signer, reasons, active)

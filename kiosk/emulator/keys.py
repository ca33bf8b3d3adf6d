"""Key material of the emulator: its RSA key pair (FaceID encryption) and a TLS certificate.

* RSA: the real service unwraps the client's AES key with Tencent's private key; the emulator
  has its own pair. The public key is exported as PKCS#1 PEM (``-----BEGIN RSA PUBLIC KEY-----``,
  the same form as Tencent's published key) so the client is configured exactly as in production.
* TLS: a throw-away CA (``CA:TRUE``) and a server certificate signed by it (SAN ``localhost``,
  ``127.0.0.1``, ``::1`` and the bind host), valid for 7 days. Clients trust the CA file; that
  works with strict X.509 verification too (unlike a bare self-signed leaf).

Threading: functions are pure (new objects each call); :class:`RsaKeyPair` is immutable.
"""

from __future__ import annotations

import base64
import datetime as _dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.core.bounded_read import read_bytes_bounded

__all__ = ["MAX_PEM_BYTES", "RsaKeyPair", "TlsFiles", "make_tls_files"]

#: a PEM private key file larger than this is refused (a 16384-bit RSA key is about 12 KB)
MAX_PEM_BYTES = 64 * 1024


@dataclass(frozen=True)
class RsaKeyPair:
    """The emulator's RSA key pair for ``Encryption.CiphertextBlob`` (PKCS#1 v1.5 key wrap)."""

    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, bits: int = 2048) -> RsaKeyPair:
        """A fresh key pair (about 0.1 s for 2048 bits)."""
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=bits))

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RsaKeyPair:
        """Load an unencrypted PEM private key (PKCS#1 or PKCS#8); ``ValueError`` otherwise."""
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("not an RSA private key")
        return cls(key)

    @classmethod
    def from_file(cls, path: str | Path) -> RsaKeyPair:
        """:meth:`from_pem` of a regular file of at most :data:`MAX_PEM_BYTES` (a FIFO or a
        device is refused before it is opened); ``ValueError`` with a one-line message otherwise."""
        data = read_bytes_bounded(path, MAX_PEM_BYTES)  # BoundedReadError is a ValueError
        try:
            return cls.from_pem(data)
        except (ValueError, TypeError) as exc:
            detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise ValueError(f"{path}: not an unencrypted RSA private key in PEM ({detail})") from None

    @property
    def public_key_pem(self) -> str:
        """PKCS#1 ``RSA PUBLIC KEY`` PEM (give this to the client)."""
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
            .decode("ascii")
        )

    @property
    def private_key_pem(self) -> str:
        """PKCS#8 PEM of the private key (tests and ``--rsa-key`` files only)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")

    def unwrap(self, ciphertext_blob: str) -> bytes:
        """Recover the symmetric key from a base64 ``CiphertextBlob``; ``ValueError`` on failure."""
        try:
            blob = base64.b64decode(ciphertext_blob, validate=True)
        except (ValueError, TypeError):
            raise ValueError("CiphertextBlob is not base64") from None
        try:
            return self.private_key.decrypt(blob, asym_padding.PKCS1v15())
        except ValueError:
            raise ValueError("CiphertextBlob cannot be unwrapped") from None


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the generated TLS files: ``ca_file`` (trust this), ``cert_file``, ``key_file``."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kiosk FaceID emulator (not Tencent)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_tls_files(directory: Path, hosts: list[str]) -> TlsFiles:
    """Create a CA and a server certificate for ``hosts`` in ``directory`` (files are 0600)."""
    now = _dt.datetime.now(_dt.UTC) - _dt.timedelta(minutes=5)
    until = now + _dt.timedelta(days=7)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("kiosk emulator test CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", "127.0.0.1", "::1", *hosts]):
        if not host or host in ("0.0.0.0", "::"):  # noqa: S104 - wildcard binds are not names
            continue
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=False,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "emulator-ca.pem", directory / "emulator-cert.pem", directory / "emulator-key.pem")
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.touch(mode=0o600)
    files.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files

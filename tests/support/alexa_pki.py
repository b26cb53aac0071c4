"""A throwaway PKI shaped like Amazon's: root, intermediate, echo-api.amazon.com leaf, and bad variants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The moment the fake clocks stand still at; test certificates are valid around it.
NOW = datetime(2026, 11, 24, 10, 0, 0, tzinfo=timezone.utc)
ALEXA_DNS_NAME = "echo-api.amazon.com"


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA that can issue intermediates and leaves; roots are self-signed."""

    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def root(cls, name: str, now: datetime = NOW) -> CertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name)
        builder = _ca_builder(subject, subject, key, now).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        return cls(name, key, builder.sign(key, hashes.SHA256()))

    def intermediate(self, name: str, now: datetime = NOW) -> CertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _ca_builder(_name(name), self.cert.subject, key, now).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
        )
        return CertificateAuthority(name, key, builder.sign(self.key, hashes.SHA256()))

    def leaf(
        self, key: rsa.RSAPrivateKey, *, dns_name: str = ALEXA_DNS_NAME,
        not_before: datetime = NOW - timedelta(days=30), not_after: datetime = NOW + timedelta(days=60),
    ) -> x509.Certificate:
        """A server certificate for ``dns_name`` like Amazon's echo-api one, signed by this CA."""
        return _leaf_builder(key, dns_name, not_before, not_after, self.cert.subject).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
        ).sign(self.key, hashes.SHA256())


def self_signed_leaf(key: rsa.RSAPrivateKey, dns_name: str = ALEXA_DNS_NAME) -> x509.Certificate:
    """A leaf that vouches for itself (right name, right dates, nobody's signature)."""
    builder = _leaf_builder(key, dns_name, NOW - timedelta(days=1), NOW + timedelta(days=30), _name(dns_name))
    authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    return builder.add_extension(authority, critical=False).sign(key, hashes.SHA256())


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Alexa Test PKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _ca_builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, now: datetime
) -> x509.CertificateBuilder:
    usage = x509.KeyUsage(True, False, False, False, False, True, True, False, False)
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=365)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _leaf_builder(
    key: rsa.RSAPrivateKey, dns_name: str, not_before: datetime, not_after: datetime, issuer: x509.Name
) -> x509.CertificateBuilder:
    usage = x509.KeyUsage(True, False, True, False, False, False, False, False, False)
    server_and_client = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    return (
        x509.CertificateBuilder().subject_name(_name(dns_name)).issuer_name(issuer)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(server_and_client), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def pem(*certs: x509.Certificate) -> bytes:
    """The certificates as one PEM body, in the order given (leaf first)."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


@dataclass(frozen=True)
class AlexaPKI:
    """A trusted root and the chains a test may want served. Every leaf uses ``key``.

    ``chains`` maps a variant to its PEM body: ``valid`` (leaf + intermediate), ``with-root``
    (leaf + intermediate + root, as Amazon serves it), ``wrong-san``, ``expired``,
    ``not-yet-valid``, ``untrusted`` (leaf + intermediate from a root nobody trusts),
    ``self-signed`` and ``no-intermediate`` (the leaf alone).
    """

    root: CertificateAuthority
    intermediate: CertificateAuthority
    key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey
    chains: Mapping[str, bytes]

    @property
    def root_pem(self) -> bytes:
        return pem(self.root.cert)

    @property
    def roots(self) -> list[x509.Certificate]:
        return [self.root.cert]

    @property
    def valid_chain(self) -> bytes:
        return self.chains["valid"]


def build_pki() -> AlexaPKI:
    """Make the test PKI (two RSA 2048 keys; the CAs use P-256 to keep this quick)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = CertificateAuthority.root("Test Alexa Root CA")
    middle = root.intermediate("Test Alexa Intermediate CA")
    stranger = CertificateAuthority.root("Untrusted Root CA").intermediate("Untrusted Intermediate CA")
    valid = middle.leaf(key)
    chains = {
        "valid": pem(valid, middle.cert),
        "with-root": pem(valid, middle.cert, root.cert),
        "wrong-san": pem(middle.leaf(key, dns_name="echo-api.example.com"), middle.cert),
        "expired": pem(middle.leaf(key, not_before=NOW - timedelta(days=400),
                                   not_after=NOW - timedelta(days=1)), middle.cert),
        "not-yet-valid": pem(middle.leaf(key, not_before=NOW + timedelta(days=1),
                                         not_after=NOW + timedelta(days=400)), middle.cert),
        "untrusted": pem(stranger.leaf(key), stranger.cert),
        "self-signed": pem(self_signed_leaf(key)),
        "no-intermediate": pem(valid),
    }
    return AlexaPKI(root, middle, key, other_key, chains)

"""Pytest fixtures for signed Alexa requests; load with ``pytest_plugins = ["tests.support.alexa_fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skill.alexa.verify import AlexaRequestVerifier, CertificateCache
from tests.support.alexa_signing import (
    DEFAULT_CERT_URL,
    NOW,
    AlexaPKI,
    CertificateHost,
    build_pki,
    fixed_clock,
)


@pytest.fixture(scope="session")
def alexa_pki() -> AlexaPKI:
    """The test PKI: a trusted root, an intermediate, the leaf key and every chain variant."""
    return build_pki()


@pytest.fixture
def alexa_cert_host(alexa_pki: AlexaPKI) -> Iterator[CertificateHost]:
    """A running stand-in for s3.amazonaws.com/echo.api/ with a fresh request count.

    It serves the good chain at ``DEFAULT_CERT_URL`` and each variant at ``cert_url(variant)``.
    """
    host = CertificateHost()
    host.publish(DEFAULT_CERT_URL.rsplit("/", 1)[1], alexa_pki.valid_chain)
    for variant, chain in alexa_pki.chains.items():
        host.publish(f"{variant}.pem", chain)
    host.start()
    yield host
    host.stop()


@pytest.fixture
def alexa_verifier(alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost) -> AlexaRequestVerifier:
    """A verifier with an empty cache that trusts only the test root, downloads from
    ``alexa_cert_host``, and whose clock stands still at ``NOW``."""
    clock = fixed_clock(NOW)
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, clock)
    return AlexaRequestVerifier(certificates, clock)

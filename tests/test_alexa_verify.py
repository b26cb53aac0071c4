"""Only fresh requests signed with Amazon's echo-api certificate get through to the skill."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from skill.alexa.certificates import FAILURE_MEMORY, NEW_URLS_PER_MINUTE
from skill.alexa.verify import (
    AlexaRequestVerifier,
    CertificateCache,
    VerificationError,
    check_certificate_url,
    fetch_url,
    load_trusted_roots,
)
from tests.support.alexa_signing import (
    DEFAULT_CERT_URL,
    NOW,
    AlexaPKI,
    CertificateHost,
    cert_url,
    fixed_clock,
    launch_request,
    launch_request_body,
    request_body,
    sign,
    signed_headers,
)

BODY = launch_request_body(NOW)


def rejection(verifier: AlexaRequestVerifier, headers: Mapping[str, str], body: bytes) -> str:
    """The reason ``verifier`` gives for turning the request away."""
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body)
    return str(caught.value)


# --- the happy path -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["valid", "with-root"])
def test_a_validly_signed_request_passes(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, variant: str
) -> None:
    alexa_verifier.verify(signed_headers(BODY, alexa_pki, cert_url(variant)), BODY)


@pytest.mark.parametrize("spell", [str, str.lower, str.upper, str.title], ids=["as-sent", "lower", "upper", "title"])
def test_header_names_are_matched_whatever_their_case(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, spell: Callable[[str], str]
) -> None:
    headers = {spell(name): value for name, value in signed_headers(BODY, alexa_pki).items()}
    alexa_verifier.verify(headers, BODY)


# --- the signature --------------------------------------------------------------------------

def test_a_tampered_body_is_rejected(alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI) -> None:
    headers = signed_headers(BODY, alexa_pki)
    tampered = BODY.replace(b'"LaunchRequest"', b'"SessionEndedRequest"')
    assert rejection(alexa_verifier, headers, tampered) == "request signature does not match"


@pytest.mark.parametrize(("signature", "reason"), [
    ("signed by another key", "request signature does not match"),
    ("signature of another body", "request signature does not match"),
    ("truncated signature", "request signature has the wrong length"),
    ("not base64 at all!", "request signature is not base64"),
    ("", "missing Signature-256 header"),
    (None, "missing Signature-256 header"),
])
def test_a_wrong_or_missing_signature_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, signature: str | None, reason: str
) -> None:
    headers = signed_headers(BODY, alexa_pki)
    forged = {
        "signed by another key": sign(BODY, alexa_pki.other_key),
        "signature of another body": sign(BODY + b" ", alexa_pki.key),
        "truncated signature": headers["Signature-256"][:-8],
    }
    if signature is None:
        del headers["Signature-256"]
    else:
        headers["Signature-256"] = forged.get(signature, signature)
    assert rejection(alexa_verifier, headers, BODY) == reason


def test_a_request_without_a_certificate_url_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI
) -> None:
    headers = signed_headers(BODY, alexa_pki)
    del headers["SignatureCertChainUrl"]
    assert rejection(alexa_verifier, headers, BODY) == "missing SignatureCertChainUrl header"


# --- the certificate URL --------------------------------------------------------------------

GOOD_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
]
BAD_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "certificate URL must use https"),
    ("file:///echo.api/echo-api-cert.pem", "certificate URL must use https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "certificate URL must be on s3.amazonaws.com"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem",
     "certificate URL must be on s3.amazonaws.com"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "certificate URL must use port 443"),
    ("https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem", "certificate URL is malformed"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "certificate URL path must start with /echo.api/"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
     "certificate URL path must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/../evil/cert.pem", "certificate URL path must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/evil/cert.pem",
     "certificate URL path must start with /echo.api/"),
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_amazons_certificate_urls_are_accepted(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, url: str
) -> None:
    check_certificate_url(url)
    alexa_verifier.verify(signed_headers(BODY, alexa_pki, url), BODY)


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_other_certificate_urls_are_rejected_before_any_download(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost,
    url: str, reason: str,
) -> None:
    with pytest.raises(VerificationError, match="^certificate URL"):
        check_certificate_url(url)
    assert rejection(alexa_verifier, signed_headers(BODY, alexa_pki, url), BODY) == reason
    assert alexa_cert_host.request_count == 0


# --- the certificate ------------------------------------------------------------------------

@pytest.mark.parametrize(("variant", "reason"), [
    ("wrong-san", "certificate is not for echo-api.amazon.com"),
    ("expired", "certificate has expired or is not yet valid"),
    ("not-yet-valid", "certificate has expired or is not yet valid"),
    ("untrusted", "certificate chain is not trusted"),
    ("self-signed", "certificate chain is not trusted"),
    ("no-intermediate", "certificate chain is not trusted"),
])
def test_a_certificate_amazon_did_not_issue_for_alexa_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, variant: str, reason: str
) -> None:
    assert rejection(alexa_verifier, signed_headers(BODY, alexa_pki, cert_url(variant)), BODY) == reason


def test_a_download_that_is_not_a_certificate_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    alexa_cert_host.publish("garbage.pem", b"<Error><Code>AccessDenied</Code></Error>")
    headers = signed_headers(BODY, alexa_pki, cert_url("garbage"))
    assert rejection(alexa_verifier, headers, BODY) == "signing certificate could not be read"


# --- the timestamp --------------------------------------------------------------------------

@pytest.mark.parametrize(("age_seconds", "accepted"), [
    (0, True), (150, True), (-150, True),
    (151, False), (200, False), (-151, False), (-200, False),
])
def test_only_requests_sent_within_150_seconds_of_now_pass(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, age_seconds: int, accepted: bool
) -> None:
    body = launch_request_body(NOW - timedelta(seconds=age_seconds))
    headers = signed_headers(body, alexa_pki)
    if accepted:
        alexa_verifier.verify(headers, body)
    else:
        assert rejection(alexa_verifier, headers, body) == "request timestamp is too old or in the future"


@pytest.mark.parametrize("timestamp", [
    "2026-11-24T09:59:30.123Z", "2026-11-24T10:00:05.5Z", "2026-11-24T10:01:00+00:00", "2026-11-24T11:00:00+01:00",
])
def test_timestamps_with_fractions_or_offsets_are_understood(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, timestamp: str
) -> None:
    body = launch_request_body(timestamp)
    alexa_verifier.verify(signed_headers(body, alexa_pki), body)


def test_a_request_replayed_ten_minutes_later_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI
) -> None:
    sent_at = NOW - timedelta(minutes=10)
    body = launch_request_body(sent_at)
    headers = signed_headers(body, alexa_pki)
    AlexaRequestVerifier(alexa_verifier.certificates, fixed_clock(sent_at)).verify(headers, body)
    assert rejection(alexa_verifier, headers, body) == "request timestamp is too old or in the future"


def _without_timestamp() -> bytes:
    envelope = launch_request(NOW)
    del envelope["request"]["timestamp"]
    return request_body(envelope)


@pytest.mark.parametrize(("body", "reason"), [
    (b"not json", "request body is not valid JSON"),
    (b"\xff\xfe", "request body is not valid JSON"),
    (b"[]", "request timestamp is missing"),
    (b'{"version": "1.0"}', "request timestamp is missing"),
    (_without_timestamp(), "request timestamp is missing"),
    (launch_request_body("yesterday"), "request timestamp is malformed"),
    (launch_request_body("2026-11-24T10:00:00"), "request timestamp is malformed"),
    (request_body({"request": {"timestamp": 1795860000}}), "request timestamp is malformed"),
], ids=["not-json", "not-utf8", "array", "no-request", "no-timestamp", "words", "no-zone", "number"])
def test_a_signed_body_without_a_readable_timestamp_is_rejected(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, body: bytes, reason: str
) -> None:
    assert rejection(alexa_verifier, signed_headers(body, alexa_pki), body) == reason


# --- downloading and caching the certificate ------------------------------------------------

def test_the_certificate_is_downloaded_once_for_many_requests(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    for second in range(5):
        body = launch_request_body(NOW - timedelta(seconds=second))
        alexa_verifier.verify(signed_headers(body, alexa_pki), body)
    assert alexa_cert_host.request_count == 1


def test_concurrent_first_requests_share_one_download(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    start, failures = threading.Barrier(8), []

    def handle() -> None:
        start.wait()
        try:
            alexa_verifier.verify(signed_headers(BODY, alexa_pki), BODY)
        except VerificationError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=handle) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and alexa_cert_host.request_count == 1


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_a_cached_certificate_is_fetched_again_once_it_expires(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    clock = Clock(NOW)
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, clock)
    certificates.get(DEFAULT_CERT_URL)
    clock.now = NOW + timedelta(days=61)  # the leaf is good for 60 days
    for attempt in (1, 2):
        with pytest.raises(VerificationError, match="^certificate has expired or is not yet valid$"):
            certificates.get(DEFAULT_CERT_URL)
        assert alexa_cert_host.request_count == 1 + attempt  # failures are not cached


@pytest.mark.parametrize("failure", ["not found", "host down"])
def test_a_certificate_that_cannot_be_downloaded_rejects_the_request(
    alexa_verifier: AlexaRequestVerifier, alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost, failure: str
) -> None:
    if failure == "host down":
        alexa_cert_host.stop()
    url = cert_url("missing") if failure == "not found" else DEFAULT_CERT_URL
    headers = signed_headers(BODY, alexa_pki, url)
    assert rejection(alexa_verifier, headers, BODY) == "could not download the signing certificate"


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_download_is_remembered_for_a_minute_then_tried_again(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    ticks = Ticks()
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, fixed_clock(), monotonic=ticks)
    verifier = AlexaRequestVerifier(certificates, fixed_clock())
    headers = signed_headers(BODY, alexa_pki, cert_url("late"))
    rejection(verifier, headers, BODY)
    alexa_cert_host.publish("late.pem", alexa_pki.valid_chain)
    ticks.now += FAILURE_MEMORY - 1
    rejection(verifier, headers, BODY)  # remembered: no second download
    assert alexa_cert_host.request_count == 1
    ticks.now += 2
    verifier.verify(headers, BODY)
    assert alexa_cert_host.request_count == 2


def test_spellings_of_one_url_share_one_download_and_one_cache_entry(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, fixed_clock(), max_entries=2)
    spellings = [DEFAULT_CERT_URL, DEFAULT_CERT_URL.replace("s3.", "S3."),
                 DEFAULT_CERT_URL.replace(".com/", ".com:443/"),
                 DEFAULT_CERT_URL.replace("/echo.api/", "/echo.api/../echo.api/"),
                 DEFAULT_CERT_URL.replace("/echo.api/", "/echo.api/%2e/")]
    for url in spellings * 8:
        certificates.get(url)
    assert alexa_cert_host.request_count == 1 and len(certificates) == 1


def test_junk_urls_are_fetched_at_most_ten_a_minute_and_never_evict_the_good_one(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    ticks = Ticks()
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, fixed_clock(), max_entries=2,
                                    monotonic=ticks)
    certificates.get(DEFAULT_CERT_URL)
    reasons = set()
    for n in range(40):
        with pytest.raises(VerificationError) as caught:
            certificates.get(cert_url(f"junk-{n}"))
        reasons.add(str(caught.value))
    assert alexa_cert_host.request_count == NEW_URLS_PER_MINUTE  # the good URL was new too, the first time
    assert "too many certificate downloads; try again later" in reasons
    certificates.get(DEFAULT_CERT_URL)  # still cached, still served
    assert alexa_cert_host.request_count == NEW_URLS_PER_MINUTE
    ticks.now += 61
    with pytest.raises(VerificationError, match="could not download"):
        certificates.get(cert_url("junk-new"))
    assert alexa_cert_host.request_count == 1 + NEW_URLS_PER_MINUTE


def test_a_slow_download_of_one_url_does_not_hold_up_a_cached_one(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    release = threading.Event()

    def fetch(url: str) -> bytes:
        if "slow" in url:
            release.wait(5)
        return alexa_cert_host.fetcher()(url)

    certificates = CertificateCache(fetch, alexa_pki.roots, fixed_clock())
    certificates.get(DEFAULT_CERT_URL)
    slow = threading.Thread(target=lambda: pytest.raises(VerificationError, certificates.get, cert_url("slow")))
    slow.start()
    try:
        served = threading.Event()
        fast = threading.Thread(target=lambda: (certificates.get(DEFAULT_CERT_URL), served.set()))
        fast.start()
        assert served.wait(1.0), "a cached certificate waited for another URL's download"
    finally:
        release.set()
        slow.join()


def test_the_cache_keeps_only_the_most_recently_used_urls(
    alexa_pki: AlexaPKI, alexa_cert_host: CertificateHost
) -> None:
    certificates = CertificateCache(alexa_cert_host.fetcher(), alexa_pki.roots, fixed_clock(), max_entries=2)
    for name in ("a", "b", "c", "a"):
        alexa_cert_host.publish(f"{name}.pem", alexa_pki.valid_chain)
        certificates.get(cert_url(name))
    assert len(certificates) == 2 and alexa_cert_host.request_count == 4


@pytest.mark.parametrize(("path", "max_bytes"), [("/echo.api/echo-api-cert.pem", 100), ("/nothing", 10_000)])
def test_fetch_url_refuses_oversized_or_missing_files(
    alexa_cert_host: CertificateHost, path: str, max_bytes: int
) -> None:
    url = f"http://127.0.0.1:{alexa_cert_host.port}{path}"
    with pytest.raises(VerificationError, match="^could not download the signing certificate$"):
        fetch_url(url, max_bytes=max_bytes)


def test_fetch_url_downloads_only_over_http() -> None:
    with pytest.raises(VerificationError, match="^could not download the signing certificate$"):
        fetch_url("file:///etc/hostname")


# --- trusted roots --------------------------------------------------------------------------

def test_the_default_trusted_roots_are_mozillas_and_include_amazons() -> None:
    names = {root.subject.rfc4514_string() for root in load_trusted_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names


def test_trusted_roots_can_come_from_a_pem_file(alexa_pki: AlexaPKI, tmp_path: Path) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(alexa_pki.root_pem)
    assert load_trusted_roots(str(bundle)) == alexa_pki.roots

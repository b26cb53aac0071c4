"""`serve` behind the proxy it ships with: Caddy running deploy/Caddyfile, TLS, Twilio-signed webhooks.

Flask's test client (tests/test_phone.py) skips waitress; these run the real `python -m skill serve` and the real
Caddy, so they show that waitress believes X-Forwarded-* from the proxy, and only from the proxy.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from skill.answers import Answers
from skill.audio.script import audio_items
from skill.cli import cli
from skill.content import load_content
from tests.support.alexa_pki import CertificateAuthority, pem
from tests.support.call_simulator import call_params, twilio_signature
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
CADDYFILE = ROOT / "deploy" / "Caddyfile"
PUBLIC_NAME = "voice.example.org"
TOKEN = "test-twilio-auth-token"
STARTUP_SECONDS = 15.0
#: Headers a caller could send to pass itself off as the proxy.
FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "forged.example.net", "X-Forwarded-For": "203.0.113.9"}


# Talking to a server on 127.0.0.1 as the platform would talk to the public name


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS for `host` (its SNI, its certificate, its Host header), connected to 127.0.0.1: no DNS needed."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=10, context=context)
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class Endpoint:
    """A listening port on 127.0.0.1, and the address callers use for it (with TLS: the public name)."""

    port: int
    tls: ssl.SSLContext | None = None

    @property
    def base(self) -> str:
        return f"https://{PUBLIC_NAME}:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes = b"",
                headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        connection = (_LoopbackHTTPS(PUBLIC_NAME, self.port, self.tls) if self.tls
                      else http.client.HTTPConnection("127.0.0.1", self.port, timeout=10))
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            reply = connection.getresponse()
            return reply.status, reply.read()
        finally:
            connection.close()

    def answers(self) -> bool:
        try:
            return self.request("GET", "/healthz")[0] == 200
        except (OSError, http.client.HTTPException):  # not listening yet, or the upstream not ready
            return False


def post_signed(endpoint: Endpoint, signed_for: str, fields: Mapping[str, str], signature: str | None = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    """POST form `fields` to the path of `signed_for`, as Twilio does after signing that URL."""
    parts = urlsplit(signed_for)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    sent = {"Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature or twilio_signature(TOKEN, signed_for, fields), **(headers or {})}
    status, body = endpoint.request("POST", path, urlencode(fields).encode(), sent)
    return status, body.decode()


def twiml_urls(body: str) -> list[str]:
    """Every URL the platform would fetch or post to next: <Play>, <Gather action>, <Redirect>."""
    root = ET.fromstring(body)
    assert list(root.iter("Play")) and list(root.iter("Gather")), body
    return ([verb.text or "" for verb in root.iter("Play")] + [verb.get("action", "") for verb in root.iter("Gather")]
            + [verb.text or "" for verb in root.iter("Redirect")])


def first(body: str, verb: str) -> ET.Element:
    found = ET.fromstring(body).find(f".//{verb}")
    assert found is not None, f"no <{verb}> in {body}"
    return found


# Processes


@dataclass
class Running:
    """A program a test started; stopped (and waited for) at the end of the module."""

    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(command: list[str], env: Mapping[str, str], log: Path, ready: Callable[[], bool]) -> Running:
    with log.open("wb") as out:
        running = Running(subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT), log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise AssertionError(f"{command} exited with {running.process.returncode}:\n{log.read_text()}")
        if ready():
            return running
        time.sleep(0.05)
    running.stop()
    raise AssertionError(f"{command} not answering after {STARTUP_SECONDS} s:\n{log.read_text()}")


def serve(folder: Path, audio: Path, *args: str, **env: str) -> Iterator[Endpoint]:
    """`python -m skill serve` on a free port, phone signatures on, no PHONE_PUBLIC_BASE_URL."""
    app = Endpoint(free_port())
    inherited = {k: v for k, v in os.environ.items() if k not in ("PHONE_PUBLIC_BASE_URL", "TRUSTED_PROXY")}
    settings = {**inherited, "TWILIO_AUTH_TOKEN": TOKEN, "PHONE_VERIFY_SIGNATURES": "1", "AUDIO_DIR": str(audio),
                **env}
    command = [sys.executable, "-m", "skill", "serve", "--port", str(app.port), *args]
    running = start(command, settings, folder / "serve.log", app.answers)
    yield app
    running.stop()


# Fixtures


@dataclass(frozen=True)
class ProxyCertificate:
    """A certificate for PUBLIC_NAME from a throwaway CA, and a client context that trusts only that CA."""

    cert: Path
    key: Path
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.skip("caddy is not installed (scripts/system-packages --browser installs Debian's caddy)")
    return found


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A telephone WAV (10 ms of silence) for every prompt and answer, so the TwiML has <Play> URLs."""
    folder = tmp_path_factory.mktemp("audio")
    (folder / "phone").mkdir()
    for item in audio_items(Answers(load_content(), date.today)):
        with wave.open(str(folder / "phone" / f"{item.name}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(b"\0\0" * 80)
    return folder


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ProxyCertificate:
    now = datetime.now(UTC)
    authority = CertificateAuthority.root("Proxy Test Root CA", now=now)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = authority.leaf(key, dns_name=PUBLIC_NAME, not_before=now - timedelta(days=1),
                          not_after=now + timedelta(days=1))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(pem(leaf))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    client = ssl.create_default_context(cadata=pem(authority.cert).decode())
    return ProxyCertificate(folder / "cert.pem", folder / "key.pem", client)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, audio: Path) -> Iterator[Endpoint]:
    """`serve` as deployed: trusting the proxy on 127.0.0.1 (the default)."""
    yield from serve(tmp_path_factory.mktemp("serve"), audio)


@pytest.fixture(scope="module")
def public(caddy: str, app: Endpoint, certificate: ProxyCertificate,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """Caddy with deploy/Caddyfile in front of `app`: https://voice.example.org:PORT, the test CA's certificate."""
    folder = tmp_path_factory.mktemp("caddy")
    proxy = Endpoint(free_port(), certificate.client)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
           "XDG_CONFIG_HOME": str(folder / "config"), "SITE_ADDRESS": f"{PUBLIC_NAME}:{proxy.port}",
           "CADDY_TLS": f"{certificate.cert} {certificate.key}", "UPSTREAM": f"127.0.0.1:{app.port}",
           "HTTPS_PORT": str(proxy.port), "HTTP_PORT": str(free_port()), "CADDY_ADMIN": "off"}
    command = [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    running = start(command, env, folder / "caddy.log", proxy.answers)
    yield proxy
    running.stop()


@pytest.fixture(scope="module", params=[
    pytest.param({"args": ["--trusted-proxy", "192.0.2.1"]}, id="--trusted-proxy another-machine"),
    pytest.param({"env": {"TRUSTED_PROXY": "none"}}, id="TRUSTED_PROXY=none"),
])
def untrusting_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   audio: Path) -> Iterator[Endpoint]:
    """`serve` whose trusted proxy is not this test (set on the command line, or in the environment)."""
    folder = tmp_path_factory.mktemp("serve-untrusting")
    yield from serve(folder, audio, *request.param.get("args", []), **request.param.get("env", {}))


# Through the proxy


def test_a_twilio_signed_call_through_caddy_is_answered_with_public_https_urls(public: Endpoint) -> None:
    status, body = post_signed(public, f"{public.base}/phone/voice", call_params(CallStatus="ringing"))
    assert status == 200, body
    urls = twiml_urls(body)
    assert all(url.startswith(f"{public.base}/") for url in urls), urls
    # The platform follows them: the recording plays, and the key press is signed for the action URL.
    status, wav = public.request("GET", urlsplit(first(body, "Play").text or "").path)
    assert (status, wav[:4]) == (200, b"RIFF")
    status, body = post_signed(public, first(body, "Gather").get("action", ""), call_params(Digits="1"))
    assert status == 200, body
    assert all(url.startswith(f"{public.base}/") for url in twiml_urls(body))


def test_a_bad_signature_through_caddy_is_refused(public: Endpoint) -> None:
    fields = call_params()
    wrong = twilio_signature("someone-elses-token", f"{public.base}/phone/voice", fields)
    status, body = post_signed(public, f"{public.base}/phone/voice", fields, signature=wrong)
    assert status == 403
    assert "invalid X-Twilio-Signature" in body


def test_a_callers_own_forwarded_headers_do_not_get_past_caddy(public: Endpoint) -> None:
    """Caddy replaces X-Forwarded-* from callers it does not trust, so the app still sees the public address."""
    status, body = post_signed(public, f"{public.base}/phone/voice", call_params(), headers=FORGED)
    assert status == 200, body
    assert all(url.startswith(f"{public.base}/") for url in twiml_urls(body))


# Straight to `serve`, from a peer that is not its trusted proxy


def test_forwarded_headers_from_a_peer_that_is_not_the_trusted_proxy_are_ignored(untrusting_app: Endpoint) -> None:
    forged_url = f"https://{FORGED['X-Forwarded-Host']}/phone/voice"
    status, _ = post_signed(untrusting_app, forged_url, call_params(), headers=FORGED)
    assert status == 403  # checked against the address really called, not the forged one
    status, body = post_signed(untrusting_app, f"{untrusting_app.base}/phone/voice", call_params(), headers=FORGED)
    assert status == 200, body
    assert all(url.startswith(f"{untrusting_app.base}/") for url in twiml_urls(body))


@pytest.mark.parametrize("address", ["localhost", "voice.example.org", "127.0.0.300"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused_before_serving(address: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--trusted-proxy", address])
    assert result.exit_code == 2
    assert "is not an IP address" in result.output
    assert "Traceback" not in result.output

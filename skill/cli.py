"""The command line: a thin click group over the library. Errors become messages, never tracebacks."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from .check import check_content
from .content import DEFAULT_CONTENT_PATH
from .errors import SkillError
from .service import Service
from .serving import DEFAULT_TRUSTED_PROXY, describe, trusted_proxy, waitress_options

MODELS_DIR = Path(__file__).resolve().parent.parent / "interaction_models"
AUDIO_DIR = Path(__file__).resolve().parent.parent / "audio"


def _service(content_path: str) -> Service:
    try:
        return Service.load(content_path)
    except SkillError as exc:
        raise click.ClickException(str(exc)) from exc


def _proxy_address(value: str) -> str | None:
    try:
        return trusted_proxy(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.group()
def cli() -> None:
    """Spoken answers from Cancer Research UK's page on secondary breast cancer."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--trusted-proxy", "proxy", default=DEFAULT_TRUSTED_PROXY, show_default=True, envvar="TRUSTED_PROXY",
              show_envvar=True, callback=lambda _ctx, _param, value: _proxy_address(value),
              help="The reverse proxy's address: only its X-Forwarded-Proto, -Host and -For are believed. "
                   "'none' believes no proxy.")
def serve(host: str, port: int, threads: int, proxy: str | None) -> None:
    """Serve the page, the Alexa endpoint (POST /alexa), /phone and /healthz with waitress."""
    import waitress

    from .app import create_app

    try:
        app = create_app()
    except SkillError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Serving on http://{host}:{port}  (the page at /, POST /alexa, /phone, GET /healthz); Ctrl+C to stop")
    click.echo(describe(proxy))
    waitress.serve(app, **waitress_options(host, port, threads, proxy))


@cli.command("serve-wyoming")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: 0.0.0.0 when Home Assistant runs on another machine.")
@click.option("--port", default=10700, show_default=True, type=click.IntRange(1, 65535))
@click.option("--zeroconf", "zeroconf_name", is_flag=False, flag_value="secondary-breast-cancer", default=None,
              metavar="[NAME]", help="Announce the service on the local network (mDNS _wyoming._tcp) so Home "
                                     "Assistant finds it; NAME defaults to secondary-breast-cancer.")
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
def serve_wyoming(host: str, port: int, zeroconf_name: str | None, content_path: str) -> None:
    """Answer Home Assistant Assist over Wyoming: a local conversation agent (a "handle" service)."""
    from .wyoming.server import run

    if zeroconf_name is not None and host.startswith("127."):
        raise click.UsageError("--zeroconf announces the service to other machines, so it must listen for them "
                               "too: add --host 0.0.0.0 (or this machine's address).")
    service = _service(content_path)

    def ready(address: str) -> None:
        click.echo(f"Serving Wyoming on {address} (describe, transcript, ping); Ctrl+C to stop")

    try:
        run(service, host, port, zeroconf_name, home_url=os.environ.get("PUBLIC_BASE_URL") or "", ready=ready)
    except SkillError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    click.echo("Stopped.")


@cli.command()
@click.argument("question", nargs=-1)
@click.option("--jsonl", is_flag=True, help="Read one question per line on stdin; write one JSON object per line.")
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
def ask(question: tuple[str, ...], jsonl: bool, content_path: str) -> None:
    """Print the spoken answer to QUESTION, as the skill would say it."""
    service = _service(content_path)
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                route = service.router.route(line)
                speech = service.answers.for_route(route)
                row = {"question": line.strip(), "kind": route.kind, "topic": route.topic, "speech": speech}
                if route.kind == "clarify":  # the two topics offered, the likelier first
                    row["topics"] = list(route.topics)
                if route.move is not None:  # navigation: what the words ask for ("help", "repeat", "key")
                    row["action"] = route.move.action
                    if route.move.key:
                        row["key"] = route.move.key
                click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not question:
        raise click.UsageError("Give a question, e.g. skill ask where does breast cancer spread, or use --jsonl.")
    click.echo(service.answers.for_route(service.router.route(" ".join(question))))


@cli.command()
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as if today were this date.")
def check(content_path: str, today: object) -> None:
    """Validate the content and report length, reading ease, SSML and the review date."""
    service = _service(content_path)
    day = today.date() if today else date.today()  # type: ignore[attr-defined]
    report = check_content(service.content, day)
    click.echo(f"{service.content.path}: {len(service.content.topics)} topics, schema valid")
    for line in report.lines:
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} problem(s) in the content")
    click.echo("ok" + (f" ({len(report.warnings)} warning(s))" if report.warnings else ""))


@cli.command("build-models")
@click.option("--out", default=str(MODELS_DIR), show_default=True, type=click.Path(file_okay=False))
@click.option("--check", "check_only", is_flag=True, help="Write nothing; fail if the files differ from content.")
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
def build_models(out: str, check_only: bool, content_path: str) -> None:
    """Write the Alexa interaction models (ASK CLI layout) from the content."""
    from .models import stale_models, write_models

    service = _service(content_path)
    try:
        if check_only:
            stale = stale_models(service.content, Path(out))
            if stale:
                raise click.ClickException(
                    f"{len(stale)} file(s) differ from content: {', '.join(stale)}. Run: python -m skill build-models"
                )
            click.echo(f"{out}: up to date")
            return
        written = write_models(service.content, Path(out))
    except SkillError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{out}: {len(written)} file(s) written" if written else f"{out}: already up to date")


@cli.command("build-audio")
@click.option("--engine", "engine_name", type=click.Choice(["gtts", "espeak-ng"]), default="gtts", show_default=True,
              help="gtts: Google's British English voice (needs the internet). espeak-ng: offline.")
@click.option("--out", default=str(AUDIO_DIR), show_default=True, type=click.Path(file_okay=False))
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
@click.option("--pronunciations", "pronunciations_path", default=None, type=click.Path(dir_okay=False),
              help="Pronunciation table (default: content/pronunciations.yaml).")
@click.option("--workers", default=None, type=click.IntRange(1, 8), help="Items made at once (gtts: at most 3).")
@click.option("--public-url", envvar="PUBLIC_BASE_URL", default=None, callback=lambda c, p, v: _site_root(v),
              help="The site's public root (https://example.org): write the podcast feed, feed.xml, with it.")
@click.option("--owner-email", envvar="PODCAST_OWNER_EMAIL", default=None, help="The feed owner's email address.")
@click.option("--image-url", envvar="PODCAST_IMAGE_URL", default=None,
              help="The podcast's square JPEG or PNG cover (1400-3000 px), by URL.")
def build_audio(engine_name: str, out: str, content_path: str, pronunciations_path: str | None,
                workers: int | None, public_url: str | None, owner_email: str | None, image_url: str | None) -> None:
    """Make the audio in advance: MP3 for listeners, WAV and G.711 for phone systems, playlist and bundle."""
    from .audio.build import AudioBuild
    from .audio.pronounce import DEFAULT_PRONUNCIATIONS, Pronunciations
    from .podcast.feed import FeedSettings

    service = _service(content_path)
    engine, default_workers = _engine(engine_name)
    try:
        pronunciations = Pronunciations.load(pronunciations_path or DEFAULT_PRONUNCIATIONS)
    except SkillError as exc:
        raise click.ClickException(str(exc)) from exc
    build = AudioBuild(service.answers, engine, Path(out), pronunciations,
                       workers=min(workers or default_workers, default_workers if engine_name == "gtts" else 8),
                       feed=FeedSettings(public_url, owner_email, image_url) if public_url else None)
    try:
        make, _, _ = build.plan()
        if make and sys.stderr.isatty():
            bar: Any
            with click.progressbar(length=len(make), label="Making audio", file=sys.stderr) as bar:
                report = build.run(progress=lambda item: bar.update(1))
        else:
            report = build.run()
    except SkillError as exc:
        raise click.ClickException(f"{exc}\nNothing in {out} was changed.") from exc
    click.echo(f"{out}: made {len(report.made)}, kept {len(report.kept)}, wrote {len(report.written)} file(s)"
               f"{f', removed {len(report.removed)}' if report.removed else ''} in {report.seconds:.1f} s")
    if not public_url:
        click.echo("feed.xml not written: its links must be absolute, so give --public-url (the app serves "
                   "/feed.xml itself)")


def _site_root(value: str | None) -> str | None:
    from .podcast.feed import site_root

    try:
        return site_root(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _engine(name: str) -> tuple[Any, int]:
    if name == "espeak-ng":
        from .audio.espeak_engine import EspeakEngine

        return EspeakEngine(), max(1, os.cpu_count() or 1)
    from .audio.gtts_engine import GTTSEngine

    env = os.environ
    try:
        engine = GTTSEngine(base_url=env.get("GTTS_BASE_URL") or None,
                            timeout=float(env.get("GTTS_TIMEOUT", 10)), retries=int(env.get("GTTS_RETRIES", 4)),
                            backoff=float(env.get("GTTS_BACKOFF", 1)))
    except ValueError as exc:
        raise click.ClickException(f"GTTS_TIMEOUT, GTTS_RETRIES and GTTS_BACKOFF must be numbers ({exc})") from exc
    return engine, 3


@cli.command("export-phone")
@click.option("--format", "fmt", type=click.Choice(["asterisk"]), default="asterisk", show_default=True,
              help="The telephone system to export for.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--audio", "audio_dir", default=str(AUDIO_DIR), show_default=True, type=click.Path(file_okay=False),
              help="The audio build to take the phone sounds from (python -m skill build-audio).")
@click.option("--content", "content_path", default=str(DEFAULT_CONTENT_PATH), show_default=True, type=click.Path())
def export_phone(fmt: str, out: str, audio_dir: str, content_path: str) -> None:
    """Write the telephone menu for an on-premise exchange: Asterisk dialplan, sounds and README.txt."""
    from .phone.asterisk import export_asterisk

    service = _service(content_path)
    try:
        report = export_asterisk(service.content.phone, Path(audio_dir), Path(out))
    except SkillError as exc:
        raise click.ClickException(f"{exc}\nNothing was written to {out}.") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write the export to {out}: {exc}") from exc
    click.echo(f"{out}: wrote {len(report.written)} file(s), {len(report.unchanged)} unchanged"
               f"{f', removed {len(report.removed)}' if report.removed else ''}")

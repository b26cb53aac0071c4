"""The podcast feed as podcast apps meet it: served by waitress, parsed back with feedparser, every episode, chapter
file and transcript fetched as an app fetches them; then GUIDs and dates across rebuilds, and the written feed."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import numpy as np
import pytest
import requests
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask import Flask
from mutagen.id3 import ID3
from mutagen.mp3 import MPEGInfo

from skill.answers import Answers
from skill.app import create_app
from skill.audio.build import AudioBuild
from skill.audio.espeak_engine import EspeakEngine
from skill.audio.process import decode
from skill.audio.pronounce import Pronunciations
from skill.cli import cli
from skill.content import DEFAULT_CONTENT_PATH, load_content
from skill.service import Service
from tests.support.browser import LiveServer

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")
CONTENT = load_content()
TOPICS = CONTENT.topics
ANSWERS = Answers(CONTENT)
#: Topic id -> (the short answer, the full section), as spoken.
WORDS = {topic.id: (ANSWERS.short(topic), ANSWERS.full(topic)) for topic in TOPICS}
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}
CHAPTERS_SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "podcast" / "chapters.schema.json").read_text())
OWNER = "owner@example.org"
EDITED = "where-it-spreads"


def make_app(audio_dir: Path, **config: Any) -> Flask:
    return create_app({"TESTING": True, "ALEXA_VERIFY_SIGNATURES": False, "PHONE_VERIFY_SIGNATURES": False,
                       "AUDIO_DIR": str(audio_dir), **config})


def parsed(xml: bytes) -> Any:
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def dates(feed: Any) -> dict[str, str]:
    """GUID -> pubDate, as an app keys its episodes."""
    return {entry.id: entry.published for entry in feed.entries}


def guids(feed: Any) -> dict[str, str]:
    """Topic (from the episode's link) -> GUID."""
    return {entry.link.rsplit("#", 1)[1]: entry.id for entry in feed.entries}


@dataclass
class Served:
    url: str
    http: requests.Session
    raw: bytes
    feed: Any
    root: ET.Element

    def get(self, url: str) -> requests.Response:
        response = self.http.get(url, timeout=10)
        assert response.status_code == 200, url
        return response


@pytest.fixture(scope="module")
def served(built_audio: Path) -> Iterator[Served]:
    with LiveServer(make_app(built_audio, PODCAST_OWNER_EMAIL=OWNER)) as live, requests.Session() as http:
        http.trust_env = False  # straight to 127.0.0.1, whatever proxy the environment names
        response = http.get(f"{live.url}/feed.xml", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/rss+xml")
        yield Served(live.url, http, response.content, parsed(response.content), ET.fromstring(response.content))


@pytest.fixture(scope="module")
def episodes(served: Served) -> dict[str, bytes]:
    """Every enclosure, downloaded from its URL: topic id -> MP3."""
    return {topic: served.get(entry.enclosures[0].href).content
            for topic, entry in zip((t.id for t in TOPICS), served.feed.entries)}


@pytest.fixture
def one_topic_edited(tmp_path: Path) -> Path:
    """The content with one sentence of one topic's short answer changed."""
    edited = tmp_path / "content.yaml"
    text = DEFAULT_CONTENT_PATH.read_text()
    assert "It most commonly goes to the liver" in text
    edited.write_text(text.replace("It most commonly goes to the liver", "It most often goes to the liver"))
    (tmp_path / "source").symlink_to(DEFAULT_CONTENT_PATH.parent / "source")
    return edited


def rebuilt(built: Path, out: Path, content: Path = DEFAULT_CONTENT_PATH) -> Path:
    shutil.copytree(built, out, symlinks=True)
    AudioBuild(Service.load(content).answers, EspeakEngine(), out, Pronunciations.load(), workers=2).run()
    return out


def seconds(mp3: bytes) -> float:
    """The length mutagen reads from the MP3's gapless header, as podcast apps do."""
    return float(MPEGInfo(io.BytesIO(mp3)).length)


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    blocks = text.strip().split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues = []
    for block in blocks[1:]:
        _number, times, *words = block.split("\n")
        start, end = (_timestamp(stamp) for stamp in times.split(" --> "))
        cues.append((start, end, " ".join(words).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")))
    return cues


def _timestamp(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


# 1. The channel, as Apple Podcasts checks it

def test_the_feed_is_rss_2_with_the_itunes_and_podcasting_2_namespaces(served: Served) -> None:
    assert served.feed.version == "rss20" and served.root.tag == "rss" and served.root.get("version") == "2.0"
    for prefix in ("itunes", "podcast"):
        assert f'xmlns:{prefix}="{NS[prefix]}"'.encode() in served.raw


def test_the_channel_has_every_tag_apple_requires_and_says_whose_page_it_is(served: Served) -> None:
    channel, feed = served.root.find("channel"), served.feed.feed
    assert channel is not None
    assert feed.title == "Secondary breast cancer guide"
    assert "based on Cancer Research UK's page" in feed.subtitle.replace("Based", "based")
    assert "not made by Cancer Research UK" in feed.subtitle and "not medical advice" in feed.subtitle
    assert feed.language == "en-gb"
    assert [(tag.term, tag.scheme) for tag in feed.tags] == [("Health & Fitness", "http://www.itunes.com/"),
                                                             ("Medicine", "http://www.itunes.com/")]
    category = channel.find("itunes:category", NS)
    assert category is not None and category.get("text") == "Health & Fitness"
    assert [sub.get("text") for sub in category.findall("itunes:category", NS)] == ["Medicine"]
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false" and not feed.get("itunes_explicit")
    assert feed.author == "Secondary breast cancer guide"
    assert feed.publisher_detail.email == OWNER
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    # The build's own cover, square and within the size Apple asks for, served as a PNG.
    image = channel.find("itunes:image", NS)
    assert image is not None and image.get("href") == f"{served.url}/audio/podcast/cover.png" == feed.image.href
    cover = requests.get(image.get("href"), timeout=10)
    assert cover.headers["Content-Type"] == "image/png" and cover.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", cover.content[16:24])
    assert width == height and 1400 <= width <= 3000


def test_podcasting_2_channel_tags_lock_the_feed_and_give_it_a_lasting_guid(served: Served) -> None:
    channel = served.root.find("channel")
    assert channel is not None
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "yes" and locked.get("owner") == OWNER
    self_link = channel.find("atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href") == f"{served.url}/feed.xml"
    expected = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), served.url.split("://")[1] + "/feed.xml")
    assert channel.findtext("podcast:guid", namespaces=NS) == str(expected)


def test_a_configured_cover_image_replaces_the_builds_own(built_audio: Path) -> None:
    cover = "https://cdn.example.org/cover-3000.png"
    xml = make_app(built_audio, PODCAST_IMAGE_URL=cover).test_client().get("/feed.xml").data
    assert parsed(xml).feed.image.href == cover
    image = ET.fromstring(xml).find("channel/itunes:image", NS)
    assert image is not None and image.get("href") == cover


# 2. The episodes, fetched as an app fetches them

def test_every_topic_is_one_episode_in_page_order_with_what_apple_requires(served: Served) -> None:
    entries = served.feed.entries
    assert [entry.title for entry in entries] == [topic.title for topic in TOPICS]
    assert [int(entry.itunes_episode) for entry in entries] == list(range(1, len(TOPICS) + 1))
    for topic, entry in zip(TOPICS, entries):
        assert entry.id.startswith(f"{topic.id}-") and entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert enclosure.href == f"{served.url}/audio/podcast/{topic.id}.mp3"
        assert enclosure.type == "audio/mpeg" and int(enclosure.length) > 0
        assert entry.summary.startswith(WORDS[topic.id][0])
        assert entry.published_parsed is not None


def test_enclosure_lengths_are_the_files_sizes_and_durations_are_mutagens(served: Served,
                                                                          episodes: dict[str, bytes]) -> None:
    for topic, entry in zip(TOPICS, served.feed.entries):
        mp3 = episodes[topic.id]
        assert int(entry.enclosures[0].length) == len(mp3)
        assert int(entry.itunes_duration) == round(seconds(mp3))


def test_an_episode_is_the_short_answer_then_the_full_section_sample_for_sample(served: Served,
                                                                                 episodes: dict[str, bytes]) -> None:
    for topic in TOPICS:
        chapters = served.get(f"{served.url}/audio/podcast/{topic.id}.chapters.json").json()["chapters"]
        heard = decode(episodes[topic.id])
        for chapter, name in zip(chapters, (topic.id, f"{topic.id}-full")):
            part = decode(served.get(f"{served.url}/audio/mp3/{name}.mp3").content).samples
            start = round(chapter["startTime"] * heard.rate)
            assert np.allclose(heard.samples[start:start + len(part)], part, atol=1e-4), name
        assert len(heard.samples) == start + len(part)  # nothing after the full section


def test_chapters_are_podcasting_2_json_and_the_same_as_the_mp3s_chap_frames(served: Served,
                                                                            episodes: dict[str, bytes]) -> None:
    for topic, item in zip(TOPICS, served.root.iter("item")):
        link = item.find("podcast:chapters", NS)
        assert link is not None and link.get("type") == "application/json+chapters"
        response = served.get(str(link.get("url")))
        assert response.headers["Content-Type"].startswith("application/json+chapters")
        document = response.json()
        jsonschema.validate(document, CHAPTERS_SCHEMA)
        chapters = document["chapters"]
        assert [c["title"] for c in chapters] == ["The short answer", "The full section"]
        assert chapters[0]["startTime"] == 0 and chapters[0]["endTime"] == chapters[1]["startTime"]
        mp3 = episodes[topic.id]
        assert chapters[1]["endTime"] == pytest.approx(seconds(mp3), abs=0.001)
        id3 = ID3(io.BytesIO(mp3))
        frames = sorted(id3.getall("CHAP"), key=lambda frame: frame.start_time)
        assert [(f.sub_frames["TIT2"].text[0], f.start_time, f.end_time) for f in frames] == [
            (c["title"], round(c["startTime"] * 1000), round(c["endTime"] * 1000)) for c in chapters]
        (toc,) = id3.getall("CTOC")
        assert toc.child_element_ids == [frame.element_id for frame in frames] and toc.flags == 3  # top, ordered


def test_transcripts_are_served_as_webvtt_with_every_word_in_order(served: Served,
                                                                   episodes: dict[str, bytes]) -> None:
    for topic, item in zip(TOPICS, served.root.iter("item")):
        link = item.find("podcast:transcript", NS)
        assert link is not None and link.get("type") == "text/vtt" and link.get("language") == "en-GB"
        response = served.get(str(link.get("url")))
        assert response.headers["Content-Type"].startswith("text/vtt")
        cues = vtt_cues(response.text)
        assert " ".join(text for _, _, text in cues) == " ".join(" ".join(WORDS[topic.id]).split())
        times = [time for start, end, _ in cues for time in (start, end)]
        assert times == sorted(times) and times[-1] <= seconds(episodes[topic.id]) + 0.001
        full_starts = served.get(f"{served.url}/audio/podcast/{topic.id}.chapters.json").json()["chapters"][1]
        assert full_starts["startTime"] in [start for start, _, _ in cues]  # the full section starts a cue


def test_the_page_offers_the_feed_where_it_offers_the_recordings_to_keep(served: Served) -> None:
    page = BeautifulSoup(served.get(served.url + "/").text, "html.parser")
    link = page.select_one("#offline a[href='/feed.xml']")
    assert link is not None and link.get_text(strip=True) == "Subscribe in a podcast app"
    instructions = link.find_previous("p")
    assert instructions is not None and "Copy this link into the app" in instructions.get_text()
    discovered = page.select_one("head link[rel=alternate][type='application/rss+xml']")
    assert discovered is not None and discovered["href"] == "/feed.xml"


def test_without_recordings_there_is_no_feed_and_no_offer(tmp_path: Path) -> None:
    client = make_app(tmp_path).test_client()
    assert client.get("/feed.xml").status_code == 404
    assert b"/feed.xml" not in client.get("/").data


# 3. Addresses

@pytest.mark.parametrize("config, headers, base", [
    ({}, {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "guide.example"}, "https://guide.example"),
    ({"PUBLIC_BASE_URL": "https://listen.example/"}, {"X-Forwarded-Host": "other.example"}, "https://listen.example"),
], ids=["from the proxy's headers", "from PUBLIC_BASE_URL"])
def test_every_url_in_the_feed_is_absolute_from_the_public_address(built_audio: Path, config: dict[str, str],
                                                                   headers: dict[str, str], base: str) -> None:
    xml = make_app(built_audio, **config).test_client().get("/feed.xml", headers=headers).data
    urls = re.findall(rb'(?:url|href)="([^"]+)"|<link>([^<]+)</link>', xml)
    assert urls and all((a or b).decode().startswith(base + "/") for a, b in urls)


# 4. Rebuilds: GUIDs and dates

def test_a_rebuild_that_changes_nothing_keeps_every_guid_and_date(built_audio: Path, tmp_path: Path,
                                                                  served: Served) -> None:
    out = rebuilt(built_audio, tmp_path / "audio")
    again = parsed(make_app(out).test_client().get("/feed.xml", base_url=served.url).data)
    assert dates(again) == dates(served.feed) and guids(again) == guids(served.feed)


def test_new_words_in_one_topic_give_it_a_new_guid_and_date_and_leave_the_others(
        built_audio: Path, tmp_path: Path, served: Served, one_topic_edited: Path) -> None:
    stale = parsed(make_app(built_audio, CONTENT_PATH=str(one_topic_edited)).test_client().get("/feed.xml").data)
    assert EDITED not in guids(stale) and len(stale.entries) == len(TOPICS) - 1  # not built yet: not offered

    started = datetime.now(UTC).replace(microsecond=0)
    out = rebuilt(built_audio, tmp_path / "audio", one_topic_edited)
    client = make_app(out, CONTENT_PATH=str(one_topic_edited)).test_client()
    after = parsed(client.get("/feed.xml", base_url=served.url).data)
    before = served.feed
    changed = {topic for topic in guids(before) if guids(before)[topic] != guids(after)[topic]}
    assert changed == {EDITED}
    new = next(entry for entry in after.entries if entry.link.endswith(f"#{EDITED}"))
    assert started - timedelta(seconds=len(TOPICS)) <= parsedate_to_datetime(new.published)
    kept = {guid: date for guid, date in dates(after).items() if guid != new.id}
    assert kept == {guid: date for guid, date in dates(before).items() if guid in kept}

    AudioBuild(Service.load(one_topic_edited).answers, EspeakEngine(), out, Pronunciations.load()).run()
    assert dates(parsed(client.get("/feed.xml", base_url=served.url).data)) == dates(after)  # the new date is kept


# 5. The feed the build writes

def test_build_audio_with_a_public_url_writes_the_feed_the_app_serves(built_audio: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBLIC_BASE_URL", "PODCAST_OWNER_EMAIL", "PODCAST_IMAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "audio"
    shutil.copytree(built_audio, out, symlinks=True)
    command = ["build-audio", "--engine", "espeak-ng", "--out", str(out)]
    without = CliRunner().invoke(cli, command)
    assert without.exit_code == 0 and "feed.xml not written" in without.output and not (out / "feed.xml").exists()

    result = CliRunner().invoke(cli, [*command, "--public-url", "https://guide.example/", "--owner-email", OWNER])
    assert result.exit_code == 0, result.output
    app = make_app(out, PUBLIC_BASE_URL="https://guide.example", PODCAST_OWNER_EMAIL=OWNER)
    assert (out / "feed.xml").read_bytes() == app.test_client().get("/feed.xml").data
    assert len(parsed((out / "feed.xml").read_bytes()).entries) == len(TOPICS)

    refused = CliRunner().invoke(cli, [*command, "--public-url", "guide.example"])
    assert refused.exit_code == 2 and "https://example.org" in refused.output

"""The RSS 2.0 feed podcast apps subscribe to, with Apple's `itunes:` tags and Podcasting 2.0's `podcast:` tags.

Made with feedgen and its podcast extension, plus `namespace.py` for what feedgen lacks. The same function makes
the feed the app serves at `/feed.xml` and the `feed.xml` the build writes, so with the same public address both
are byte for byte the same. Every date in it comes from the episodes (none from the clock), so an unchanged
build writes an unchanged feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from ..answers import Answers, spoken_date
from .chapters import CHAPTERS_TYPE, TRANSCRIPT_TYPE
from .cover import COVER
from .episodes import PODCAST_NAME, Episode
from .namespace import NAME, PodcastingEntryExtension, PodcastingExtension, show_guid

#: Where the build writes the feed in the audio folder; where the app serves it.
FEED = "feed.xml"
CATEGORY = {"cat": "Health & Fitness", "sub": "Medicine"}


@dataclass(frozen=True)
class FeedSettings:
    """What the feed says that the content does not: where it is published, and who answers for it."""

    base_url: str  # the site's public root, e.g. https://example.org: the page, /feed.xml and /audio/... under it
    owner_email: str | None = None
    image_url: str | None = None  # a square JPEG or PNG, 1400 to 3000 px; by default the build's own cover

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/{FEED}"

    def audio_url(self, path: str) -> str:
        return f"{self.base_url}/audio/{path}"


def site_root(url: str) -> str:
    """A public root as the feed uses it: http(s), a host, no query or fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not a site's public address; give one like https://example.org")
    return url.strip().rstrip("/")


def podcast_feed(answers: Answers, episodes: list[Episode], settings: FeedSettings) -> bytes:
    feed = _channel(answers, settings)
    if episodes:
        feed.lastBuildDate(max(episode.published for episode in episodes))
    else:
        feed.lastBuildDate(datetime.combine(answers.content.page.last_reviewed, time(), UTC))
    topics = {topic.id: topic for topic in answers.content.topics}
    page = answers.content.page
    for episode in episodes:
        topic = topics[episode.topic]
        entry = feed.add_entry(order="append")
        entry.guid(episode.guid, permalink=False)
        entry.title(topic.title)
        entry.link(href=f"{settings.base_url}/#{topic.id}")
        entry.description(f"{answers.short(topic)} This episode has the short answer, then the full section. From "
                          f"{page.publisher}'s page, last reviewed {spoken_date(page.last_reviewed)}. "
                          "Not medical advice.")
        entry.published(episode.published)
        entry.enclosure(settings.audio_url(episode.paths["mp3"]), str(episode.size), "audio/mpeg")
        entry.podcast.itunes_duration(round(episode.duration))
        entry.podcast.itunes_episode(episode.number)
        entry.podcast.itunes_episode_type("full")
        getattr(entry, NAME).transcript(settings.audio_url(episode.paths["transcript"]), TRANSCRIPT_TYPE, "en-GB")
        getattr(entry, NAME).chapters(settings.audio_url(episode.paths["chapters"]), CHAPTERS_TYPE)
    xml: bytes = feed.rss_str(pretty=True)
    return xml


def _channel(answers: Answers, settings: FeedSettings) -> FeedGenerator:
    page = answers.content.page
    nurse = page.nurse_line
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.register_extension(NAME, PodcastingExtension, PodcastingEntryExtension)
    feed.title(PODCAST_NAME)
    feed.description(
        f"Every section of {page.publisher}'s page \u201c{page.title}\u201d, read aloud: one episode a topic, the "
        f"short answer first, then the full section. Based on {page.publisher}'s page; not made by "
        f"{page.publisher}. General information, not medical advice: for questions about you, talk to your doctor "
        f"or nurse, or phone the {page.publisher} nurses on {nurse.number}, {nurse.hours}. In an emergency, call "
        "999.")
    feed.language("en-gb")
    feed.link(href=settings.feed_url, rel="self")
    feed.link(href=f"{settings.base_url}/", rel="alternate")  # after: RSS's <link> is feedgen's last link
    podcast = feed.podcast
    podcast.itunes_author(PODCAST_NAME)
    podcast.itunes_category(CATEGORY)
    podcast.itunes_type("serial")  # listened to in order, from the first topic
    if settings.owner_email:
        podcast.itunes_owner(name=PODCAST_NAME, email=settings.owner_email)
    image = settings.image_url or settings.audio_url(COVER)  # the build's own cover unless one is configured
    podcast.itunes_image(image)
    feed.image(url=image, title=PODCAST_NAME, link=f"{settings.base_url}/")
    extra = getattr(feed, NAME)
    extra.explicit(False)
    extra.locked(True, settings.owner_email)
    extra.guid(show_guid(settings.feed_url))
    return feed

"""A feedgen extension for the tags feedgen 1.0 lacks: Podcasting 2.0's, and itunes:explicit as Apple spells it now.

Podcasting 2.0 (https://podcastindex.org/namespace/1.0): `podcast:locked` (do not let another host import the
feed), `podcast:guid` (the show's lasting id) on the channel; `podcast:transcript` and `podcast:chapters` on each
item. feedgen's own podcast extension writes itunes:explicit only as yes/no/clean; Apple's current value is
true/false, so it is written here.
"""

from __future__ import annotations

import uuid
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension  # type: ignore[import-untyped]
from feedgen.util import xml_elem  # type: ignore[import-untyped]

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
#: The namespace the Podcasting 2.0 spec derives `podcast:guid` from (UUIDv5 of the feed URL).
_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: The name feedgen registers the extension under: `feed.podcasting` and `entry.podcasting`.
NAME = "podcasting"


def show_guid(feed_url: str) -> str:
    """podcast:guid as the spec makes it: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    return str(uuid.uuid5(_GUID_NAMESPACE, feed_url.split("://", 1)[-1].rstrip("/")))


class PodcastingExtension(BaseExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self._locked: tuple[bool, str | None] | None = None
        self._guid: str | None = None
        self._explicit: bool | None = None

    def locked(self, locked: bool, owner: str | None = None) -> None:
        self._locked = (locked, owner)

    def guid(self, value: str) -> None:
        self._guid = value

    def explicit(self, value: bool) -> None:
        self._explicit = value

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self._locked is not None:
            locked, owner = self._locked
            element = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            element.text = "yes" if locked else "no"
            if owner:
                element.attrib["owner"] = owner
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self._explicit else "false"
        return rss_feed


class PodcastingEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self._transcripts: list[dict[str, str]] = []
        self._chapters: dict[str, str] | None = None

    def transcript(self, url: str, mime_type: str, language: str | None = None) -> None:
        self._transcripts.append({"url": url, "type": mime_type, **({"language": language} if language else {})})

    def chapters(self, url: str, mime_type: str) -> None:
        self._chapters = {"url": url, "type": mime_type}

    def extend_rss(self, entry: Any) -> Any:
        for attributes in self._transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry).attrib.update(attributes)
        if self._chapters:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry).attrib.update(self._chapters)
        return entry

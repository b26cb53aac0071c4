"""For keeping the audio on a phone: the playlist, a short plain-text guide, and one zip of it all."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ..answers import Answers, spoken_date
from .script import AudioItem

PLAYLIST = "playlist.m3u8"
GUIDE = "README.txt"
BUNDLE = "offline-bundle.zip"
_ZIP_TIME = (2021, 2, 10, 0, 0, 0)  # fixed, so that the same audio always makes the same zip


def playlist(items: list[AudioItem], entries: dict[str, dict[str, Any]]) -> bytes:
    """Extended M3U in listening order: each topic's short answer, then its full section."""
    lines = ["#EXTM3U", "#PLAYLIST:Secondary breast cancer, from Cancer Research UK"]
    for item in sorted((i for i in items if i.track), key=lambda i: i.track or 0):
        path = f"mp3/{item.name}.mp3"
        seconds = round(entries[path]["duration"])
        lines += [f"#EXTINF:{seconds},{item.title}", path]
    return ("\n".join(lines) + "\n").encode("utf-8")


def guide(answers: Answers) -> bytes:
    page = answers.content.page
    nurse = page.nurse_line
    text = f"""Secondary breast cancer: information to listen to
=================================================

These recordings read out {page.publisher}'s page "{page.title}".
It is general information, not medical advice.

How to use them
- Open {PLAYLIST} in your music or podcast app, or play the files in the mp3 folder.
- Each topic has a short version first, then the full section ("full" in the name).

Where the information comes from
- {page.publisher}, last reviewed {spoken_date(page.last_reviewed)}.
- {answers.review_note() or "It is within its review date."}

Questions about you
- Talk to your doctor or specialist nurse, or phone the {page.publisher} nurses
  on {nurse.number}, {nurse.hours}.
- In an emergency call 999. For urgent medical help call NHS 111.
  To talk to someone at any time, call Samaritans on 116 123.
"""
    return text.encode("utf-8")


def bundle(files: dict[str, bytes]) -> bytes:
    """A zip with fixed timestamps and order: unchanged audio gives a byte-identical bundle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".mp3") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()

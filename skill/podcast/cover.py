"""The show's cover: a square PNG made in the build, since Apple Podcasts lists no show without one.

Large white words on the page's dark blue, readable as a thumbnail; the same bytes for the same words.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .episodes import FOLDER

COVER = f"{FOLDER}/cover.png"
#: Apple asks for 1400 to 3000 pixels square.
SIZE = 1400
BACKGROUND, TEXT = (23, 52, 99), (255, 255, 255)
_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_REGULAR = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu where Debian installs it, else Pillow's own font at the same size."""
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size)


def cover_png(title: str, subtitle: str) -> bytes:
    """`title` in large letters, `subtitle` below it, left-aligned with wide margins."""
    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin, y = 110, 200
    for text, font, width, gap in ((title, _font(_BOLD, 150), 13, 40), (subtitle, _font(_REGULAR, 72), 30, 24)):
        for line in textwrap.wrap(text, width):
            draw.text((margin, y), line, font=font, fill=TEXT)
            y += font.size + gap if isinstance(font, ImageFont.FreeTypeFont) else 80
        y += 90
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

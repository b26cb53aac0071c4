"""What the service tells Home Assistant about itself when asked (`describe` -> `info`): one handle program."""

from __future__ import annotations

from importlib import metadata

from wyoming.info import Attribution, HandleModel, HandleProgram, Info

from ..service import Service

#: The name Home Assistant gives the conversation agent, and the program's id.
PROGRAM_NAME = "secondary-breast-cancer"
DISPLAY_NAME = "Secondary breast cancer guide"
#: English as Home Assistant's pipelines name it: a plain "en" pipeline and a British one both match.
LANGUAGES = ["en", "en-GB"]
_DISTRIBUTION = "secondary-breast-cancer-voice"


def version() -> str:
    """The installed project's version (from pyproject.toml); "unknown" when run from a bare checkout."""
    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def describe(service: Service, home_url: str = "") -> Info:
    """Info with one installed handle program and its English model, named and attributed honestly: based on
    Cancer Research UK's page, not made by them. `home_url` is where this service lives, when it has a site."""
    page = service.content.page
    attribution = Attribution(name=f"Based on {page.publisher}'s page; not made by {page.publisher}", url=home_url)
    about = (f"Spoken answers from {page.publisher}'s page, {page.title} It is information, not medical advice, "
             f"for the United Kingdom. Last reviewed {page.last_reviewed:%B %Y}.")
    model = HandleModel(name=f"{PROGRAM_NAME}-en-gb", attribution=attribution, installed=True, description=about,
                        version=f"{page.last_reviewed:%Y-%m-%d}", languages=list(LANGUAGES))
    program = HandleProgram(name=DISPLAY_NAME, attribution=attribution, installed=True, description=about,
                            version=version(), models=[model], supports_handled_streaming=False)
    return Info(handle=[program])

"""AWS Lambda entry point: the same skill code, through ask-sdk-core's own Lambda handler.

Set the function's handler to `skill.lambda_function.lambda_handler`. Lambda requests come from Alexa's
trigger (restricted to your skill id), so no signature check is needed; set ALEXA_SKILL_ID and the SDK
refuses requests for any other skill.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .alexa.skill import skill_builder
from .service import Service

_handler: Callable[..., Any] | None = None  # the SDK mistypes its own handler


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Built on the first call and kept for the life of the Lambda container."""
    global _handler
    if _handler is None:
        service = Service.load()
        built: Callable[..., Any] = skill_builder(service, os.environ.get("ALEXA_SKILL_ID") or None).lambda_handler()
        _handler = built
    response: dict[str, Any] = _handler(event, context)
    return response

"""Assemble the ask-sdk-core skill from the shared service: handlers, apology, optional skill id check."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from ..service import Service
from .handlers import HANDLERS, Apology, CleanSession
from .serializer import AlexaSerializer


def skill_builder(service: Service, skill_id: str | None = None) -> SkillBuilder:
    builder = SkillBuilder()
    builder.skill_id = skill_id or None  # type: ignore[assignment]  # the SDK types it as None only
    for handler in HANDLERS:
        builder.add_request_handler(handler(service))
    builder.add_global_request_interceptor(CleanSession(service))
    builder.add_exception_handler(Apology(service))
    return builder


def build_skill(service: Service, skill_id: str | None = None) -> CustomSkill:
    skill = skill_builder(service, skill_id).create()
    skill.serializer = AlexaSerializer()
    return skill

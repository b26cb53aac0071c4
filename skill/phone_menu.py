"""The telephone menu tree from content: menus of keyed options, each leading to a topic or another menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAIN_MENU = "main"
#: Keys kept for navigation everywhere: 0 main menu, 9 nurse line, * repeat, # unused.
RESERVED_KEYS = ("0", "9", "*", "#")

@dataclass(frozen=True)
class MenuOption:
    key: str
    label: str
    topic: str | None = None
    menu: str | None = None

@dataclass(frozen=True)
class Menu:
    id: str
    options: tuple[MenuOption, ...]

    def option(self, key: str) -> MenuOption | None:
        return next((o for o in self.options if o.key == key), None)

@dataclass(frozen=True)
class Phone:
    welcome: str
    after_answer: str
    not_an_option: str
    not_heard: str
    menus: tuple[Menu, ...]
    help: str = ""
    after_urgent: str = ""
    clarify: str = ""
    choice_first: str = ""
    choice_second: str = ""
    after_full: str = ""

    def menu(self, menu_id: str) -> Menu:
        return next(m for m in self.menus if m.id == menu_id)

    def presses_to(self) -> dict[str, tuple[str, ...]]:
        """Topic id -> the keys that reach it from the main menu (the shortest way)."""
        found: dict[str, tuple[str, ...]] = {}
        queue: list[tuple[str, tuple[str, ...]]] = [(MAIN_MENU, ())]
        seen = {MAIN_MENU}
        while queue:
            menu_id, keys = queue.pop(0)
            for option in self.menu(menu_id).options:
                if option.topic and option.topic not in found:
                    found[option.topic] = (*keys, option.key)
                if option.menu and option.menu not in seen:
                    seen.add(option.menu)
                    queue.append((option.menu, (*keys, option.key)))
        return found

def build_phone(data: dict[str, Any]) -> Phone:
    squash = lambda text: " ".join(text.split())  # noqa: E731
    menus = tuple(
        Menu(m["id"], tuple(MenuOption(o["key"], o["label"], o.get("topic"), o.get("menu")) for o in m["options"]))
        for m in data["menus"]
    )
    return Phone(squash(data["welcome"]), squash(data["after_answer"]), squash(data["not_an_option"]),
                 squash(data["not_heard"]), menus, squash(data["help"]), squash(data["after_urgent"]),
                 squash(data["clarify"]), squash(data["choice_first"]), squash(data["choice_second"]),
                 squash(data["after_full"]))

def phone_problems(phone: Phone, topic_ids: list[str]) -> list[tuple[list[str | int], str]]:
    """(field path, problem) for what the schema cannot say about the menu tree."""
    problems: list[tuple[list[str | int], str]] = []
    ids = [m.id for m in phone.menus]
    if MAIN_MENU not in ids:
        problems.append((["phone", "menus"], f"there must be a menu with the id {MAIN_MENU!r}"))
        return problems
    for i, menu in enumerate(phone.menus):
        if menu.id in ids[:i]:
            problems.append((["phone", "menus", i, "id"], f"menu id {menu.id!r} is used twice"))
        keys = [o.key for o in menu.options]
        for j, option in enumerate(menu.options):
            where: list[str | int] = ["phone", "menus", i, "options", j]
            if option.key in keys[:j]:
                problems.append((where, f"key {option.key} is used twice in menu {menu.id!r}"))
            if option.topic and option.topic not in topic_ids:
                problems.append((where, f"no topic has the id {option.topic!r}"))
            if option.menu and option.menu not in ids:
                problems.append((where, f"no menu has the id {option.menu!r}"))
    if not problems:
        reach = phone.presses_to()
        for topic_id in topic_ids:
            if len(reach.get(topic_id, ("", "", ""))) > 2:
                problems.append((["phone", "menus"], f"topic {topic_id!r} is not within two key presses"))
    return problems


def menu_prompt(phone: Phone, menu_id: str) -> str:
    """What a caller hears for a menu: each option with its key, then the navigation keys."""
    lines = [f"For {option.label}, press {option.key}." for option in phone.menu(menu_id).options]
    if menu_id == MAIN_MENU:
        lines.append("For the nurse line, press 9.")
    else:
        lines.append("For the main menu, press 0.")
    lines.append("Or say what you want to hear about.")
    return " ".join(lines)

"""Which pages each role has: the navigation, and where a user lands after signing in.

One entry per page that appears in the menu. A role's start page is its first entry here; a
role without entries lands on the start page (``/``), which says so plainly. Add a page by adding
a ``NavItem`` (and its ``nav.*`` label in the catalogue, ``werkwijzer/locale``); the role guard on the route
itself (``require_page_role``) is what protects it, the menu only shows the way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    path: str
    label_key: str
    roles: tuple[str, ...]


NAV: tuple[NavItem, ...] = (
    NavItem("/zaken", "nav.cases", ("caseworker",)),
    NavItem("/capaciteit", "nav.capacity", ("team_lead",)),
    NavItem("/modellen", "nav.models", ("model_owner", "auditor", "admin")),
)


def items_for(role: str) -> list[NavItem]:
    return [item for item in NAV if role in item.roles]


def start_page(role: str) -> str:
    items = items_for(role)
    return items[0].path if items else "/"

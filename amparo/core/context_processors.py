from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import ROLE_PERMISSIONS, Perm


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    perms = (
        ROLE_PERMISSIONS.get(user.role, frozenset())
        if user and user.is_authenticated
        else frozenset()
    )
    context: dict[str, object] = {"user_perms": {str(p).replace(".", "_") for p in perms}}
    if perms:
        context["nav_menu"] = menu_for(perms, request.path)
    return context


# --- the main menu ----------------------------------------------------------------------------
#
# Fifteen entries side by side ran off both edges of a desktop screen. The menu keeps the two
# hubs (people, cases) one click away and folds everything else into a few groups, each shown
# only with the entries the role may use; a group left with one entry becomes a plain link,
# named as that entry (an analyst's "Migration" is the one link "Migratory flows").


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool = False


@dataclass(frozen=True)
class NavItem:
    """A top-level entry: a link (one entry) or a submenu button with its entries."""

    key: str
    label: str | Promise
    links: tuple[NavLink, ...]

    @property
    def is_group(self) -> bool:
        return len(self.links) > 1

    @property
    def url(self) -> str:
        return self.links[0].url

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


# (permission needed or None for everyone, label, URL name, query string)
Entry = tuple[Perm | None, str | Promise, str, str]

# The work waiting for the user, each entry a list of the records to act on.
WORK_QUEUES: tuple[Entry, ...] = (
    (Perm.CASE_APPROVE, _("Cases waiting for my approval"), "cases:approvals", ""),
    (Perm.CASE_WRITE, _("My overdue tasks"), "cases:overdue", ""),
    (Perm.CASE_READ, _("Referrals to accept"), "cases:referrals", "status=sent"),
    (Perm.PERSON_MERGE, _("Possible duplicates"), "matching:queue", ""),
    (Perm.ASSISTANCE_READ, _("Civil registry steps"), "assistance:civil_registry", "waiting=1"),
    (Perm.RECS_VALIDATE, _("Progress updates to sign"), "recommendations:to_sign", ""),
)

ASSISTANCE: tuple[Entry, ...] = (
    (Perm.ASSISTANCE_WRITE, _("Log a contact"), "assistance:contact_new", ""),
    (Perm.ASSISTANCE_READ, _("Support line contacts"), "assistance:contacts", ""),
    (Perm.ASSISTANCE_READ, _("Consular services"), "assistance:consular", ""),
    (Perm.ASSISTANCE_READ, _("Civil registry"), "assistance:civil_registry", ""),
    (Perm.ASSISTANCE_READ, _("Travel documents"), "assistance:travel_documents", ""),
)

MIGRATION: tuple[Entry, ...] = (
    (Perm.TRACING_READ, _("Missing migrants"), "tracing:reports", ""),
    (Perm.LABOUR_READ, _("Labour migration"), "labour:recruiters", ""),
    (Perm.FLOWS_READ, _("Migratory flows"), "flows:dashboard", ""),
)

MORE: tuple[Entry, ...] = (
    (Perm.PERSON_WRITE, _("Register a person"), "people:create", ""),
    (Perm.STATS_READ, _("Statistics"), "stats:index", ""),
    (Perm.STATS_READ, _("State report to the Committee"), "stats:report", ""),
    (Perm.RECS_READ, _("Recommendations"), "recommendations:index", ""),
    (Perm.IMPORT_RUN, _("Imports"), "imports:page", ""),
    (Perm.AUDIT_READ, _("Audit trail"), "audit", ""),
    (None, "API", "api-1:openapi-view", ""),
)


HOME: tuple[Entry, ...] = ((None, _("Home"), "home", ""),)
PEOPLE: tuple[Entry, ...] = ((Perm.PERSON_READ, _("People"), "people:search", ""),)
CASES: tuple[Entry, ...] = ((Perm.CASE_READ, _("Cases"), "cases:list", ""),)

# The menu from left to right: (key, label of the group, its entries).
MENU: tuple[tuple[str, str | Promise, tuple[Entry, ...]], ...] = (
    ("home", _("Home"), HOME),
    ("work", _("To do"), WORK_QUEUES),
    ("people", _("People"), PEOPLE),
    ("cases", _("Cases"), CASES),
    ("assistance", _("Assistance"), ASSISTANCE),
    ("migration", _("Migration"), MIGRATION),
    ("more", _("More"), MORE),
)


def menu_for(perms: frozenset[Perm], path: str) -> list[NavItem]:
    """The main menu of a role: what it may open, grouped; empty groups left out. The entry
    whose address is the longest start of the page's path is marked as the current one."""
    items = []
    for key, label, entries in MENU:
        links = tuple(
            NavLink(text, _address(name, query))
            for perm, text, name, query in entries
            if perm is None or perm in perms
        )
        if links:
            items.append(NavItem(key, label, links))
    current = _current_url(path, [link.url for item in items for link in item.links])
    for i, item in enumerate(items):
        for j, link in enumerate(item.links):
            if link.url == current:  # the first entry with that address, once
                links = item.links[:j] + (replace(link, current=True),) + item.links[j + 1 :]
                items[i] = replace(item, links=links)
                return items
    return items


def _address(name: str, query: str) -> str:
    url = reverse(name)
    return f"{url}?{query}" if query else url


def _current_url(path: str, urls: list[str]) -> str:
    """The menu address the page belongs to ("" if none): the home page only by itself."""
    matches = [
        url
        for url in urls
        if (base := url.split("?")[0]) and (path == base if base == "/" else path.startswith(base))
    ]
    return max(matches, key=len, default="")

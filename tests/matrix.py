"""Shared pieces of the authorization matrices, and the apps' own matrices.

An app adds its rows without touching the central tables: a module `tests/matrix_<app>.py`
may declare
- `WEB_ROWS: dict[tuple[str, str], Row]` — its web URLs, checked for every role by
  tests/test_web_matrix.py, with `web_world(make_user, holder, target) -> dict[str, dict]`
  giving the URL arguments of its records (held by `holder`'s institution), and optionally
  `web_post_data(name, data, world) -> dict` to complete a POST body;
- `API_OPERATIONS: set[tuple[str, str]]` — its API operations (method, path), which the app
  tests for every role itself; the completeness check in tests/test_api_authorization.py
  counts them as covered.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from amparo.core.permissions import Perm


@dataclass(frozen=True)
class Row:
    perm: Perm | None  # None: any signed-in user
    ok: int  # the answer when the role may
    data: dict[str, Any] | None = None  # the POST body
    query: str = ""
    person: bool = False  # the URL names a person: another institution's answers 404
    record: bool = False  # the URL names a case, referral or register entry: another's is 404
    picks: bool = False  # the body names the person: another institution's is refused (422)
    public: int | None = None  # the answer to someone not signed in; None: sent to sign in
    open: bool = False  # reachable before the second factor
    other: int | None = None  # the answer for another institution's record, when not 404/422


def app_matrices() -> dict[str, ModuleType]:
    """Each `tests/matrix_<app>.py` module by app name ("labour" for matrix_labour.py)."""
    here = Path(__file__).parent
    return {
        path.stem.removeprefix("matrix_"): importlib.import_module(f"{__package__}.{path.stem}")
        for path in sorted(here.glob("matrix_*.py"))
    }

"""Protocol files: load, validate (with file and line on every error) and look up.

A protocol is a YAML file under amparo/protocols/<code>/v<version>.yaml. Its shape is checked
against PROTOCOL_SCHEMA, then its references (stages, forms, tasks, roles) are checked against
each other. The engine (actions.py) only ever reads the dataclasses built here, so a new
protocol is a new file, never new engine code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import translation
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from amparo.core.models import Role

PROTOCOLS_DIR = Path(__file__).resolve().parent.parent / "protocols"

TEXT = {
    "type": "object",
    "required": ["es", "en"],
    "properties": {
        "es": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
    "additionalProperties": False,
}
CODE = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
DURATION = {"type": "string", "pattern": r"^\d+[hd]$"}
PROTOCOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "version", "name", "subject", "stages", "transitions"],
    "additionalProperties": False,
    "properties": {
        "code": CODE,
        "version": {"type": "integer", "minimum": 1},
        "name": TEXT,
        "description": TEXT,
        "subject": {"enum": ["person", "household"]},
        "sensitive": {"type": "boolean"},
        "owners": {"type": "array", "items": {"type": "string"}},
        "referral_targets": {"type": "array", "items": {"type": "string"}},
        "closure_reasons": {
            "type": "array",
            "items": {
                "oneOf": [
                    CODE,
                    {
                        "type": "object",
                        "required": ["code", "name"],
                        "additionalProperties": False,
                        "properties": {"code": CODE, "name": TEXT},
                    },
                ]
            },
        },
        "forms": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["title", "schema"],
                "additionalProperties": False,
                "properties": {"title": TEXT, "schema": {"type": "object"}},
            },
        },
        "stages": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["code", "name"],
                "additionalProperties": False,
                "properties": {
                    "code": CODE,
                    "name": TEXT,
                    "initial": {"type": "boolean"},
                    "final": {"type": "boolean"},
                    "tasks": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "title", "due"],
                            "additionalProperties": False,
                            "properties": {"code": CODE, "title": TEXT, "due": DURATION},
                        },
                    },
                },
            },
        },
        "transitions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "name", "from", "to", "roles"],
                "additionalProperties": False,
                "properties": {
                    "code": CODE,
                    "name": TEXT,
                    "from": {"type": "array", "items": CODE, "minItems": 1},
                    "to": CODE,
                    "roles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "requires_tasks": {"type": "array", "items": CODE},
                    "requires_forms": {"type": "array", "items": CODE},
                    "approval": {"const": "supervisor"},
                    "closure": {"type": "boolean"},
                },
            },
        },
    },
}


class ProtocolError(Exception):
    """A protocol file that cannot be used; names the file, the line and the reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path, self.line, self.reason = path, line, reason


def text(value: dict[str, str]) -> str:
    lang = (translation.get_language() or "es")[:2]
    return value.get(lang) or value["es"]


@dataclass(frozen=True)
class TaskSpec:
    code: str
    title: dict[str, str]
    due: timedelta


@dataclass(frozen=True)
class StageSpec:
    code: str
    name: dict[str, str]
    initial: bool
    final: bool
    tasks: tuple[TaskSpec, ...]


@dataclass(frozen=True)
class TransitionSpec:
    code: str
    name: dict[str, str]
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    requires_tasks: tuple[str, ...]
    requires_forms: tuple[str, ...]
    approval: bool
    closure: bool


@dataclass(frozen=True)
class FormSpec:
    code: str
    title: dict[str, str]
    schema: dict[str, Any]


@dataclass(frozen=True)
class Protocol:
    code: str
    version: int
    name: dict[str, str]
    subject: str
    sensitive: bool
    owners: tuple[str, ...]
    referral_targets: tuple[str, ...]
    closure_reasons: tuple[str, ...]
    closure_reason_names: dict[str, dict[str, str]]
    stages: dict[str, StageSpec]
    transitions: dict[str, TransitionSpec]
    forms: dict[str, FormSpec]
    path: Path = field(compare=False)

    @property
    def initial_stage(self) -> StageSpec:
        return next(s for s in self.stages.values() if s.initial)

    def transitions_from(self, stage: str) -> list[TransitionSpec]:
        return [t for t in self.transitions.values() if stage in t.sources]

    @property
    def title(self) -> str:
        return text(self.name)


def _duration(value: str) -> timedelta:
    number, unit = int(value[:-1]), value[-1]
    return timedelta(hours=number) if unit == "h" else timedelta(days=number)


def _line_of(node: yaml.Node, path: list[Any]) -> int:
    """The 1-based line of the value at `path` in the composed YAML tree (or its nearest
    ancestor), so a schema error points at the line to fix."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
    return node.start_mark.line + 1


def parse_protocol(path: Path) -> Protocol:
    source = path.read_text(encoding="utf-8")
    try:
        tree = yaml.compose(source)
        raw = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProtocolError(
            path, mark.line + 1 if mark else None, f"not valid YAML: {exc}"
        ) from exc
    if tree is None or not isinstance(raw, dict):
        raise ProtocolError(path, 1, "the file is empty or not a mapping")
    # The first error in the file's order: the one the author meets first when reading.
    errors = sorted(
        Draft202012Validator(PROTOCOL_SCHEMA).iter_errors(raw),
        key=lambda e: _line_of(tree, list(e.absolute_path)),
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise ProtocolError(
            path, _line_of(tree, list(first.absolute_path)), f"{where}: {first.message}"
        )

    def fail(path_in_file: list[Any], reason: str) -> ProtocolError:
        return ProtocolError(path, _line_of(tree, path_in_file), reason)

    forms: dict[str, FormSpec] = {}
    for code, spec in (raw.get("forms") or {}).items():
        try:
            Draft202012Validator.check_schema(spec["schema"])
        except SchemaError as exc:
            raise fail(
                ["forms", code, "schema"], f"form {code}: invalid JSON Schema: {exc.message}"
            ) from exc
        forms[code] = FormSpec(code, spec["title"], spec["schema"])
    stages: dict[str, StageSpec] = {}
    for i, s in enumerate(raw["stages"]):
        if s["code"] in stages:
            raise fail(["stages", i, "code"], f"stage {s['code']} is defined twice")
        tasks = tuple(
            TaskSpec(t["code"], t["title"], _duration(t["due"])) for t in s.get("tasks", [])
        )
        stages[s["code"]] = StageSpec(
            s["code"], s["name"], bool(s.get("initial")), bool(s.get("final")), tasks
        )
    if sum(s.initial for s in stages.values()) != 1:
        raise fail(["stages"], "exactly one stage must be marked initial")
    if not any(s.final for s in stages.values()):
        raise fail(["stages"], "at least one stage must be final")
    all_tasks = {t.code for s in stages.values() for t in s.tasks}
    # Case work is done by these roles; analysts, administrators and auditors never take steps.
    roles = {Role.OPERATOR, Role.CASEWORKER, Role.SUPERVISOR}
    transitions: dict[str, TransitionSpec] = {}
    for i, t in enumerate(raw["transitions"]):
        for j, source in enumerate(t["from"]):
            if source not in stages:
                raise fail(
                    ["transitions", i, "from", j], f"transition {t['code']}: unknown stage {source}"
                )
        if t["to"] not in stages:
            raise fail(["transitions", i, "to"], f"transition {t['code']}: unknown stage {t['to']}")
        for j, role in enumerate(t["roles"]):
            if role not in roles:
                raise fail(
                    ["transitions", i, "roles", j], f"transition {t['code']}: unknown role {role}"
                )
        for j, task in enumerate(t.get("requires_tasks", [])):
            if task not in all_tasks:
                raise fail(
                    ["transitions", i, "requires_tasks", j],
                    f"transition {t['code']}: unknown task {task}",
                )
        for j, form in enumerate(t.get("requires_forms", [])):
            if form not in forms:
                raise fail(
                    ["transitions", i, "requires_forms", j],
                    f"transition {t['code']}: unknown form {form}",
                )
        if t["code"] in transitions:
            raise fail(["transitions", i, "code"], f"transition {t['code']} is defined twice")
        transitions[t["code"]] = TransitionSpec(
            t["code"],
            t["name"],
            tuple(t["from"]),
            t["to"],
            frozenset(t["roles"]),
            tuple(t.get("requires_tasks", [])),
            tuple(t.get("requires_forms", [])),
            t.get("approval") == "supervisor",
            bool(t.get("closure")),
        )
    _check_graph(raw, stages, transitions, fail)
    expected = f"v{raw['version']}.yaml"
    if path.name != expected or path.parent.name != raw["code"]:
        raise fail(["code"], f"file must be {raw['code']}/{expected} for its code and version")
    return Protocol(
        code=raw["code"],
        version=raw["version"],
        name=raw["name"],
        subject=raw["subject"],
        sensitive=bool(raw.get("sensitive")),
        owners=tuple(raw.get("owners", [])),
        referral_targets=tuple(raw.get("referral_targets", [])),
        closure_reasons=tuple(
            r if isinstance(r, str) else r["code"] for r in raw.get("closure_reasons", [])
        ),
        closure_reason_names={
            r["code"]: r["name"] for r in raw.get("closure_reasons", []) if isinstance(r, dict)
        },
        stages=stages,
        transitions=transitions,
        forms=forms,
        path=path,
    )


def _institution_codes() -> set[str]:
    data = Path(__file__).resolve().parent.parent / "core" / "data" / "institutions.csv"
    with data.open(encoding="utf-8") as handle:
        return {line.split(",", 1)[0] for line in handle.read().splitlines()[1:] if line}


def _check_graph(
    raw: dict[str, Any],
    stages: dict[str, StageSpec],
    transitions: dict[str, TransitionSpec],
    fail: Any,
) -> None:
    """What the shape cannot say: every stage reachable and with a way out, closure steps
    exactly the ones that end in a final stage, unique task codes, known institutions."""
    task_codes = [t.code for s in stages.values() for t in s.tasks]
    duplicated = sorted({c for c in task_codes if task_codes.count(c) > 1})
    if duplicated:
        raise fail(["stages"], f"task codes must be unique in a protocol: {', '.join(duplicated)}")
    reachable, frontier = set(), [next(s.code for s in stages.values() if s.initial)]
    while frontier:
        stage = frontier.pop()
        if stage not in reachable:
            reachable.add(stage)
            frontier += [t.target for t in transitions.values() if stage in t.sources]
    for i, stage in enumerate(stages.values()):
        if stage.code not in reachable:
            raise fail(["stages", i, "code"], f"stage {stage.code} cannot be reached")
        has_exit = any(stage.code in t.sources for t in transitions.values())
        if stage.final and has_exit:
            raise fail(["stages", i, "code"], f"final stage {stage.code} has a way out")
        if not stage.final and not has_exit:
            raise fail(["stages", i, "code"], f"stage {stage.code} has no way out")
    for i, t in enumerate(transitions.values()):
        if t.closure != stages[t.target].final:
            raise fail(
                ["transitions", i, "code"],
                f"transition {t.code}: closure must be true exactly when it ends in a final stage",
            )
    known = _institution_codes()
    for key in ("owners", "referral_targets"):
        for j, code in enumerate(raw.get(key, [])):
            if code not in known:
                raise fail([key, j], f"{key}: unknown institution {code}")


def protocol_dirs() -> list[Path]:
    return [PROTOCOLS_DIR, *(Path(p) for p in getattr(settings, "AMPARO_EXTRA_PROTOCOL_DIRS", []))]


@cache
def _registry(dirs: tuple[Path, ...]) -> dict[tuple[str, int], Protocol]:
    found: dict[tuple[str, int], Protocol] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*/v*.yaml")):
            if re.fullmatch(r"v\d+\.yaml", path.name):
                p = parse_protocol(path)
                found[(p.code, p.version)] = p
    return found


def registry() -> dict[tuple[str, int], Protocol]:
    return _registry(tuple(protocol_dirs()))


def protocol_get(code: str, version: int | None = None) -> Protocol | None:
    """A protocol by code: the given version, or the latest one for new cases."""
    reg = registry()
    if version is not None:
        return reg.get((code, version))
    versions = [v for (c, v) in reg if c == code]
    return reg[(code, max(versions))] if versions else None


def protocols_latest() -> list[Protocol]:
    codes = sorted({c for (c, _) in registry()})
    return [p for c in codes if (p := protocol_get(c)) is not None]

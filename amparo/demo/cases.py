"""Demo cases: for every protocol, cases resting in every stage, reached through the engine.

Each case is walked along the shortest path of transitions from the initial stage to its
target stage, doing what the protocol requires on the way (tasks done, forms filled with
values that satisfy their JSON Schema, supervisor approval). Works for any protocol file.
"""

from __future__ import annotations

import random
import zlib
from collections import deque
from typing import Any

from amparo.cases import actions
from amparo.cases.models import Case
from amparo.cases.protocol import Protocol, TransitionSpec, protocols_latest
from amparo.core.models import Institution, Role, Team, User
from amparo.people.actions import PersonInput, household_create, person_register

from . import names as N
from .generator import DEMO_PASSWORD

MARKERS_FOR = {
    "child_reception": ["unaccompanied_child"],
    "trafficking_victims": ["trafficking_victim"],
    "vulnerable_women": ["pregnant"],
}


def sample(schema: dict[str, Any], rng: random.Random) -> Any:
    """A value that satisfies a (simple) JSON Schema: enough for demo forms."""
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {k: sample(v, rng) for k, v in props.items() if k in required or rng.random() < 0.5}
    if kind == "array":
        items = schema.get("items", {})
        return [sample(items, rng)] if items else []
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        return max(low, min(schema.get("maximum", low + 10), low + rng.randrange(10)))
    if kind == "string":
        if schema.get("format") == "date":
            return "2026-10-15"
        text = "Información registrada para la demostración."
        return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), ".")
    return None


def _path(protocol: Protocol, target: str) -> list[TransitionSpec] | None:
    start = protocol.initial_stage.code
    queue: deque[tuple[str, list[TransitionSpec]]] = deque([(start, [])])
    seen = {start}
    while queue:
        stage, path = queue.popleft()
        if stage == target:
            return path
        for t in protocol.transitions_from(stage):
            if t.target not in seen:
                seen.add(t.target)
                queue.append((t.target, [*path, t]))
    return None


# The people behind the accounts that hold the demo cases: a Spanish name like every other demo
# account's, since the name is shown in the header and the accounts table (never a role word).
_CASE_HOLDERS = (
    ("Lucía", "Ajú"),
    ("Andrés", "Morales"),
    ("Claudia", "Xicará"),
    ("Esteban", "Pérez"),
    ("Marta", "Sic"),
    ("Rodrigo", "Cifuentes"),
    ("Irma", "Batz"),
    ("Julio", "Monterroso"),
)


def _holder_name(username: str) -> tuple[str, str]:
    # crc32, not hash(): the same account gets the same name in every run of the demo.
    return _CASE_HOLDERS[zlib.crc32(username.encode()) % len(_CASE_HOLDERS)]


def _demo_user(code: str, role: str) -> User:
    institution = Institution.objects.get(code=code)
    team = Team.objects.get(institution=institution, code="protection")
    username = f"{role}.{code.lower()}"
    first_name, last_name = _holder_name(username)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "institution": institution,
            "team": team,
            "role": role,
            "first_name": first_name,
            "last_name": last_name,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif user.first_name == role.title() and not user.last_name:
        # A demo made before the accounts had names: give it its person's name.
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return user


def _walk(
    case: Case,
    path: list[TransitionSpec],
    protocol: Protocol,
    worker: User,
    boss: User,
    rng: random.Random,
) -> None:
    for spec in path:
        for code in spec.requires_tasks:
            task = case.tasks.filter(code=code, done_at__isnull=True).first()
            if task:
                actions.task_complete(actor=worker, task_id=task.pk)
        for form in spec.requires_forms:
            if form not in Case.objects.get(pk=case.pk).data:
                actions.case_form_save(
                    actor=worker,
                    case_id=case.pk,
                    form=form,
                    data=sample(protocol.forms[form].schema, rng),
                )
        reason = protocol.closure_reasons[0] if spec.closure and protocol.closure_reasons else ""
        actor = worker if worker.role in spec.roles else boss
        actions.case_transition(
            actor=actor, case_id=case.pk, transition=spec.code, closure_reason=reason
        )
        pending = case.approvals.filter(decided_at__isnull=True).first()
        if pending:
            actions.approval_decide(actor=boss, approval_id=pending.pk, approve=True)


def generate_cases(*, per_stage: int = 2, seed: int = 2019) -> int:
    """Open `per_stage` cases resting in every stage of every protocol; returns the count."""
    rng = random.Random(seed)
    given = list(N.FEMALE_GIVEN) + list(N.MALE_GIVEN)
    surnames = list(N.SPANISH_SURNAMES) + list(N.MAYAN_SURNAMES)
    made = 0
    for protocol in protocols_latest():
        owner = protocol.owners[0] if protocol.owners else "MINEX"
        worker = _demo_user(owner, Role.CASEWORKER)
        boss = _demo_user(owner, Role.SUPERVISOR)
        for stage in protocol.stages:
            path = _path(protocol, stage)
            if path is None:
                continue
            for _ in range(per_stage):
                person = person_register(
                    actor=worker,
                    data=PersonInput(
                        given_names=rng.choice(given),
                        first_surname=rng.choice(surnames),
                        second_surname=rng.choice(surnames),
                        nationality="GT",
                        age_years=rng.randrange(8, 60),
                    ),
                    markers=MARKERS_FOR.get(protocol.code, []),
                )
                household = (
                    household_create(
                        actor=worker,
                        label=f"Hogar {person.first_surname}",
                        member_ids=[person.pk],
                        head_id=person.pk,
                    )
                    if protocol.subject == "household"
                    else None
                )
                case = actions.case_open(
                    actor=worker,
                    protocol_code=protocol.code,
                    person_id=person.pk,
                    household_id=household.pk if household else None,
                )
                _walk(case, path, protocol, worker, boss, rng)
                made += 1
    return made

"""Shared fixtures: reference data loaded once per test database, users per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from amparo.core.models import Institution, Role, Team, User
from amparo.core.reference import load_all
from amparo.core.tokens import token_create
from amparo.people.actions import DocumentInput, PersonInput, person_register
from amparo.people.models import Person


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_all()


@pytest.fixture(autouse=True)
def spanish() -> None:
    translation.activate("es")


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: None) -> MakeUser:
    counter = {"n": 0}

    def make(
        role: str = Role.CASEWORKER, institution: str = "MINEX", team: str = "general"
    ) -> User:
        counter["n"] += 1
        inst = Institution.objects.get(code=institution)
        return User.objects.create_user(
            username=f"{role}-{institution}-{team}-{counter['n']}".lower(),
            password="una-clave-larga-de-prueba",
            role=role,
            institution=inst,
            team=Team.objects.get(institution=inst, code=team),
        )

    return make


@pytest.fixture
def caseworker(make_user: MakeUser) -> User:
    return make_user(Role.CASEWORKER, "MINEX")


@pytest.fixture
def other_caseworker(make_user: MakeUser) -> User:
    return make_user(Role.CASEWORKER, "SBS")


def register(
    actor: User,
    given: str = "María José",
    first: str = "Tzoc",
    second: str = "Cux",
    documents: list[DocumentInput] | None = None,
    markers: list[str] | None = None,
    **extra: object,
) -> Person:
    return person_register(
        actor=actor,
        data=PersonInput(given_names=given, first_surname=first, second_surname=second, **extra),  # type: ignore[arg-type]
        documents=documents,
        markers=markers,
    )


@pytest.fixture
def person(caseworker: User) -> Person:
    return register(caseworker, documents=[DocumentInput("passport", "A1234567", "GT")])


def api_client(user: User) -> Client:
    key = token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="es")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Real hashing costs ~0.3 s a user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def empty_audit_trail() -> None:
    """Let pytest-django's flush empty the database after a transactional test.

    On SQLite the flush DELETEs every row, which the audit table's append-only triggers
    refuse; PostgreSQL flushes with TRUNCATE, which row triggers do not see. So on SQLite the
    audit entries are removed here, with the triggers lifted for that moment only.
    """
    from importlib import import_module

    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    triggers = import_module("amparo.core.migrations.0002_audit_append_only")
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in triggers.SQLITE_DROP:
            cursor.execute(sql)
        cursor.execute("DELETE FROM core_auditentry")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def live_reference(transactional_db: None):  # type: ignore[no-untyped-def]
    """Reference data for transactional tests (they start from an empty database)."""
    load_all()
    yield
    empty_audit_trail()

"""Finding or creating the people of many imported rows at once.

A row that carries an identity document already in the network is the document's holder
(as `person_link` does for one person); other rows get a new person, the same one for rows
that share a document. The importing institution holds every person it imported, except a
protected person held elsewhere: the row is linked, but who it is stays hidden from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from amparo.core.audit import audit_record
from amparo.core.models import User

from .models import IdentityDocument, Involvement, Person, PersonSearchToken
from .text import name_tokens, normalize_document_number


@dataclass(frozen=True)
class PersonRow:
    given_names: str
    first_surname: str = ""
    second_surname: str = ""
    sex: str = "U"
    birth_date: date | None = None
    nationality: str | None = "GT"
    doc_type: str = ""
    doc_number: str = ""
    doc_country: str = ""

    @property
    def document_key(self) -> tuple[str, str, str] | None:
        if not (self.doc_type and self.doc_number and self.doc_country):
            return None
        return (self.doc_type, normalize_document_number(self.doc_number), self.doc_country)


def _holders(keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], tuple[uuid.UUID, bool]]:
    if not keys:
        return {}
    found = IdentityDocument.objects.filter(
        voided_at__isnull=True, number_normalized__in={k[1] for k in keys}
    ).values_list(
        "doc_type", "number_normalized", "issuing_country_id", "person_id", "person__protected"
    )
    return {(t, n, c): (pid, prot) for t, n, c, pid, prot in found if (t, n, c) in keys}


def people_resolve(*, actor: User, rows: list[PersonRow], source: str) -> list[uuid.UUID]:
    """The person id of each row, creating the people the network does not have yet."""
    holders = _holders({k for r in rows if (k := r.document_key)})
    ids: list[uuid.UUID] = []
    new_people: list[Person] = []
    documents: list[IdentityDocument] = []
    tokens: list[PersonSearchToken] = []
    created: dict[tuple[str, str, str], uuid.UUID] = {}
    linked: set[uuid.UUID] = set()
    for row in rows:
        key = row.document_key
        if key is not None and key in holders:
            pid, protected = holders[key]
            ids.append(pid)
            if not protected:
                linked.add(pid)
            continue
        if key is not None and key in created:
            ids.append(created[key])
            continue
        pid = uuid.uuid4()
        new_people.append(
            Person(
                id=pid,
                given_names=row.given_names,
                first_surname=row.first_surname,
                second_surname=row.second_surname,
                sex=row.sex,
                birth_date=row.birth_date,
                nationality_id=row.nationality,
                created_by=actor,
            )
        )
        words = set(name_tokens(row.given_names, row.first_surname, row.second_surname))
        if key is not None:
            created[key] = pid
            documents.append(
                IdentityDocument(
                    person_id=pid,
                    doc_type=row.doc_type,
                    number=row.doc_number.strip(),
                    number_normalized=key[1],
                    issuing_country_id=row.doc_country,
                )
            )
            words.add(key[1].lower())
        tokens.extend(PersonSearchToken(person_id=pid, token=t[:64]) for t in sorted(words))
        ids.append(pid)
    held = set(
        Involvement.objects.filter(
            Q(team__isnull=True) | Q(team_id=actor.team_id),
            person_id__in=linked,
            institution_id=actor.institution_id,
            ended_at__isnull=True,
        ).values_list("person_id", flat=True)
    )
    involve = [p.pk for p in new_people] + sorted(linked - held)
    Person.objects.bulk_create(new_people, batch_size=2000)
    IdentityDocument.objects.bulk_create(documents, batch_size=2000)
    PersonSearchToken.objects.bulk_create(tokens, batch_size=5000)
    Involvement.objects.bulk_create(
        [
            Involvement(
                person_id=pid,
                institution_id=actor.institution_id,
                source=Involvement.Source.IMPORT,
                created_by=actor,
            )
            for pid in involve
        ],
        batch_size=2000,
    )
    if new_people or linked:
        audit_record(
            actor=actor,
            action="person.import",
            detail={
                "source": source,
                "created": [str(p.pk) for p in new_people],
                "linked": sorted(str(p) for p in linked),
            },
        )
    return ids

"""The recommendations API: every operation for every role and institution, then the flows."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from amparo.core.models import Role
from amparo.core.permissions import ROLE_PERMISSIONS

from .conftest import api_client
from .matrix_recommendations import LOIPR_TEXT, RECS_OPERATIONS, recs_world, uhri_bytes

pytestmark = pytest.mark.django_db


def _ids(make_user: Any, where: str) -> dict[str, str]:
    holder = make_user(Role.CASEWORKER, "MINEX" if where == "own" else "SBS")
    w = recs_world(make_user, holder)
    return {
        "{rec_id}": str(w["rec"].pk),
        "{update_id}": str(w["update"].pk),
        "{submission_id}": str(w["submission"].pk),
        "{document_id}": str(w["loipr"].pk),
        "{loipr_id}": str(w["loipr"].pk),
        "{draft_id}": str(w["draft"].pk),
        "{paragraph}": "1",
        "{institution}": w["institution"],
        "{alternate}": w["alternate"].username,
    }


def _call(client: Client, method: str, path: str, body: Any, n: int = 0) -> Any:
    if isinstance(body, str) and body.startswith("file:"):
        kind = body.split(":", 1)[1]
        if kind == "uhri":
            upload = io.BytesIO(uhri_bytes(f"U{n}"))
            upload.name = "uhri.json"
        else:
            upload = io.BytesIO(LOIPR_TEXT.encode())
            upload.name = "CMW-C-XYZ-QPR-3.txt"
        return client.post(path, {"file": upload})
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return client.generic(method, path, **kwargs)


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_every_recommendations_operation_by_role_and_institution(make_user, role, where) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role, "MINEX")
    client = api_client(user)
    for n, (key, op) in enumerate(RECS_OPERATIONS.items()):
        ids = _ids(make_user, where)
        method, path = key
        text = json.dumps(op.body)
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
            text = text.replace(placeholder, value)
        response = _call(client, method, path + op.query, json.loads(text), n)
        perm_ok = op.perm is None or op.perm in ROLE_PERMISSIONS[role]
        if not perm_ok:
            expected = 403
        elif where == "other" and op.other is not None:
            expected = op.other
        else:
            expected = op.ok
        assert response.status_code == expected, (
            f"{role} {method} {path} ({where}) → {response.status_code}, expected {expected}: "
            f"{response.content[:300]!r}"
        )


def test_without_credentials_only_the_portal_answers(make_user) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(make_user, "own")
    for (method, template), op in RECS_OPERATIONS.items():
        path = template
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
        status = _call(Client(), method, path + op.query, op.body).status_code
        assert status == (op.ok if op.perm is None else 401), path


def test_three_step_sign_off_through_the_api(make_user) -> None:  # type: ignore[no-untyped-def]
    holder = make_user(Role.CASEWORKER, "MINEX")
    w = recs_world(make_user, holder)
    rec, focal, coordinator = w["rec"], w["focal"], w["coordinator"]
    validator = make_user(Role.SUPERVISOR, "MINEX")
    focal_api, validator_api, coord_api = (
        api_client(focal),
        api_client(validator),
        api_client(coordinator),
    )
    base = "/api/v1/recommendations"
    # Without evidence: refused at the field.
    bad = focal_api.post(
        f"{base}/items/{rec.pk}/updates",
        {"text": "Avance", "proposed_status": "in_progress", "evidence": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "evidence"
    made = focal_api.post(
        f"{base}/items/{rec.pk}/updates",
        {
            "text": "El registro funciona en 3 departamentos",
            "proposed_status": "in_progress",
            "evidence": "Informe técnico DGM-45",
            "evidence_url": "https://example.org/informe.pdf",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    update_id = made.json()["id"]
    # The coordinator cannot skip the institution's validator.
    early = coord_api.post(
        f"{base}/updates/{update_id}/decision", {"approve": True}, content_type="application/json"
    )
    assert early.status_code == 422
    pending = validator_api.get(f"{base}/updates?pending=true").json()["items"]
    assert update_id in [u["id"] for u in pending]
    # The focal point signs nothing: nothing waits for them, not even their own update.
    assert focal_api.get(f"{base}/updates?pending=true").json()["items"] == []
    step2 = validator_api.post(
        f"{base}/updates/{update_id}/decision",
        {"approve": True, "version": 1},
        content_type="application/json",
    )
    assert step2.status_code == 200 and step2.json()["stage"] == "institution_validated"
    stale = coord_api.post(
        f"{base}/updates/{update_id}/decision",
        {"approve": True, "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    step3 = coord_api.post(
        f"{base}/updates/{update_id}/decision",
        {"approve": True, "version": 2},
        content_type="application/json",
    )
    assert step3.json()["stage"] == "validated"
    detail = coord_api.get(f"{base}/items/{rec.pk}").json()
    assert detail["status"] == "in_progress"
    assert detail["history"][-1]["evidence"] == "Informe técnico DGM-45"
    # The portal shows the status and the evidence, to anyone.
    public = Client().get(f"{base}/public/items/{rec.pk}").json()
    assert public["status"] == "in_progress"
    assert public["evidence"][0]["evidence_url"] == "https://example.org/informe.pdf"
    # And the next report pulls the validated update into the matching question, with the
    # figure of the statistics catalogue behind the recommendation's indicator.
    indicator = focal_api.post(
        f"{base}/items/{rec.pk}/indicators",
        {
            "name": "Personas retornadas atendidas",
            "frequency": "yearly",
            "due_on": "2030-01-31",
            "stats_indicator": "returnees.people",
        },
        content_type="application/json",
    )
    assert indicator.status_code == 201, indicator.content
    draft = coord_api.get(f"{base}/drafts/{w['draft'].pk}").json()
    assert len(draft["sections"][0]["figures"]) == 1
    assert "3 departamentos" in draft["sections"][0]["text"]
    assert draft["limit"] == 31800 and draft["words"] > 0


def test_portal_submission_moderated_honeypot_and_rate_limit(make_user) -> None:  # type: ignore[no-untyped-def]
    holder = make_user(Role.CASEWORKER, "MINEX")
    w = recs_world(make_user, holder)
    rec, coordinator = w["rec"], w["coordinator"]
    url = f"/api/v1/recommendations/public/items/{rec.pk}/submissions"
    body = {"organisation": "Pastoral", "email": "p@example.org", "text": "Informe sombra"}
    anon = Client()
    assert anon.post(url, body, content_type="application/json").status_code == 202
    bot = anon.post(url, {**body, "website": "http://spam"}, content_type="application/json")
    assert bot.status_code == 202
    from amparo.recommendations.models import Submission

    assert Submission.objects.filter(organisation="Pastoral").count() == 1  # the robot: nothing
    bad = anon.post(url, {**body, "email": "nope"}, content_type="application/json")
    assert bad.status_code == 422
    for _ in range(4):
        anon.post(url, body, content_type="application/json")
    limited = anon.post(url, body, content_type="application/json")
    assert limited.status_code == 422
    # Not published until the coordinator says so.
    public = anon.get(f"/api/v1/recommendations/public/items/{rec.pk}").json()
    assert public["submissions"] == []
    coord = api_client(coordinator)
    sub = Submission.objects.filter(organisation="Pastoral").first()
    ok = coord.post(
        f"/api/v1/recommendations/submissions/{sub.pk}/moderation",
        {"publish": True},
        content_type="application/json",
    )
    assert ok.status_code == 200
    public = anon.get(f"/api/v1/recommendations/public/items/{rec.pk}").json()
    assert public["submissions"][0]["organisation"] == "Pastoral"
    # An unpublished recommendation does not exist for the portal.
    rec.public = False
    rec.save()
    assert anon.get(f"/api/v1/recommendations/public/items/{rec.pk}").status_code == 404


def test_odd_input_never_a_server_error(make_user) -> None:  # type: ignore[no-untyped-def]
    client = api_client(make_user(Role.SUPERVISOR, "COPADEH"))
    base = "/api/v1/recommendations"
    assert client.get(f"{base}/items/not-a-uuid").status_code in (404, 422)
    assert client.get(f"{base}/items?q=%00%00").status_code in (200, 422)
    assert client.get(f"{base}/items?q=" + "x" * 500).status_code == 422
    empty = io.BytesIO(b"")
    empty.name = "x.txt"
    assert client.post(f"{base}/documents", {"file": empty}).status_code == 422
    broken = io.BytesIO(b'[{"AnnotationId": 1, "Body": "CMW", "Text": "x"}, {')
    broken.name = "u.json"
    answer = client.post(f"{base}/uhri-imports", {"file": broken})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "file"
    garbage = client.generic("POST", f"{base}/drafts", "{", content_type="application/json")
    assert garbage.status_code == 400

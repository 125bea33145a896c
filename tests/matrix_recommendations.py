"""The recommendations app's rows of the authorization matrices (see tests/matrix.py).

API operations are tested for every role and institution in tests/test_recommendations_api.py;
web pages by tests/test_web_matrix.py with the rows below. The matrix's user is of MINEX; the
world's recommendation is assigned to the holder's institution (MINEX: own, SBS: other), whose
focal point submitted an update. The national coordinator (a supervisor of COPADEH) is not the
matrix's user, so coordinator-only writes answer 422 here and are tested in the flow tests.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from amparo.core.models import Role, User
from amparo.core.permissions import Perm

from .matrix import Row

LOIPR_TEXT = """List of issues prior to the submission of the third periodic report of Xyzland
CMW/C/XYZ/QPR/3
A. General information
1. Please provide information on the measures taken to set up a register of returned \
migrant workers and on the data collected since the last dialogue with the Committee.
2. Please describe the steps taken to investigate complaints of trafficking in persons and \
to open shelters for victims in the border departments.
"""


@dataclass(frozen=True)
class Op:
    perm: Perm | None  # None: anyone, signed in or not
    ok: int  # with the permission, on records of the user's own institution
    other: int | None = None  # on another institution's records (None: same as ok)
    body: Any = None  # a dict (JSON), or "file:<kind>" for a multipart upload
    query: str = ""


P = "/api/v1/recommendations"
RECS_OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", f"{P}/mechanisms"): Op(Perm.RECS_READ, 200),
    ("GET", f"{P}/documents"): Op(Perm.RECS_READ, 200),
    ("POST", f"{P}/documents"): Op(Perm.RECS_WRITE, 201, body="file:loipr"),
    ("GET", f"{P}/documents/{{document_id}}"): Op(Perm.RECS_READ, 200),
    ("POST", f"{P}/uhri-imports"): Op(Perm.RECS_VALIDATE, 200, body="file:uhri"),
    ("GET", f"{P}/items"): Op(Perm.RECS_READ, 200, query="?q=registro&status=no_information"),
    ("GET", f"{P}/items/{{rec_id}}"): Op(Perm.RECS_READ, 200),
    ("GET", f"{P}/items/{{rec_id}}/suggestions"): Op(Perm.RECS_READ, 200),
    ("POST", f"{P}/items/{{rec_id}}/tags"): Op(
        Perm.RECS_WRITE, 200, body={"vocabulary": "theme", "code": "data", "confirm": True}
    ),
    ("POST", f"{P}/items/{{rec_id}}/assignments"): Op(
        Perm.RECS_VALIDATE, 422, body={"institution": "MINTRAB", "role": "contributing"}
    ),
    ("DELETE", f"{P}/items/{{rec_id}}/assignments/{{institution}}"): Op(Perm.RECS_VALIDATE, 422),
    ("POST", f"{P}/items/{{rec_id}}/actions"): Op(
        Perm.RECS_WRITE,
        201,
        422,
        body={"description": "Diseñar el registro", "due_on": "2030-01-31"},
    ),
    ("POST", f"{P}/items/{{rec_id}}/indicators"): Op(
        Perm.RECS_WRITE,
        201,
        422,
        body={"name": "Retornados registrados", "frequency": "quarterly", "due_on": "2030-03-31"},
    ),
    ("POST", f"{P}/items/{{rec_id}}/updates"): Op(
        Perm.RECS_WRITE,
        422,  # the matrix's user is not the focal point
        body={"text": "Registro diseñado", "proposed_status": "planned", "evidence": "Acta 4"},
    ),
    ("POST", f"{P}/items/{{rec_id}}/publication"): Op(
        Perm.RECS_VALIDATE, 422, body={"public": True}
    ),
    ("GET", f"{P}/updates"): Op(Perm.RECS_READ, 200, query="?pending=true"),
    ("POST", f"{P}/updates/{{update_id}}/decision"): Op(
        Perm.RECS_VALIDATE, 200, 404, body={"approve": True}
    ),
    ("GET", f"{P}/focal-points"): Op(Perm.RECS_READ, 200),
    ("POST", f"{P}/focal-points"): Op(
        Perm.RECS_VALIDATE,
        201,
        422,
        body={"institution": "{institution}", "kind": "alternate", "username": "{alternate}"},
    ),
    ("GET", f"{P}/late"): Op(Perm.RECS_READ, 200),
    ("POST", f"{P}/groups"): Op(Perm.RECS_VALIDATE, 200, body={"threshold": 0.5}),
    ("GET", f"{P}/submissions"): Op(Perm.RECS_VALIDATE, 200),
    ("POST", f"{P}/submissions/{{submission_id}}/moderation"): Op(
        Perm.RECS_VALIDATE, 422, body={"publish": True}
    ),
    ("GET", f"{P}/public/items"): Op(None, 200, query="?q=registro"),
    ("GET", f"{P}/public/items/{{rec_id}}"): Op(None, 200),
    ("POST", f"{P}/public/items/{{rec_id}}/submissions"): Op(
        None,
        202,
        body={"organisation": "Mesa de Migración", "email": "mesa@example.org", "text": "Datos"},
    ),
    ("POST", f"{P}/drafts"): Op(
        Perm.RECS_VALIDATE, 201, body={"loipr_id": "{loipr_id}", "title": "Tercer informe"}
    ),
    ("GET", f"{P}/drafts/{{draft_id}}"): Op(Perm.RECS_VALIDATE, 200),
    ("PUT", f"{P}/drafts/{{draft_id}}/sections/{{paragraph}}"): Op(
        Perm.RECS_VALIDATE, 200, body={"text": "El registro existe desde 2025."}
    ),
    ("GET", f"{P}/drafts/{{draft_id}}/export"): Op(Perm.RECS_VALIDATE, 200, query="?format=pdf"),
}
API_OPERATIONS = set(RECS_OPERATIONS)


def uhri_bytes(prefix: str = "M", n: int = 2) -> bytes:
    return json.dumps(
        [
            {
                "AnnotationId": f"{prefix}-{i}",
                "Symbol": "CMW/C/XYZ/CO/3",
                "Body": "CMW",
                "Text": f"{30 + i}. The Committee recommends that the State party set up a "
                "single register of returned migrant workers and publish data every year.",
                "Themes": ["Migrants"],
                "AffectedPersons": ["Migrant workers"],
                "Sdgs": [],
                "PublicationDate": "2024-04-20",
            }
            for i in range(n)
        ]
    ).encode()


def recs_world(make_user: Any, holder: User) -> dict[str, Any]:
    """A recommendation assigned to the holder's institution, its focal points, a submitted
    update, a published recommendation with a pending submission, a list of issues and a draft."""
    from amparo.recommendations import actions
    from amparo.recommendations.models import Recommendation
    from amparo.recommendations.uhri import uhri_import

    coordinator = make_user(Role.SUPERVISOR, "COPADEH")
    inst = holder.institution
    focal = make_user(Role.CASEWORKER, inst.code)
    alternate = make_user(Role.OPERATOR, inst.code)
    uhri_import(actor=coordinator, stream=io.BytesIO(uhri_bytes(f"W{focal.pk}", 1)))
    rec = Recommendation.objects.get(key=f"uhri:W{focal.pk}-0")
    actions.assignment_set(
        actor=coordinator, recommendation_id=rec.pk, institution=inst.code, role="lead"
    )
    actions.focal_point_set(
        actor=coordinator, institution=inst.code, kind="principal", username=focal.username
    )
    update = actions.update_submit(
        actor=focal,
        recommendation_id=rec.pk,
        text="Se diseñó el registro",
        proposed_status="planned",
        evidence="Acuerdo ministerial 12-2025",
    )
    actions.recommendation_publish(actor=coordinator, recommendation_id=rec.pk, public=True)
    submission = actions.submission_send(
        recommendation_id=rec.pk, organisation="Mesa", email="m@example.org", text="Datos"
    )
    loipr = actions.document_import(
        actor=coordinator, name="CMW-C-XYZ-QPR-3.txt", data=LOIPR_TEXT.encode()
    ).document
    draft = actions.draft_create(actor=coordinator, loipr_id=loipr.pk, title="Tercer informe")
    return {
        "rec": rec,
        "update": update,
        "submission": submission,
        "loipr": loipr,
        "draft": draft,
        "alternate": alternate,
        "focal": focal,
        "coordinator": coordinator,
        "institution": inst.code,
    }


# ---------------------------------------------------------------- web

R = "recommendations"
WEB_ROWS: dict[tuple[str, str], Row] = {
    ("GET", f"{R}:index"): Row(Perm.RECS_READ, 200, query="?q=registro&mechanism=CMW"),
    ("GET", f"{R}:detail"): Row(Perm.RECS_READ, 200),
    ("POST", f"{R}:group"): Row(Perm.RECS_VALIDATE, 303, {}),
    ("POST", f"{R}:tag"): Row(
        Perm.RECS_WRITE, 303, {"vocabulary": "theme", "code": "data", "confirm": "1"}
    ),
    ("POST", f"{R}:assign"): Row(
        Perm.RECS_VALIDATE, 422, {"institution": "MINTRAB", "role": "contributing"}
    ),
    ("POST", f"{R}:action_add"): Row(
        Perm.RECS_WRITE, 303, {"description": "Diseñar", "due_on": "2030-01-31"}, other=422
    ),
    ("POST", f"{R}:indicator_add"): Row(
        Perm.RECS_WRITE,
        303,
        {"name": "Retornados", "frequency": "yearly", "due_on": "2030-01-31"},
        other=422,
    ),
    ("POST", f"{R}:update_submit"): Row(
        Perm.RECS_WRITE, 422, {"text": "Avance", "proposed_status": "planned", "evidence": "Acta"}
    ),
    ("POST", f"{R}:publish"): Row(Perm.RECS_VALIDATE, 422, {"public": "0"}),
    ("POST", f"{R}:update_decide"): Row(
        Perm.RECS_VALIDATE, 303, {"decision": "approve", "version": 1}, other=404
    ),
    ("GET", f"{R}:documents"): Row(Perm.RECS_READ, 200),
    ("POST", f"{R}:documents"): Row(Perm.RECS_WRITE, 303, {}),  # + the file
    ("GET", f"{R}:document_detail"): Row(Perm.RECS_READ, 200),
    ("GET", f"{R}:uhri"): Row(Perm.RECS_VALIDATE, 200),
    ("POST", f"{R}:uhri"): Row(Perm.RECS_VALIDATE, 303, {}),  # + the file
    ("GET", f"{R}:focal_points"): Row(Perm.RECS_READ, 200),
    ("POST", f"{R}:focal_points"): Row(
        Perm.RECS_VALIDATE, 303, {"kind": "alternate"}, other=422
    ),  # + institution and user name
    ("GET", f"{R}:late"): Row(Perm.RECS_READ, 200),
    ("GET", f"{R}:to_sign"): Row(Perm.RECS_VALIDATE, 200),
    ("GET", f"{R}:submissions"): Row(Perm.RECS_VALIDATE, 200),
    ("POST", f"{R}:moderate"): Row(Perm.RECS_VALIDATE, 422, {"decision": "publish"}),
    ("GET", f"{R}:drafts"): Row(Perm.RECS_VALIDATE, 200),
    ("POST", f"{R}:drafts"): Row(Perm.RECS_VALIDATE, 303, {"title": "Tercer informe"}),
    ("GET", f"{R}:draft_detail"): Row(Perm.RECS_VALIDATE, 200),
    ("POST", f"{R}:draft_section"): Row(Perm.RECS_VALIDATE, 303, {"text": "Texto", "version": 1}),
    ("GET", f"{R}:draft_export"): Row(Perm.RECS_VALIDATE, 200, query="?format=docx"),
    ("GET", f"{R}:portal"): Row(None, 200, query="?q=registro", public=200),
    ("GET", f"{R}:portal_detail"): Row(None, 200, public=200),
    ("POST", f"{R}:portal_submit"): Row(
        None,
        303,
        {"organisation": "Mesa", "email": "m@example.org", "text": "Datos del registro"},
        public=303,
    ),
}


def web_world(make_user: Any, holder: User, target: Any) -> dict[str, dict[str, Any]]:
    w = recs_world(make_user, holder)
    rec = {"rec_id": w["rec"].pk}
    draft = {"draft_id": w["draft"].pk}
    args: dict[str, dict[str, Any]] = {
        f"{R}:{name}": rec
        for name in (
            "detail",
            "tag",
            "assign",
            "action_add",
            "indicator_add",
            "update_submit",
            "publish",
            "portal_detail",
            "portal_submit",
        )
    }
    args[f"{R}:update_decide"] = {"update_id": w["update"].pk}
    args[f"{R}:document_detail"] = {"document_id": w["loipr"].pk}
    args[f"{R}:moderate"] = {"submission_id": w["submission"].pk}
    args[f"{R}:draft_detail"] = draft
    args[f"{R}:draft_export"] = draft
    args[f"{R}:draft_section"] = {**draft, "paragraph": 1}
    # Not URL arguments: what the POST bodies need (web_post_data reads them).
    args["_"] = {
        "institution": w["institution"],
        "alternate": w["alternate"].username,
        "loipr": str(w["loipr"].pk),
    }
    return args


def web_post_data(name: str, data: dict[str, Any], world: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    extra = world.case_args.get("_", {})
    if name == f"{R}:documents":
        data["file"] = SimpleUploadedFile("CMW-C-XYZ-QPR-3.txt", LOIPR_TEXT.encode())
    elif name == f"{R}:uhri":
        data["file"] = SimpleUploadedFile("uhri.json", uhri_bytes("WEB"))
    elif name == f"{R}:focal_points":
        data = {**data, "institution": extra["institution"], "username": extra["alternate"]}
    elif name == f"{R}:drafts":
        data = {**data, "loipr": extra["loipr"]}
    return data

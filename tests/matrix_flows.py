"""Authorization matrix rows of the flows app (tests/matrix.py explains the contract)."""

from __future__ import annotations

from typing import Any

from amparo.core.permissions import Perm

from .matrix import Row

P = "flows:"
WEB_ROWS: dict[tuple[str, str], Row] = {
    ("GET", P + "dashboard"): Row(Perm.FLOWS_READ, 200),
    ("GET", P + "point"): Row(Perm.FLOWS_READ, 200),
    ("GET", P + "entry"): Row(Perm.FLOWS_WRITE, 200),
    ("POST", P + "entry"): Row(
        Perm.FLOWS_WRITE,
        303,
        {
            "site": "tecun-uman-i",
            "date": "2024-01-02",
            "direction": "in",
            "nationality": "HN",
            "adults": "5",
            "families": "",
            "unaccompanied_children": "1",
        },
    ),
    ("GET", P + "streams"): Row(Perm.FLOWS_WRITE, 200),
    ("POST", P + "streams"): Row(
        Perm.FLOWS_WRITE,
        303,
        {"kind": "occupancy", "site": "sbs-cnr-guatemala", "date": "2024-01-02", "value": "40"},
    ),
    ("POST", P + "run"): Row(Perm.FLOWS_COORDINATE, 303, {"false_alarms_per_year": "1"}),
    # A run's progress: polled by the dashboard (htmx); a plain visit is sent to the dashboard.
    ("GET", P + "run_status"): Row(Perm.FLOWS_READ, 303),
    ("GET", P + "alerts"): Row(Perm.FLOWS_READ, 200),
    ("GET", P + "alert"): Row(Perm.FLOWS_READ, 200),
    ("POST", P + "acknowledge"): Row(Perm.FLOWS_COORDINATE, 303, {"note": "Visto"}),
    ("GET", P + "bulletin_pdf"): Row(Perm.FLOWS_READ, 200),
    ("GET", P + "bulletin_json"): Row(Perm.FLOWS_READ, 200),
    ("GET", P + "tasks"): Row(Perm.FLOWS_READ, 200),
    # A task is closed by its own institution only: another institution's is not found.
    ("POST", P + "task_done"): Row(Perm.FLOWS_WRITE, 303, {"note": "Hecho"}, other=404),
    ("GET", P + "activation"): Row(Perm.FLOWS_READ, 200),
    ("POST", P + "support"): Row(Perm.FLOWS_WRITE, 303, {"people": "12", "version": "1"}),
}


def web_world(make_user: Any, holder: Any, target: Any) -> dict[str, dict[str, Any]]:
    """An alert at Tecún Umán with its plan activated; one task of the holder's institution."""
    from .test_flows_app import alert_world

    change, activation = alert_world()
    task = activation.tasks.get(institution=holder.institution)
    c = {"change_id": change.pk}
    a = {"activation_id": activation.pk}
    return {
        P + "point": {"code": "tecun-uman-i"},
        P + "alert": c,
        P + "acknowledge": c,
        P + "bulletin_pdf": c,
        P + "bulletin_json": c,
        P + "task_done": {"task_id": task.pk},
        P + "run_status": {"run_id": change.run_id},
        P + "activation": a,
        P + "support": a,
    }


API_OPERATIONS: set[tuple[str, str]] = {
    ("GET", "/api/v1/flows/points"),
    ("GET", "/api/v1/flows/counts"),
    ("POST", "/api/v1/flows/counts"),
    ("POST", "/api/v1/flows/streams"),
    ("POST", "/api/v1/flows/runs"),
    ("GET", "/api/v1/flows/runs/latest"),
    ("GET", "/api/v1/flows/phase-changes"),
    ("GET", "/api/v1/flows/phase-changes/{change_id}/bulletin"),
    ("POST", "/api/v1/flows/phase-changes/{change_id}/acknowledge"),
    ("GET", "/api/v1/flows/tasks"),
    ("POST", "/api/v1/flows/tasks/{task_id}/done"),
    ("GET", "/api/v1/flows/activations"),
    ("POST", "/api/v1/flows/activations/{activation_id}/support"),
}

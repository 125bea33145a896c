"""A supervisor imports a file in a real browser (Debian's chromium, headless): the upload is
queued, the job page follows the background worker's progress by itself and shows the
rejected row with its line and reason, and the reject file downloads. axe-core finds no
WCAG 2.2 AA violation on the import page, the job page and the layouts page, at phone width.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amparo.assistance.models import SupportContact
from amparo.core.models import Role
from amparo.imports.models import ImportJob
from amparo.imports.tasks import run_import_task

from . import test_browser as tb
from .test_imports import CONTACT_HEADER, CONTACTS, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_supervisor_imports_a_file_and_follows_it(
    page: Any, live_reference: None, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    tb.make_user(Role.SUPERVISOR, "jefa.callcenter")
    path = tmp_path / "contactos-2018.csv"
    bad = "A4,2018-03-16 08:00,call,US,X,nope,information,1,"
    path.write_bytes(csv_bytes(CONTACT_HEADER, [*CONTACTS, bad]))

    tb.sign_in(page, "jefa.callcenter", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto("/imports/")
    tb.axe_check(page, "import page")
    page.select_option("#id_kind", "contacts")
    page.set_input_files("#id_file", str(path))
    page.fill("#id_source", "call-centre")
    page.select_option("#id_mode", "valid")
    response = tb.submit(page, "/imports/")
    assert response.status == 302
    job = ImportJob.objects.get()
    expect(page.locator("#import-progress")).to_contain_text(str(job.get_status_display()))
    tb.axe_check(page, "import job page (queued)")

    run_import_task.call(str(job.pk))  # the worker's turn; the page polls every 2 s
    expect(page.locator("#import-progress")).to_contain_text("nope", timeout=10_000)
    assert SupportContact.objects.count() == 3
    expect(page.locator("#import-progress table")).to_contain_text("reason")
    tb.axe_check(page, "import job page (done)")
    with page.expect_download() as download:
        page.locator("#import-progress a[href$='rejects.csv']").click()
    assert "nope" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.goto("/imports/layouts/")
    tb.axe_check(page, "import layouts")

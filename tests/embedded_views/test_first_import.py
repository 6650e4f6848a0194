"""An admin's first sign-in while the company's directory import runs: a project Procore shows them but not imported
yet gets a page that waits for the import and reloads itself, never the 404 refusal. After an import finished, a
project that is not the company's is refused as before."""

from __future__ import annotations

from datetime import timedelta

from integration.extensions import db
from integration.models import SyncRun, utcnow
from tests import factories
from tests.conftest import signed_in

C = 61
NOT_YET = 300001  # Procore's id of a project the import has not reached


def _run(state: str, *, ago: timedelta = timedelta(minutes=1)) -> None:
    started = utcnow() - ago
    db.session.add(SyncRun(company_id=C, kind="directory_import", state=state, started_at=started,
                           finished_at=None if state == "running" else started + timedelta(seconds=30)))
    db.session.commit()


def _open(database, world, project_id: int = NOT_YET):
    client = signed_in(database, world["admin"], sees=[NOT_YET])
    response = client.get(f"/procore/companies/{C}/projects/{project_id}")
    return response, response.get_data(as_text=True)


def _world(database):
    world = factories.company(C, "Redwood General Contractors")
    db.session.commit()
    return world


def test_a_project_not_imported_yet_waits_for_the_first_import(database):
    world = _world(database)
    response, body = _open(database, world)  # no import has finished: the first one is queued
    assert response.status_code == 202 and "Importing your Procore directory" in body
    assert '<meta http-equiv="refresh"' in body and "is not a project of the company" not in body
    _run("running")
    response, body = _open(database, world)
    assert response.status_code == 202 and "Importing your Procore directory" in body


def test_the_waiting_page_becomes_the_table_once_the_project_is_imported(database):
    world = _world(database)
    _run("running")
    factories.project(C, "Columbus Elementary School", procore_project_id=NOT_YET)
    db.session.commit()
    response, body = _open(database, world)
    assert response.status_code == 200 and "Importing your Procore directory" not in body
    assert "Columbus Elementary School" in body


def test_after_a_finished_import_an_unknown_project_is_refused(database):
    world = _world(database)
    _run("succeeded", ago=timedelta(minutes=10))
    response, body = _open(database, world)
    assert response.status_code == 404 and "is not a project of the company" in body
    assert "Importing your Procore directory" not in body
    _run("running", ago=timedelta(hours=3))  # a run left "running" by a crash hours ago is not under way
    response, _ = _open(database, world)
    assert response.status_code == 404


def test_while_importing_a_project_procore_hides_from_the_user_is_refused(database):
    world = _world(database)
    _run("running")
    client = signed_in(database, world["admin"], sees=[])
    response = client.get(f"/procore/companies/{C}/projects/{NOT_YET}")
    assert response.status_code == 403 and "Importing your Procore directory" not in response.get_data(as_text=True)

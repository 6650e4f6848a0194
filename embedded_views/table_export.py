"""The compliance table as a CSV file ("Download CSV"): every row the table's search, filter and sort select, over
all its pages, for the same people the table is for (a project's vendors for whoever may see the project in
Procore; the company's for admins), of the signed-in company only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, abort, request, stream_with_context

from embedded_views.auth import requires_user, visible_project
from integration.compliance.statuses import Status
from integration.outreach.next_steps import waiting_actions
from integration.refusals import Refusal
from integration.roles import is_admin
from integration.vendor_table import TableFilter, vendor_table

bp = Blueprint("table_export", __name__, url_prefix="/procore/companies/<int:company_id>")
HEADINGS = ("Vendor", "Trade", "Status", "Open gaps", "Earliest expiry", "Last request", "Next action")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


@bp.get("/vendors.csv")
@requires_user(is_admin)
def company_csv(company_id: int):
    """The company-wide table (every project's vendors) as CSV, for admins as the table is."""
    return _download(company_id, None, "All vendors")


@bp.get("/projects/<int:project_id>/vendors.csv")
@requires_user()
def project_csv(company_id: int, project_id: int):
    """A project's table as CSV: ``project_id`` is Procore's, checked as the table's page checks it."""
    project, refused = visible_project(company_id, project_id)
    if refused is not None:
        return refused
    return _download(company_id, project, f"{project.name} vendors")


def _download(company_id: int, project, name: str) -> Response:
    try:
        wanted = TableFilter.from_args(request.args)
    except Refusal as refused:
        abort(400, description=refused.message)
    rows = _csv_lines(company_id, project.id if project is not None else None, wanted, date.today())
    return Response(stream_with_context(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_file_name(name)}.csv"', "Cache-Control": "no-store"})


def _csv_lines(company_id: int, project_id: int | None, wanted: TableFilter, today: date) -> Iterator[str]:
    """The heading, then each page of the table in its order, as CSV lines."""
    company_wide = project_id is None
    yield _line(HEADINGS + (("Projects",) if company_wide else ()))
    number = 1
    while True:
        page = vendor_table(company_id, project_id, replace(wanted, page=number), today)
        waiting = waiting_actions(company_id, project_id, page.rows)
        for row in page.rows:
            cells = (row.name, row.trade or "", Status(row.status).label, shown_gaps(row.status, row.open_gaps),
                     row.expires_on.isoformat() if row.expires_on else "",
                     row.last_requested_at.date().isoformat() if row.last_requested_at else "",
                     row.next_action or waiting.get(row.vendor_id, ""))
            yield _line(cells + ((row.projects,) if company_wide else ()))
        if number >= page.pages:
            return
        number += 1


def shown_gaps(status: str, open_gaps: int) -> int | str:
    """The open gaps as the table shows them: none counted while nothing is received (the status says it all)."""
    return "" if status == Status.NOTHING_RECEIVED.value or not open_gaps else open_gaps


def _line(cells) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["'" + c if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c for c in cells])
    return out.getvalue()


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in " -_" else "_" for c in name).strip() or "vendors"

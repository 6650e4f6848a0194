"""Work windows: the days a vendor works on a project, which its insurance must cover.

Admins set them one at a time or for a whole project from a CSV. A CSV with any bad row is refused
whole, each problem naming its row, and nothing is saved. Callers queue the re-evaluation of the
vendors whose window changed (the engine checks coverage against the window).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from integration import audit
from integration.extensions import db
from integration.models import AppUser, Project, ProjectAssignment, Vendor
from integration.refusals import Refusal
from integration.roles import in_words, is_admin
from integration.tenancy import get_scoped, scoped

COLUMNS = ("procore_vendor_id", "vendor", "work_start", "work_end")
REQUIRED = ("procore_vendor_id", "work_start", "work_end")
MAX_ROWS = 20_000
MAX_BYTES = 2 * 1024 * 1024
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


class WorkWindowRefused(Refusal):
    """Work windows not saved; ``problems`` lists each one (naming the row of a CSV), nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__("Nothing was saved. " + " ".join(shown))
        self.problems = problems


@dataclass(frozen=True)
class WorkWindow:
    """When one assignment's work starts and ends (either may be open)."""

    assignment_id: int
    starts_on: date | None
    ends_on: date | None


def parse_day(raw: str | None, field: str) -> date | None:
    """A date as typed (YYYY-MM-DD, or MM/DD/YYYY as spreadsheets write it); None when blank."""
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{field} {raw!r} is not a date (write YYYY-MM-DD)")


def window_problem(starts_on: date | None, ends_on: date | None) -> str | None:
    """Why a window cannot be, or None when it can."""
    if starts_on and ends_on and ends_on < starts_on:
        return f"work_end {ends_on.isoformat()} is before work_start {starts_on.isoformat()}"
    return None


def set_work_window(company_id: int, actor: AppUser, assignment_id: int, start: str, end: str) -> list[int]:
    """Set one assignment's window from typed dates; returns the vendor ids whose window changed."""
    _check_actor(company_id, actor)
    assignment = get_scoped(ProjectAssignment, assignment_id, company_id)
    if assignment is None:
        raise WorkWindowRefused([f"Assignment {assignment_id} is not one of this company's."])
    try:
        window = WorkWindow(assignment.id, parse_day(start, "work_start"), parse_day(end, "work_end"))
    except ValueError as exc:
        raise WorkWindowRefused([f"{exc}."]) from exc
    problem = window_problem(window.starts_on, window.ends_on)
    if problem:
        raise WorkWindowRefused([f"{problem}."])
    return _apply(company_id, actor, {assignment.id: assignment}, [window])


def import_work_windows(company_id: int, actor: AppUser, project_id: int, data: bytes) -> list[int]:
    """Set a project's windows from CSV bytes, all rows or none; returns the vendor ids whose window changed."""
    _check_actor(company_id, actor)
    project = get_scoped(Project, project_id, company_id)
    if project is None:
        raise WorkWindowRefused([f"Project {project_id} is not one of this company's projects."])
    assignments = _assignments_by_vendor(company_id, project.id)
    windows = _parse_csv(data, assignments)
    return _apply(company_id, actor, {a.id: a for a in assignments.values()}, windows)


def _check_actor(company_id: int, actor: AppUser) -> None:
    if actor.company_id != company_id or not is_admin(actor):
        raise WorkWindowRefused([f"Only admins set work windows; your role is {in_words(actor.role)}."])


def _assignments_by_vendor(company_id: int, project_id: int) -> dict[int, ProjectAssignment]:
    """The project's assignments keyed by the vendor's Procore id."""
    rows = db.session.execute(scoped(ProjectAssignment, company_id).add_columns(Vendor.procore_vendor_id)
                              .join(Vendor, Vendor.id == ProjectAssignment.vendor_id)
                              .where(ProjectAssignment.project_id == project_id))
    return {procore_id: assignment for assignment, procore_id in rows}


def _parse_csv(data: bytes, assignments: dict[int, ProjectAssignment]) -> list[WorkWindow]:
    if len(data) > MAX_BYTES:
        raise WorkWindowRefused([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkWindowRefused([f"The file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8."]) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise WorkWindowRefused([f"Row 1 (the header) lacks the column(s) {', '.join(missing)}; the columns are "
                                 f"{', '.join(COLUMNS)}."])
    windows, problems, seen = [], [], {}
    for row in reader:
        number = reader.line_num
        if number > MAX_ROWS + 1:
            raise WorkWindowRefused([f"The file has more than {MAX_ROWS} rows."])
        window, problem = _parse_row(row, number, assignments, seen)
        if problem:
            problems.append(f"Row {number}: {problem}.")
        elif window:
            windows.append(window)
    if problems:
        raise WorkWindowRefused(problems)
    if not windows:
        raise WorkWindowRefused(["The file has no rows below its header."])
    return windows


def _parse_row(row: dict, number: int, assignments: dict[int, ProjectAssignment],
               seen: dict[int, int]) -> tuple[WorkWindow | None, str | None]:
    if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
        return None, None  # a blank line
    raw_id = (row.get("procore_vendor_id") or "").strip()
    if not raw_id.isdigit():
        return None, f"procore_vendor_id {raw_id!r} is not a Procore vendor id (a whole number)"
    assignment = assignments.get(int(raw_id))
    if assignment is None:
        return None, f"vendor {raw_id} does not work on this project"
    if int(raw_id) in seen:
        return None, f"vendor {raw_id} is already on row {seen[int(raw_id)]}"
    seen[int(raw_id)] = number
    try:
        starts_on, ends_on = parse_day(row.get("work_start"), "work_start"), parse_day(row.get("work_end"), "work_end")
    except ValueError as exc:
        return None, str(exc)
    problem = window_problem(starts_on, ends_on)
    return (None, problem) if problem else (WorkWindow(assignment.id, starts_on, ends_on), None)


def _apply(company_id: int, actor: AppUser, assignments: dict[int, ProjectAssignment],
           windows: list[WorkWindow]) -> list[int]:
    changed = []
    for window in windows:
        assignment = assignments[window.assignment_id]
        before = (assignment.work_starts_on, assignment.work_ends_on)
        if before == (window.starts_on, window.ends_on):
            continue
        assignment.work_starts_on, assignment.work_ends_on = window.starts_on, window.ends_on
        audit.record(company_id, "work_window.set", assignment, actor=actor, before=_shown(*before),
                     after=_shown(window.starts_on, window.ends_on))
        changed.append(assignment.vendor_id)
    db.session.commit()
    return changed


def _shown(starts_on: date | None, ends_on: date | None) -> dict:
    return {"work_start": starts_on.isoformat() if starts_on else None,
            "work_end": ends_on.isoformat() if ends_on else None}


def work_windows_csv(company_id: int, project_id: int) -> str:
    """The project's windows as a CSV to fill in and upload again (one row per vendor on the project)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for assignment, vendor in project_windows(company_id, project_id):
        writer.writerow([vendor.procore_vendor_id, vendor.name,
                         *_shown(assignment.work_starts_on, assignment.work_ends_on).values()])
    return out.getvalue()


def project_windows(company_id: int, project_id: int) -> list[tuple[ProjectAssignment, Vendor]]:
    """The project's assignments with their vendors, by vendor name (for the work windows page)."""
    return [tuple(row) for row in db.session.execute(
        scoped(ProjectAssignment, company_id).add_columns(Vendor)
        .join(Vendor, Vendor.id == ProjectAssignment.vendor_id)
        .where(ProjectAssignment.project_id == project_id).order_by(Vendor.name))]

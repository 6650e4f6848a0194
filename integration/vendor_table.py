"""The compliance table: every vendor of a project (or of the company) with what to act on, searched,
filtered, sorted and paged in the database.

A row's facts are read in bulk, one grouped subquery each: the open gaps of its current evaluation
(the assignment's on a project, every current one company-wide), the soonest of each coverage
line's latest expiry, the last request, and the outreach button that fits (the same rule as
``integration.outreach.history.next_action``, written as SQL so the table can sort by it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, literal, or_, select

from integration.compliance.statuses import VENDOR_ORDER, Status
from integration.extensions import db
from integration.models import (
    Certificate,
    CertificatePolicy,
    CoverageGap,
    Evaluation,
    OutreachRequest,
    ProjectAssignment,
    Vendor,
)
from integration.outreach.history import REQUEST_NEW_COI, RESEND_INVITATION, SEND_GAPS
from integration.outreach.requests import LIVE
from integration.refusals import Refusal
from integration.table_args import sort_and_page

PAGE_SIZE = 50
EXPIRING_DAYS = 30  # an expiry this close shows amber and sorts first
SORTS = ("priority", "vendor", "status", "gaps", "expiry", "requested", "action", "projects")
EXPIRING = "expiring"  # a filter beside the statuses: cover that ends within EXPIRING_DAYS


class TableRefused(Refusal):
    """A search, filter, sort or page the table cannot apply; the message names the field."""


@dataclass(frozen=True)
class TableFilter:
    """What the person asked to see: a search, a status (or "expiring"), the sort and the page."""

    q: str = ""
    status: str = ""
    sort: str = "priority"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TableFilter:
        """The filter from query arguments; TableRefused names an argument that is not understood."""
        status = args.get("status") or ""
        if status and status not in (*(s.value for s in Status), EXPIRING):
            raise TableRefused(f"status must be one of {', '.join(s.value for s in Status)} or {EXPIRING}, "
                               f"not {status!r}.")
        sort, descending, page = sort_and_page(args, SORTS, "priority", TableRefused, max_page=100_000)
        q = (args.get("q") or "").strip()
        if len(q) > 100:
            raise TableRefused("q (the search) may be at most 100 characters.")
        return cls(q, status, sort, descending, page)

    def to_args(self, **changes) -> dict[str, str]:
        """Query arguments that ask for this filter (with ``changes``), leaving defaults out."""
        chosen = replace(self, **changes)
        defaults = TableFilter()
        args = {f.name: getattr(chosen, f.name) for f in fields(self)
                if getattr(chosen, f.name) != getattr(defaults, f.name)}
        if args.pop("descending", False):
            args["dir"] = "desc"
        return {name: str(value) for name, value in args.items()}

    def sorted_by(self, column: str) -> dict[str, str]:
        """Arguments for a click on ``column``'s heading: sort by it, or flip it when it is the sort already."""
        return self.to_args(sort=column, descending=self.sort == column and not self.descending, page=1)


@dataclass(frozen=True)
class VendorRow:
    """One vendor as the table lists it."""

    vendor_id: int
    name: str
    trade: str | None
    status: str
    open_gaps: int
    expires_on: date | None
    last_requested_at: datetime | None
    next_action: str | None
    projects: int

    def expiry_state(self, today: date) -> str:
        """"expired", "expiring" (within EXPIRING_DAYS) or "" for the expiry column's colour."""
        if self.expires_on is None:
            return ""
        if self.expires_on < today:
            return "expired"
        return "expiring" if self.expires_on <= today + timedelta(days=EXPIRING_DAYS) else ""


@dataclass(frozen=True)
class TablePage:
    """One page of rows, how many match in all, and how many of the unfiltered rows have each status."""

    rows: list[VendorRow]
    total: int
    filter: TableFilter
    status_counts: dict[str, int]

    @property
    def pages(self) -> int:
        """How many pages the matching rows fill (at least one)."""
        return max(1, -(-self.total // PAGE_SIZE))


LEAN_SORTS = ("priority", "expiry", "vendor", "status")  # orders that need no fact but the expiry


def vendor_table(company_id: int, project_id: int | None, wanted: TableFilter, today: date) -> TablePage:
    """The page ``wanted`` asks for: a project's vendors (``project_id``, ours) or, with None, the company's.

    The count per status needs no facts. The page is found in one query that joins only the facts its
    order needs (for the default order, the expiry); the page's rows then get the other facts.
    """
    light = _base(company_id, project_id)[0].subquery("light")
    counts = dict(db.session.execute(select(light.c.status, func.count()).where(_search(light, wanted.q))
                                     .group_by(light.c.status)).all())
    lean = wanted.sort in LEAN_SORTS
    rows = (_lean_rows(company_id, project_id) if lean else _rows(company_id, project_id)).subquery("table_rows")
    chosen = select(rows).where(_search(rows, wanted.q), *_status_filter(rows, wanted.status, today))
    page = (chosen.add_columns(func.count().over().label("total")).order_by(*_order(rows, wanted, today))
            .limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE))
    found = db.session.execute(page).all()
    if found:
        total = found[0].total
    else:  # past the last page, or nothing matches
        total = db.session.scalar(select(func.count()).select_from(chosen.subquery())) or 0
    if lean and found:
        full = {r.vendor_id: r for r in db.session.execute(_rows(company_id, project_id, [r.vendor_id for r in found]))}
        found = [full[r.vendor_id] for r in found]
    listed = [VendorRow(**{k: v for k, v in r._mapping.items() if k != "total"}) for r in found]
    return TablePage(listed, total, wanted, counts)


def _base(company_id: int, project_id: int | None):
    """The listed vendors (of the project, or the company's active ones) with their status: (select, status)."""
    if project_id is None:
        base = select(Vendor).where(Vendor.company_id == company_id, Vendor.active.is_(True))
        status = Vendor.status
    else:
        base = (select(Vendor).join(ProjectAssignment, ProjectAssignment.vendor_id == Vendor.id)
                .where(ProjectAssignment.company_id == company_id, ProjectAssignment.project_id == project_id))
        status = ProjectAssignment.status
    return base.with_only_columns(Vendor.id.label("vendor_id"), Vendor.name, Vendor.trade,
                                  status.label("status")), status


def _lean_rows(company_id: int, project_id: int | None) -> Select:
    """One row per listed vendor with its status and expiry only (enough to order by LEAN_SORTS)."""
    base, _ = _base(company_id, project_id)
    expiry = _expiry(company_id)
    return base.outerjoin(expiry, expiry.c.vendor_id == Vendor.id).add_columns(expiry.c.expires_on)


def _rows(company_id: int, project_id: int | None, vendor_ids: list[int] | None = None) -> Select:
    """One row per listed vendor (or only ``vendor_ids``) with its facts."""
    base, status = _base(company_id, project_id)
    gaps, expiry = _open_gaps(company_id, project_id, vendor_ids), _expiry(company_id, vendor_ids)
    requests = _last_request(company_id, project_id, vendor_ids)
    live = _live(company_id, project_id, vendor_ids)
    project_count = literal(1)
    if project_id is None:
        projects = _project_counts(company_id, vendor_ids)
        base = base.outerjoin(projects, projects.c.vendor_id == Vendor.id)
        project_count = func.coalesce(projects.c.projects, 0)
    if vendor_ids is not None:
        base = base.where(Vendor.id.in_(vendor_ids))
    return (base.outerjoin(gaps, gaps.c.key == (Vendor.id if project_id is None else ProjectAssignment.id))
            .outerjoin(expiry, expiry.c.vendor_id == Vendor.id)
            .outerjoin(requests, requests.c.vendor_id == Vendor.id)
            .outerjoin(live, live.c.vendor_id == Vendor.id)
            .add_columns(func.coalesce(gaps.c.open_gaps, 0).label("open_gaps"), expiry.c.expires_on,
                         requests.c.last_requested_at,
                         action_expression(Vendor.outreach_muted, status, live).label("next_action"),
                         project_count.label("projects")))


def _only(column, vendor_ids: list[int] | None) -> list:
    """The condition limiting a fact's subquery to ``vendor_ids`` (none: every vendor)."""
    return [] if vendor_ids is None else [column.in_(vendor_ids)]


def action_expression(muted, status, live):
    """The outreach button as SQL: ``next_action``'s rule over the status and the live request's flags."""
    return case(
        (muted.is_(True), None),
        (func.coalesce(live.c.non_responsive, 0) == 1, RESEND_INVITATION),
        (func.coalesce(live.c.running, 0) == 1, None),
        (status.in_((Status.NOTHING_RECEIVED.value, Status.EXPIRED.value)), REQUEST_NEW_COI),
        (status.not_in([s.value for s in Status if s.satisfied] + [Status.UNDER_REVIEW.value]), SEND_GAPS),
        else_=None)


def _open_gaps(company_id: int, project_id: int | None, vendor_ids: list[int] | None = None):
    """Open gaps per assignment of the project, or (company-wide) distinct open gaps per vendor."""
    key = Evaluation.vendor_id if project_id is None else Evaluation.assignment_id
    query = (select(key.label("key"), func.count(func.distinct(CoverageGap.gap_key)).label("open_gaps"))
             .join(Evaluation, Evaluation.id == CoverageGap.evaluation_id)
             .where(CoverageGap.company_id == company_id, Evaluation.company_id == company_id,
                    Evaluation.is_current.is_(True), CoverageGap.state == "open",
                    *_only(Evaluation.vendor_id, vendor_ids)))
    if project_id is not None:
        query = query.join(ProjectAssignment, ProjectAssignment.id == Evaluation.assignment_id).where(
            ProjectAssignment.project_id == project_id)
    return query.group_by(key).subquery("gaps")


def _expiry(company_id: int, vendor_ids: list[int] | None = None):
    """Per vendor, the soonest of each coverage line's latest expiry on a readable certificate."""
    lines = (select(Certificate.vendor_id, func.max(CertificatePolicy.expiration_date).label("ends"))
             .join(Certificate, Certificate.id == CertificatePolicy.certificate_id)
             .where(CertificatePolicy.company_id == company_id, Certificate.company_id == company_id,
                    Certificate.ok.is_(True), CertificatePolicy.expiration_date.is_not(None),
                    *_only(Certificate.vendor_id, vendor_ids))
             .group_by(Certificate.vendor_id, CertificatePolicy.line).subquery("line_ends"))
    return (select(lines.c.vendor_id, func.min(lines.c.ends).label("expires_on"))
            .group_by(lines.c.vendor_id).subquery("expiry"))


def _requests_for(company_id: int, project_id: int | None, vendor_ids: list[int] | None) -> list:
    """Conditions for the requests a row counts: the project's and company-wide ones (project view), or all."""
    conditions = [OutreachRequest.company_id == company_id, *_only(OutreachRequest.vendor_id, vendor_ids)]
    if project_id is not None:
        conditions.append(or_(OutreachRequest.project_id == project_id, OutreachRequest.project_id.is_(None)))
    return conditions


def _last_request(company_id: int, project_id: int | None, vendor_ids: list[int] | None = None):
    return (select(OutreachRequest.vendor_id, func.max(OutreachRequest.created_at).label("last_requested_at"))
            .where(*_requests_for(company_id, project_id, vendor_ids)).group_by(OutreachRequest.vendor_id)
            .subquery("requests"))


def _live(company_id: int, project_id: int | None, vendor_ids: list[int] | None = None):
    """Per vendor, the live invitation the button is about (the project's, or the company-wide one)."""
    scope = OutreachRequest.project_id.is_(None) if project_id is None else OutreachRequest.project_id == project_id
    flag = lambda condition: func.max(case((condition, 1), else_=0))  # noqa: E731
    return (select(OutreachRequest.vendor_id,
                   flag(OutreachRequest.state == "non_responsive").label("non_responsive"),
                   flag(OutreachRequest.sequence.is_not(None)).label("running"))
            .where(OutreachRequest.company_id == company_id, OutreachRequest.kind == "invitation",
                   OutreachRequest.state.in_(LIVE), scope, *_only(OutreachRequest.vendor_id, vendor_ids))
            .group_by(OutreachRequest.vendor_id).subquery("live"))


def _project_counts(company_id: int, vendor_ids: list[int] | None = None):
    return (select(ProjectAssignment.vendor_id, func.count().label("projects"))
            .where(ProjectAssignment.company_id == company_id, *_only(ProjectAssignment.vendor_id, vendor_ids))
            .group_by(ProjectAssignment.vendor_id).subquery("projects"))


def _search(rows, q: str):
    if not q:
        return literal(True)
    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(func.lower(rows.c.name).like(pattern, escape="\\"),
               func.lower(func.coalesce(rows.c.trade, "")).like(pattern, escape="\\"))


def _status_filter(rows, status: str, today: date) -> list:
    if not status:
        return []
    if status == EXPIRING:
        return [rows.c.expires_on >= today, rows.c.expires_on <= today + timedelta(days=EXPIRING_DAYS)]
    return [rows.c.status == status]


def _priority(rows, today: date):
    """Not compliant and expiring first: expired, not compliant, cover ending soon, then the rest worst first."""
    soon = and_(rows.c.expires_on.is_not(None), rows.c.expires_on <= today + timedelta(days=EXPIRING_DAYS))
    rank = {status.value: number + 1 for number, status in enumerate(VENDOR_ORDER)}
    worst = (Status.EXPIRED.value, Status.NOT_COMPLIANT.value)
    return case(*[(rows.c.status == s, rank[s]) for s in worst], (soon, len(worst) + 1),
                *[(rows.c.status == s, rank[s] + 1) for s in rank if s not in worst], else_=len(rank) + 2)


def _order(rows, wanted: TableFilter, today: date) -> list:
    rank = {s.value: n for n, s in enumerate(VENDOR_ORDER)}
    status_rank = case(*[(rows.c.status == s, n) for s, n in rank.items()], else_=len(rank))
    column = {"priority": lambda: _priority(rows, today), "vendor": lambda: func.lower(rows.c.name),
              "status": lambda: status_rank, "gaps": lambda: rows.c.open_gaps, "expiry": lambda: rows.c.expires_on,
              "requested": lambda: rows.c.last_requested_at, "action": lambda: rows.c.next_action,
              "projects": lambda: rows.c.projects}[wanted.sort]()  # lean rows have only what their sorts use
    first = column.desc() if wanted.descending else column.asc()
    if wanted.sort in ("expiry", "requested", "action"):
        first = first.nulls_last()
    tie = [rows.c.expires_on.asc().nulls_last()] if wanted.sort == "priority" else []
    return [first, *tie, func.lower(rows.c.name), rows.c.vendor_id]

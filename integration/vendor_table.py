"""The compliance table: every vendor of a project (or of the company) with what to act on, searched,
filtered, sorted and paged in the database.

A row's facts (the open gaps of its current evaluation, the soonest of each coverage line's latest
expiry, the last request, and the outreach button that fits) are kept per assignment and per vendor
by ``integration.vendor_summary`` as they change, so a page is one ordered read of one narrow table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, literal, or_, select

from integration.compliance.statuses import VENDOR_ORDER, Status
from integration.extensions import db
from integration.models import VendorSummary
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


def vendor_table(company_id: int, project_id: int | None, wanted: TableFilter, today: date) -> TablePage:
    """The page ``wanted`` asks for: a project's vendors (``project_id``, ours) or, with None, the company's.

    Rows come from the kept summaries (``integration.vendor_summary``): the count per status is one grouped
    read, the page one ordered read with a limit; only whether an expiry is near depends on ``today``.
    """
    rows = _listed(company_id, project_id).subquery("table_rows")
    counts = dict(db.session.execute(select(rows.c.status, func.count()).where(_search(rows, wanted.q))
                                     .group_by(rows.c.status)).all())
    chosen = select(rows).where(_search(rows, wanted.q), *_status_filter(rows, wanted.status, today))
    page = chosen.order_by(*_order(rows, wanted, today)).limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE)
    found = db.session.execute(page).all()
    if wanted.status == EXPIRING:
        total = db.session.scalar(select(func.count()).select_from(chosen.subquery())) or 0
    else:  # the counts per status already hold it
        total = counts.get(wanted.status, 0) if wanted.status else sum(counts.values())
    listed = [VendorRow(**r._mapping) for r in found]
    return TablePage(listed, total, wanted, counts)


def _listed(company_id: int, project_id: int | None) -> Select:
    """The listed rows: the project's assignments, or (None) the company's vendors, with name and trade; only the
    vendors active in Procore's Directory (an inactive one is not asked for documents, nor evaluated)."""
    s = VendorSummary
    scope = [s.project_id == project_id] if project_id is not None else [s.assignment_id.is_(None)]
    scope.append(s.active.is_(True))
    return (select(s.vendor_id, s.name, s.trade, s.status, s.open_gaps, s.expires_on, s.last_requested_at,
                   s.next_action, s.projects)
            .where(s.company_id == company_id, *scope))


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

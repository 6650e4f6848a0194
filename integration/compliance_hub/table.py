"""The hub's table: one row per assignment and certificate period on a project, filtered, sorted and paged.

A row is a vendor's certificate that proves coverage during its work on the project: a certificate
read cleanly or approved by a reviewer, whose coverage period overlaps the assignment's work window.
The row's dates are that overlap (the certificate's period when no window is set). Of certificates
showing the same period, the latest stands for it. One query builds every page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from integration.extensions import db
from integration.models import Certificate, ProjectAssignment, Vendor
from integration.refusals import Refusal
from integration.table_args import sort_and_page
from integration.tenancy import scoped
from integration.work_windows import parse_day

PAGE_SIZE = 50
SORTS = ("contractor", "effective", "end")
DATE_FILTERS = ("effective_from", "effective_to", "end_from", "end_to")


class FilterRefused(Refusal):
    """A filter or sort the table cannot apply; the message names the field."""


@dataclass(frozen=True)
class HubFilter:
    """What the person asked to see: date ranges (inclusive, either end open), sort, page."""

    effective_from: date | None = None
    effective_to: date | None = None
    end_from: date | None = None
    end_to: date | None = None
    sort: str = "contractor"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> HubFilter:
        """The filter from query arguments; FilterRefused names a field that is not understood."""
        try:
            days = {name: parse_day(args.get(name), name) for name in DATE_FILTERS}
        except ValueError as exc:
            raise FilterRefused(f"{exc}.") from exc
        sort, descending, page = sort_and_page(args, SORTS, "contractor", FilterRefused)
        return cls(**days, sort=sort, descending=descending, page=page)

    def to_args(self, **changes) -> dict[str, str]:
        """Query arguments that ask for this filter (with ``changes``), leaving defaults out."""
        chosen = replace(self, **changes)
        args = {f.name: getattr(chosen, f.name) for f in fields(self) if f.name in DATE_FILTERS}
        args = {name: value.isoformat() for name, value in args.items() if value}
        if chosen.sort != "contractor":
            args["sort"] = chosen.sort
        if chosen.descending:
            args["dir"] = "desc"
        if chosen.page != 1:
            args["page"] = str(chosen.page)
        return args

    def unpaged(self) -> HubFilter:
        """The same rows, not limited to one page (for exports)."""
        return replace(self, page=1)


@dataclass(frozen=True)
class HubRow:
    """One assignment and certificate period: who, from and to when, and which certificate shows it."""

    assignment_id: int
    vendor_id: int
    contractor: str
    effective_on: date
    ends_on: date
    certificate_id: int
    stored_file_id: int


@dataclass(frozen=True)
class HubPage:
    """One page of the table and how many rows match in all."""

    rows: list[HubRow]
    total: int
    filter: HubFilter

    @property
    def pages(self) -> int:
        """How many pages the matching rows fill (at least one)."""
        return max(1, -(-self.total // PAGE_SIZE))


def table_page(company_id: int, project_id: int, wanted: HubFilter) -> HubPage:
    """The page of rows ``wanted`` asks for, with the count of all matching rows, in one query."""
    matching = _matching(company_id, project_id, wanted).cte("matching")
    total = select(func.count()).select_from(matching).scalar_subquery().label("total")
    query = _listed(company_id, matching, wanted).add_columns(total)
    result = db.session.execute(query.limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE)).all()
    if result:
        return HubPage([_row(r) for r in result], result[0].total, wanted)
    return HubPage([], db.session.scalar(select(func.count()).select_from(matching)) or 0, wanted)


def matching_rows(company_id: int, project_id: int, wanted: HubFilter) -> Iterator[HubRow]:
    """Every row the filter matches, in its order, read in batches (for the CSV and the ZIP)."""
    matching = _matching(company_id, project_id, wanted).subquery("matching")
    result = db.session.execute(_listed(company_id, matching, wanted).execution_options(yield_per=500))
    for r in result:
        yield _row(r)


def listed_row(company_id: int, project_id: int, certificate_id: int) -> HubRow | None:
    """The row showing ``certificate_id`` on the project, or None when the table does not list it there."""
    matching = _matching(company_id, project_id, HubFilter(), certificate_id).subquery("matching")
    found = db.session.execute(_listed(company_id, matching, HubFilter()).limit(1)).first()
    return _row(found) if found else None


def _row(r) -> HubRow:
    return HubRow(r.assignment_id, r.vendor_id, r.contractor, r.effective_on, r.ends_on, r.certificate_id,
                  r.stored_file_id)


def _listed(company_id: int, matching, wanted: HubFilter) -> Select:
    """The matching rows with their contractor's name, in the order asked for."""
    column = {"contractor": Vendor.name, "effective": matching.c.effective_on, "end": matching.c.ends_on}[wanted.sort]
    return (scoped(Vendor, company_id).with_only_columns(*matching.c, Vendor.name.label("contractor"))
            .join(matching, matching.c.vendor_id == Vendor.id)
            .order_by(column.desc() if wanted.descending else column.asc(), Vendor.name, matching.c.effective_on,
                      matching.c.certificate_id))


def _matching(company_id: int, project_id: int, wanted: HubFilter, certificate_id: int | None = None) -> Select:
    """The project's rows the filter keeps: each listed certificate overlapping its vendor's work window."""
    assignment, certificate, later = ProjectAssignment, Certificate, aliased(Certificate)
    starts = case((assignment.work_starts_on > certificate.covers_from, assignment.work_starts_on),
                  else_=certificate.covers_from)
    ends = case((assignment.work_ends_on < certificate.covers_to, assignment.work_ends_on), else_=certificate.covers_to)
    superseded = (select(later.id).where(later.vendor_id == certificate.vendor_id, *listed_conditions(later),
                                         later.covers_from == certificate.covers_from,
                                         later.covers_to == certificate.covers_to, later.id > certificate.id)
                  .exists())
    query = (scoped(assignment, company_id)
             .with_only_columns(assignment.id.label("assignment_id"), assignment.vendor_id,
                                starts.label("effective_on"), ends.label("ends_on"),
                                certificate.id.label("certificate_id"), certificate.stored_file_id)
             .join(certificate, and_(certificate.vendor_id == assignment.vendor_id,
                                     certificate.company_id == company_id, *listed_conditions(certificate)))
             .where(assignment.project_id == project_id, ~superseded,
                    or_(assignment.work_starts_on.is_(None), certificate.covers_to >= assignment.work_starts_on),
                    or_(assignment.work_ends_on.is_(None), certificate.covers_from <= assignment.work_ends_on),
                    *_date_conditions(wanted, starts, ends)))
    return query if certificate_id is None else query.where(certificate.id == certificate_id)


def listed_conditions(certificate) -> tuple:
    """The certificates the hub lists: read cleanly or approved, with a coverage period (the partial index's rule)."""
    return (certificate.ok, ~certificate.needs_review, certificate.covers_from.is_not(None),
            certificate.covers_to.is_not(None))


def _date_conditions(wanted: HubFilter, starts, ends) -> list:
    conditions = []
    for value, expression, at_least in ((wanted.effective_from, starts, True), (wanted.effective_to, starts, False),
                                        (wanted.end_from, ends, True), (wanted.end_to, ends, False)):
        if value is not None:
            conditions.append(expression >= value if at_least else expression <= value)
    return conditions

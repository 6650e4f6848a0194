"""The compliance table's rows, kept as they change: one per vendor company-wide and one per assignment.

``refresh(company_id, vendor_ids)`` works the figures out afresh for those vendors from the record
(current evaluations and their open gaps, readable certificates, requests) and writes them in one
batched delete and insert. Writes through the ORM are caught after each flush (any change to a
vendor, its assignments, evaluations, gaps, certificates, policies, overrides or requests); writes
that go around the ORM (the bulk evaluation store, a Core delete) call ``refresh`` themselves.
Nothing stored depends on today's date: the expiry is a date, and whether it is near is read later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, and_, case, cast, delete, event, func, insert, literal, null, select, text
from sqlalchemy.orm import Session

from integration.compliance.statuses import Status
from integration.evaluation_store import among
from integration.extensions import db
from integration.models import (
    Certificate,
    CertificatePolicy,
    CoverageGap,
    Evaluation,
    OutreachRequest,
    Override,
    Project,
    ProjectAssignment,
    Submission,
    Vendor,
    VendorSummary,
)
from integration.outreach.facts import reviewing
from integration.outreach.history import REQUEST_NEW_COI, RESEND_INVITATION, SEND_GAPS
from integration.outreach.requests import LIVE

CHUNK = 500  # vendors per statement (SQLite takes at most a few thousand parameters)
COLUMNS = ("company_id", "vendor_id", "assignment_id", "project_id", "name", "trade", "active", "status", "open_gaps",
           "expires_on", "last_requested_at", "next_action", "projects")
MANY = 200  # vendors refreshed at once from which fresh planner statistics are worth checking for
SOURCES = (Vendor, ProjectAssignment, Evaluation, CoverageGap, Certificate, CertificatePolicy, OutreachRequest,
           VendorSummary)  # the tables the figures are read from and written to
BY_VENDOR = (Vendor, ProjectAssignment, Evaluation, OutreachRequest, Certificate, Override,
             Submission)  # rows naming a vendor
ONCE_KEY = "gapline.summaries_once"  # session info: vendors whose rows ``refreshed_once`` writes as it ends


def refresh(company_id: int, vendor_ids: Iterable[int]) -> None:
    """Write the table rows of the company's vendors among ``vendor_ids`` afresh (in the current transaction)."""
    waiting = db.session.info.get(ONCE_KEY)
    if waiting is not None:  # inside ``refreshed_once``: written when it ends
        waiting[company_id].update(vendor_ids)
        return
    _write(db.session.execute, company_id, sorted(set(vendor_ids)))


@contextmanager
def refreshed_once() -> Iterator[None]:
    """Within the block, the rows every flush and ``refresh`` would write are written once, as it ends.

    For a request that flushes a vendor's rows several times on its way (an override, its evaluation)
    while nothing in it reads the table. An exception writes nothing (its transaction is not to be kept).
    """
    info = db.session.info
    if ONCE_KEY in info:  # an outer block writes them
        yield
        return
    info[ONCE_KEY] = defaultdict(set)
    try:
        yield
        db.session.flush()
    except BaseException:
        info.pop(ONCE_KEY, None)
        raise
    for company_id, vendor_ids in sorted(info.pop(ONCE_KEY).items()):
        _write(db.session.execute, company_id, sorted(vendor_ids))


def rebuild(company_id: int) -> None:
    """Write every table row of the company afresh (the migration's backfill; a check of the kept rows)."""
    rebuild_with(db.session.execute, company_id)


def rebuild_with(execute, company_id: int) -> None:
    """``rebuild`` through ``execute`` (a connection's, for the migration and the flush hook)."""
    fresh_statistics(execute)
    execute(delete(VendorSummary.__table__).where(VendorSummary.company_id == company_id))
    ids = [row[0] for row in execute(select(Vendor.id).where(Vendor.company_id == company_id))]
    for start in range(0, len(ids), CHUNK):
        execute(insert(VendorSummary.__table__).from_select(COLUMNS, computed(company_id, ids[start:start + CHUNK])))


def _write(execute, company_id: int, vendor_ids: list[int]) -> None:
    if not vendor_ids:
        return
    if len(vendor_ids) >= MANY:
        fresh_statistics(execute)
    pg = _dialect(execute) == "postgresql"  # the ids go as one array: a statement per batch, however big
    size = len(vendor_ids) if pg else CHUNK
    for start in range(0, len(vendor_ids), size):
        chunk = vendor_ids[start:start + size]
        execute(delete(VendorSummary.__table__).where(VendorSummary.company_id == company_id,
                                                      among(VendorSummary.vendor_id, chunk, pg)))
        execute(insert(VendorSummary.__table__).from_select(COLUMNS, computed(company_id, chunk, pg)))


def _dialect(execute) -> str | None:
    """The database ``execute`` (a session's or a connection's) runs on."""
    owner = getattr(execute, "__self__", None)
    bind = owner.get_bind() if hasattr(owner, "get_bind") else owner  # a (scoped) session, or a connection
    return bind.dialect.name if bind is not None else None


def fresh_statistics(execute) -> list[str]:
    """On PostgreSQL, ANALYZE the tables the figures are worked out from when much changed since their last ANALYZE.

    Right after a bulk load (a first directory import, a company's first evaluations) the planner has no
    row counts and picks nested loops that take minutes over 10,000 vendors; autovacuum analyzes later,
    too late for the job that made the rows. A table is analyzed again once its changes since the last ANALYZE
    outnumber the rows it had then (it has about doubled): the planner's counts are never off by more than that,
    and a company's re-evaluation, which adds a batch of evaluations and gaps at a time, analyzes a table a few
    times in all rather than after every other batch. Returns the tables analyzed.
    """
    if _dialect(execute) != "postgresql":
        return []
    names = [model.__tablename__ for model in SOURCES]
    stale = [row[0] for row in execute(text(
        "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:names) AND schemaname = current_schema() "
        "AND n_mod_since_analyze > 500 + greatest(n_live_tup - n_mod_since_analyze, 0)"), {"names": names})]
    for name in sorted(stale):
        execute(text(f'ANALYZE "{name}"'))
    return sorted(stale)


def computed(company_id: int, vendor_ids: list[int], pg: bool = False):
    """The rows from scratch, for the company's vendors among ``vendor_ids``: per assignment, then company-wide.

    ``pg``: on PostgreSQL, the ids as one array parameter rather than one placeholder each.
    """
    return _assignment_rows(company_id, vendor_ids, pg).union_all(_company_rows(company_id, vendor_ids, pg))


def action_expression(muted, status, non_responsive, running, reviewing):
    """The outreach button as SQL: ``integration.outreach.history.next_action``'s rule over the row's status, its
    live invitation's flags and whether the vendor's documents are being read or wait for a person."""
    return case(
        (muted.is_(True), None),
        (non_responsive, RESEND_INVITATION),
        (running, None),
        (reviewing, None),
        (status.in_((Status.NOTHING_RECEIVED.value, Status.EXPIRED.value)), REQUEST_NEW_COI),
        (status.not_in([s.value for s in Status if s.satisfied] + [Status.UNDER_REVIEW.value]), SEND_GAPS),
        else_=None)


def _assignment_rows(company_id: int, vendor_ids: list[int], pg: bool = False):
    """Each assignment: its current evaluation's open gaps, the vendor's expiry, the project's requests."""
    a = ProjectAssignment
    gaps = _gap_counts(company_id, vendor_ids, Evaluation.assignment_id, pg)
    expiry, asked = _expiry(company_id, vendor_ids, pg), _asked(company_id, vendor_ids, pg)
    on_project, company_wide = asked.alias("asked_project"), asked.alias("asked_company")
    live, reviewing = _live(company_id, vendor_ids, pg), _reviewing(company_id, vendor_ids, pg)
    last = case((company_wide.c.last.is_(None), on_project.c.last), (on_project.c.last.is_(None), company_wide.c.last),
                (on_project.c.last > company_wide.c.last, on_project.c.last), else_=company_wide.c.last)
    return (select(a.company_id, a.vendor_id, a.id, a.project_id, Vendor.name, Vendor.trade, Vendor.active, a.status,
                   func.coalesce(gaps.c.open_gaps, 0), expiry.c.expires_on, last,
                   _action(Vendor.outreach_muted, a.status, live, reviewing), literal(1, Integer))
            .join(Vendor, Vendor.id == a.vendor_id)
            .outerjoin(gaps, gaps.c.key == a.id)
            .outerjoin(expiry, expiry.c.vendor_id == a.vendor_id)
            .outerjoin(on_project, and_(on_project.c.vendor_id == a.vendor_id, on_project.c.project_id == a.project_id))
            .outerjoin(company_wide, and_(company_wide.c.vendor_id == a.vendor_id, company_wide.c.project_id.is_(None)))
            .outerjoin(live, and_(live.c.vendor_id == a.vendor_id, live.c.project_id == a.project_id))
            .outerjoin(reviewing, reviewing.c.vendor_id == a.vendor_id)
            .where(a.company_id == company_id, Vendor.company_id == company_id, among(a.vendor_id, vendor_ids, pg)))


def _company_rows(company_id: int, vendor_ids: list[int], pg: bool = False):
    """Each vendor company-wide: distinct open gaps over its current evaluations, every request, its projects."""
    v = Vendor
    gaps = _gap_counts(company_id, vendor_ids, Evaluation.vendor_id, pg)
    expiry, live = _expiry(company_id, vendor_ids, pg), _live(company_id, vendor_ids, pg)
    reviewing = _reviewing(company_id, vendor_ids, pg)
    last = (select(OutreachRequest.vendor_id, func.max(OutreachRequest.created_at).label("last"))
            .where(OutreachRequest.company_id == company_id, among(OutreachRequest.vendor_id, vendor_ids, pg))
            .group_by(OutreachRequest.vendor_id).subquery("last_request"))
    projects = (select(ProjectAssignment.vendor_id, func.count().label("projects"))
                .where(ProjectAssignment.company_id == company_id, among(ProjectAssignment.vendor_id, vendor_ids, pg))
                .group_by(ProjectAssignment.vendor_id).subquery("projects"))
    none = cast(null(), Integer)
    return (select(v.company_id, v.id, none, none, v.name, v.trade, v.active, v.status,
                   func.coalesce(gaps.c.open_gaps, 0), expiry.c.expires_on, last.c.last,
                   _action(v.outreach_muted, v.status, live, reviewing), func.coalesce(projects.c.projects, 0))
            .outerjoin(gaps, gaps.c.key == v.id)
            .outerjoin(expiry, expiry.c.vendor_id == v.id)
            .outerjoin(last, last.c.vendor_id == v.id)
            .outerjoin(live, and_(live.c.vendor_id == v.id, live.c.project_id.is_(None)))
            .outerjoin(projects, projects.c.vendor_id == v.id)
            .outerjoin(reviewing, reviewing.c.vendor_id == v.id)
            .where(v.company_id == company_id, among(v.id, vendor_ids, pg)))


def _action(muted, status, live, reviewing):
    return action_expression(muted, status, func.coalesce(live.c.non_responsive, 0) == 1,
                             func.coalesce(live.c.running, 0) == 1, reviewing.c.vendor_id.is_not(None))


def _reviewing(company_id: int, vendor_ids: list[int], pg: bool = False):
    """The vendors with documents being read or waiting for a person (one row each): outreach waits for them."""
    return reviewing(company_id, lambda column: among(column, vendor_ids, pg)).subquery("reviewing")


def _gap_counts(company_id: int, vendor_ids: list[int], key, pg: bool = False):
    """Distinct open gap keys over the current evaluations, per ``key`` (the assignment, or the vendor)."""
    return (select(key.label("key"), func.count(func.distinct(CoverageGap.gap_key)).label("open_gaps"))
            .join(Evaluation, Evaluation.id == CoverageGap.evaluation_id)
            .where(CoverageGap.company_id == company_id, Evaluation.company_id == company_id,
                   Evaluation.is_current.is_(True), CoverageGap.state == "open",
                   among(Evaluation.vendor_id, vendor_ids, pg),
                   key.is_not(None))
            .group_by(key).subquery("gaps"))


def _asked(company_id: int, vendor_ids: list[int], pg: bool = False):
    """The last request per vendor and project (None: company-wide)."""
    return (select(OutreachRequest.vendor_id, OutreachRequest.project_id,
                   func.max(OutreachRequest.created_at).label("last"))
            .where(OutreachRequest.company_id == company_id, among(OutreachRequest.vendor_id, vendor_ids, pg))
            .group_by(OutreachRequest.vendor_id, OutreachRequest.project_id).subquery("asked"))


def _live(company_id: int, vendor_ids: list[int], pg: bool = False):
    """Per vendor and project (None: company-wide), the live invitations' flags: non-responsive, emails running."""
    flag = lambda condition: func.max(case((condition, 1), else_=0))  # noqa: E731
    return (select(OutreachRequest.vendor_id, OutreachRequest.project_id,
                   flag(OutreachRequest.state == "non_responsive").label("non_responsive"),
                   flag(OutreachRequest.sequence.is_not(None)).label("running"))
            .where(OutreachRequest.company_id == company_id, OutreachRequest.kind == "invitation",
                   OutreachRequest.state.in_(LIVE), among(OutreachRequest.vendor_id, vendor_ids, pg))
            .group_by(OutreachRequest.vendor_id, OutreachRequest.project_id).subquery("live"))


def _expiry(company_id: int, vendor_ids: list[int], pg: bool = False):
    """Per vendor, the soonest of each coverage line's latest expiry on a readable certificate."""
    lines = (select(Certificate.vendor_id, func.max(CertificatePolicy.expiration_date).label("ends"))
             .join(Certificate, Certificate.id == CertificatePolicy.certificate_id)
             .where(CertificatePolicy.company_id == company_id, Certificate.company_id == company_id,
                    Certificate.ok.is_(True), CertificatePolicy.expiration_date.is_not(None),
                    among(Certificate.vendor_id, vendor_ids, pg))
             .group_by(Certificate.vendor_id, CertificatePolicy.line).subquery("line_ends"))
    return (select(lines.c.vendor_id, func.min(lines.c.ends).label("expires_on"))
            .group_by(lines.c.vendor_id).subquery("expiry"))


# --- writes through the ORM: caught after each flush ------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    """Refresh the rows of every vendor whose record this flush changed, in the flush's own transaction."""
    vendors: dict[int, set[int]] = defaultdict(set)
    evaluations: dict[int, set[int]] = defaultdict(set)
    certificates: dict[int, set[int]] = defaultdict(set)
    whole: set[int] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Vendor):
            vendors[row.company_id].add(row.id)
        elif isinstance(row, BY_VENDOR):
            vendors[row.company_id].add(row.vendor_id)
        elif isinstance(row, CoverageGap):
            evaluations[row.company_id].add(row.evaluation_id)
        elif isinstance(row, CertificatePolicy):
            certificates[row.company_id].add(row.certificate_id)
        elif isinstance(row, Project) and row in session.deleted:
            whole.add(row.company_id)  # its assignments went with it, in the database
    if not (vendors or evaluations or certificates or whole):
        return
    connection = session.connection()
    for company_id in whole:
        rebuild_with(connection.execute, company_id)
    waiting = session.info.get(ONCE_KEY)
    for company_id in (set(vendors) | set(evaluations) | set(certificates)) - whole:
        ids = {v for v in vendors[company_id] if v is not None}
        ids |= _owners(connection, company_id, Evaluation, evaluations[company_id])
        ids |= _owners(connection, company_id, Certificate, certificates[company_id])
        if waiting is not None:
            waiting[company_id] |= ids
        else:
            _write(connection.execute, company_id, sorted(ids))


def _owners(connection, company_id: int, model, row_ids: set[int]) -> set[int]:
    """The vendors of the company's evaluations or certificates among ``row_ids``."""
    row_ids = {row_id for row_id in row_ids if row_id is not None}
    if not row_ids:
        return set()
    return set(connection.execute(select(model.vendor_id).where(
        and_(model.company_id == company_id, model.id.in_(sorted(row_ids))))).scalars())

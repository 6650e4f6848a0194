"""Each company's page generation: a count that every committed write of the company's rows moves.

A page kept rendered (``embedded_views.page_cache``) is keyed by the generation read before any of its data, so it
is never served after a write that could change it. The count moves in the writer's own transaction, just
before it commits, so it becomes visible to readers at the same instant as the write (never before, never
after): a reader that saw the old number may render from either side of the commit, and its page is never
served once the new number is visible. The count is the sum of rows only ever added (``PageWrite``): no writer
updates a shared row, so none waits on another (not even on a transaction that stays open, as a test's does).

Every write of the ORM is seen here: rows flushed (each names its company), and statements run through the
session (bulk inserts and updates, the evaluation store's and the table rows' refreshes), whose company is read
from their ``company_id`` parameters. A write whose company cannot be told moves company 0's counter, which
retires every company's pages. Rows without a company (rate events, one-time tokens, opt-outs) are no company's
page. Writes that go around the session entirely (a migration's backfill) are not seen: kept pages also age out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import TextClause, delete, event, func, insert, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from integration.models import PageWrite

UNKNOWN = 0  # the counter of writes whose company cannot be told: it retires every company's pages
MARKS = "gapline_page_marks"  # session.info: companies written in this transaction, not yet counted
COUNTING = "gapline_page_counting"  # session.info: the commit's count is done; later writes count at once
FOLD_EVERY = 32  # a process folds a company's rows into one on every 32nd count it adds for the company
_added: dict[int, int] = {}  # counts this process added per company, to know when to fold
WRITES = re.compile(r"\s*(insert|update|delete|merge|copy|truncate|with)\b", re.IGNORECASE)


def generations(company_id):
    """The company's and the unknown writes' counts, as two scalar subqueries (0 before the first write)."""
    def count(company):
        return (select(func.coalesce(func.sum(PageWrite.weight), 0)).where(PageWrite.company_id == company)
                .scalar_subquery())

    return count(company_id), count(UNKNOWN)


def changed(session: Session, companies: Iterable[int | None]) -> None:
    """Count a write of ``companies``' rows (None: not known) in the session's transaction."""
    marks = {UNKNOWN if company is None else int(company) for company in companies}
    if not marks:
        return
    if session.info.get(COUNTING):  # written after the commit counted its writes: count these now
        _count(session, marks)
    else:
        session.info.setdefault(MARKS, set()).update(marks)


def _count(session: Session, companies: set[int]) -> None:
    """Add one to each company's count; now and then fold a company's rows into one (their weight kept)."""
    session.execute(insert(PageWrite), [{"company_id": c, "weight": 1} for c in sorted(companies)])
    for company in companies:
        _added[company] = _added.get(company, 0) + 1
        if _added[company] % FOLD_EVERY == 0:
            _fold(session, company)


def _fold(session: Session, company_id: int) -> None:
    """Replace the company's rows by one of their summed weight (rows another writer is folding are skipped, on
    PostgreSQL, so no fold waits; SQLite has one writer at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "WITH gone AS (DELETE FROM page_writes WHERE id IN (SELECT id FROM page_writes WHERE company_id = :c "
            "FOR UPDATE SKIP LOCKED) RETURNING weight) "
            "INSERT INTO page_writes (company_id, weight) SELECT :c, sum(weight) FROM gone HAVING count(*) > 0"),
            {"c": company_id})
        return
    total, last = session.execute(select(func.sum(PageWrite.weight), func.max(PageWrite.id))
                                  .where(PageWrite.company_id == company_id)).one()
    if last is not None:
        session.execute(delete(PageWrite).where(PageWrite.company_id == company_id, PageWrite.id <= last))
        session.execute(insert(PageWrite), [{"company_id": company_id, "weight": total}])


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    """The companies of every row this flush wrote (new, changed or deleted)."""
    companies = [getattr(row, "company_id", None) for row in chain(session.new, session.dirty, session.deleted)
                 if hasattr(row, "company_id") and not isinstance(row, PageWrite)]
    changed(session, companies)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    """The companies a statement run through the session writes (a bulk insert, update, delete, or raw SQL)."""
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)  # (an ORM statement's table is an annotated copy)
        if name == PageWrite.__tablename__ or (table is not None and "company_id" not in table.c):
            return
        changed(state.session, _companies(state) or [None])
    elif isinstance(statement, TextClause) and WRITES.match(statement.text) \
            and PageWrite.__tablename__ not in statement.text:
        changed(state.session, _companies(state) or [None])


def _companies(state: ORMExecuteState) -> set[int]:
    """The values of the statement's ``company_id`` parameters (passed to execute, or bound in it). The bound ones
    are read from the statement's cache key, which its execution builds anyway (compiling it again would cost more
    than running it)."""
    given = state.parameters
    found = _named((given if isinstance(given, list | tuple) else [given or {}]), lambda params: params.items())
    if found or isinstance(state.statement, TextClause):
        return found
    cache_key = state.statement._generate_cache_key()
    if cache_key is None:  # a statement SQLAlchemy does not cache: its company is not known
        return {UNKNOWN}
    return _named([cache_key.bindparams],
                  lambda binds: ((getattr(b, "_orig_key", None) or str(b.key), b.effective_value) for b in binds))


def _named(parameter_sets, pairs) -> set[int]:
    found: set[int] = set()
    for params in parameter_sets:
        for name, value in pairs(params):
            if not isinstance(name, str) or not name.startswith("company_id"):
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                found.add(value)
            elif value is not None:
                found.add(UNKNOWN)  # a list, an expression: not one company that can be told
    return found


@event.listens_for(Session, "before_commit")
def _committing(session: Session) -> None:
    """Count the transaction's writes just before it commits (its last flush first, so none is left out)."""
    session.flush()
    marks = session.info.pop(MARKS, None)
    if marks:
        _count(session, marks)
    session.info[COUNTING] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(COUNTING, None)


@event.listens_for(Session, "after_begin")
def _began(session: Session, transaction, connection) -> None:
    session.info.pop(COUNTING, None)  # a commit that failed part way leaves no flag for the next transaction


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    session.info.pop(COUNTING, None)
    if not previous_transaction.nested:  # the whole transaction's writes are gone (a savepoint's leaves the rest)
        session.info.pop(MARKS, None)

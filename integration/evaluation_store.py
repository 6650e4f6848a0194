"""Keeping what the engine decided, for many evaluations at once: versions, history and gaps in bulk writes.

An evaluation that changes nothing only moves its date forward; any change retires the current version
(it stays as history) and adds the next one with its gaps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Integer,
    Table,
    any_,
    bindparam,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from integration.compliance.evaluate import Evaluation as Outcome
from integration.compliance.results import RequirementResult
from integration.extensions import db
from integration.models import CoverageGap, Evaluation, Override, utcnow

GAP_STATES = {None: "open", "waive": "waived", "mark_compliant": "marked_compliant"}

Key = tuple[int, int | None]  # (vendor id, assignment id or None for the company-level evaluation)


@dataclass(frozen=True)
class Current:
    """What deciding about a new version needs of a current evaluation.

    ``digest`` is the hash of its results as stored (``results_json``); an evaluation stored before
    digests were kept has none, and its ``results`` are read instead.
    """

    id: int
    version: int
    status: str
    digest: str | None
    results: list | None = None


class Applied(NamedTuple):
    """An unrevoked override of the vendor, as the stored gaps name it."""

    id: int
    gap_key: str
    assignment_id: int | None

    @classmethod
    def of(cls, row: Override) -> Applied:
        """The override row's part the gaps read."""
        return cls(row.id, row.gap_key, row.assignment_id)


@dataclass(frozen=True)
class Decided:
    """One evaluation the engine made: for whom, its outcome, and the overrides it may have applied."""

    company_id: int
    vendor_id: int
    assignment_id: int | None
    outcome: Outcome
    overrides: tuple[Applied, ...]

    @property
    def key(self) -> Key:
        """Whose evaluation this is."""
        return self.vendor_id, self.assignment_id


def results_json(results: list) -> tuple[str, str]:
    """The results as stored (JSON text, keys sorted) and the SHA-256 of that text, which names them."""
    text_form = json.dumps(results, sort_keys=True, separators=(",", ":"), default=_iso)
    return text_form, hashlib.sha256(text_form.encode()).hexdigest()


MET_KEPT = 4096  # the JSON of met requirements kept (a few dozen per requirement set)
_met: dict[tuple, str] = {}


def results_text(results: tuple[RequirementResult, ...] | list[RequirementResult]) -> tuple[str, str]:
    """``results_json`` of the results' plain forms, the very same text, made a result at a time: a requirement
    met with nothing to say (most of them) is written the same for every vendor, so its JSON is made once."""
    parts = []
    for result in results:
        if result.shortfall is None and result.override is None:
            met = (result.key, result.line, result.outcome)
            part = _met.get(met)
            if part is None:
                part = _keep(_met, met, _item_json(result.to_dict()))
        else:
            part = _item_json(result.to_dict())
        parts.append(part)
    text_form = f"[{','.join(parts)}]"
    return text_form, hashlib.sha256(text_form.encode()).hexdigest()


def _keep(cache: dict, key: Any, value: Any) -> Any:
    """Keep ``value`` in ``cache`` under ``key`` and return it (the cache starts afresh once it holds MET_KEPT)."""
    if len(cache) >= MET_KEPT:
        cache.clear()
    cache[key] = value
    return value


def _item_json(item: dict) -> str:
    return json.dumps(item, sort_keys=True, separators=(",", ":"), default=_iso)


def among(column, ids, postgresql: bool | None = None):
    """``column IN ids``; on PostgreSQL ``column = ANY(array)``, one parameter however many ids.

    A placeholder per id costs more to render, send and parse than the query's work for a batch of a
    thousand vendors. ``postgresql`` None: the session's database tells.
    """
    ids = list(ids)
    if postgresql is None:
        postgresql = _on_postgresql()
    return column == any_(literal(ids, ARRAY(Integer))) if postgresql else column.in_(ids)


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def set_statuses(model, company_id: int, rows: list[tuple[int, str]], stamp: datetime) -> None:
    """Give the company's rows of ``model`` by id their new status (``rows``: id, status) in one statement.

    The statement goes around the ORM, so no flush hands the rows to the flush hooks: the caller refreshes what
    follows from them (``vendor_summary.refresh``) and gives its ORM rows the values (``set_committed_value``).
    """
    if not rows:
        return
    table = model.__table__
    if _on_postgresql():
        db.session.execute(text(
            f'UPDATE "{table.name}" AS t SET status = v.status, updated_at = :stamp '
            "FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS varchar[])) AS v(id, status) "
            "WHERE t.id = v.id AND t.company_id = :company_id"),
            {"stamp": stamp, "company_id": company_id, "ids": [row_id for row_id, _ in rows],
             "statuses": [status for _, status in rows]})
    else:
        db.session.execute(update(table).where(table.c.id == bindparam("row_id"), table.c.company_id == company_id)
                           .values(status=bindparam("new_status"), updated_at=stamp),
                           [{"row_id": row_id, "new_status": status} for row_id, status in rows])


def current_of(company_id: int, vendor_ids: list[int]) -> dict[Key, Current]:
    """The current evaluations of the vendors (company level and each assignment), read in one query.

    Only their digests travel; the results themselves are read for the few stored without one.
    """
    rows = db.session.execute(select(
        Evaluation.vendor_id, Evaluation.assignment_id, Evaluation.id, Evaluation.version, Evaluation.status,
        Evaluation.results_digest).where(Evaluation.company_id == company_id, among(Evaluation.vendor_id, vendor_ids),
                                         Evaluation.is_current.is_(True))).all()
    undigested = [row_id for _, _, row_id, _, _, digest in rows if digest is None]
    results = dict(db.session.execute(select(Evaluation.id, Evaluation.results).where(
        Evaluation.company_id == company_id, among(Evaluation.id, undigested))).all()) if undigested else {}
    return {(vendor_id, assignment_id): Current(row_id, version, status, digest, results.get(row_id))
            for vendor_id, assignment_id, row_id, version, status, digest in rows}


def store(decided: list[Decided], current: dict[Key, Current], today: date, trigger: str) -> set[int]:
    """Write the evaluations: unchanged ones get today's date, changed ones a new version with its gaps.

    Returns the ids of the vendors with a new version (their Procore records may have changed).
    """
    writes = plan(decided, current, today, trigger)
    writes.write()
    return writes.vendor_ids


@dataclass
class Writes:
    """What storing a batch of evaluations writes, worked out beforehand (plain data: no ORM row in it)."""

    unchanged: list[int]  # current evaluations that only move their date
    retired: list[int]  # current evaluations a new version replaces
    added: list[tuple[Key, dict, list[dict]]]  # each new version: whose, its row, its gap rows (ids to come)
    today: date
    company_id: int = 0

    @cached_property  # (the writes are worked out once, so their vendors are too)
    def vendor_ids(self) -> set[int]:
        """The vendors with a new version."""
        return {key[0] for key, _, _ in self.added}

    def write(self) -> None:
        """Write them, in a few bulk statements."""
        _set_where(self.company_id, self.unchanged, evaluated_for=self.today)
        _set_where(self.company_id, self.retired, is_current=False)
        _add(self.added)


def plan(decided: list[Decided], current: dict[Key, Current], today: date, trigger: str) -> Writes:
    """What ``store`` writes for ``decided``, given the ``current`` evaluations (nothing is written)."""
    unchanged, retired, added = [], [], []
    stored: dict[int, tuple[str, str]] = {}  # one vendor's evaluations often share one results tuple
    worded: dict[int, tuple] = {}  # and gaps
    for each in decided:
        now = current.get(each.key)
        results = each.outcome.results
        if id(results) not in stored:
            stored[id(results)] = results_text(results)
        text_form, digest = stored[id(results)]
        status = each.outcome.status.value
        if now is not None and now.status == status and _same(now, text_form, digest):
            unchanged.append(now.id)
            continue
        if now is not None:
            retired.append(now.id)
        added.append((each.key, _evaluation_row(each, now, text_form, digest, today, trigger),
                      _gap_rows(each, None, worded)))
    return Writes(unchanged, retired, added, today, decided[0].company_id if decided else 0)


def _same(now: Current, text_form: str, digest: str) -> bool:
    """Whether the current evaluation holds these results (by digest, or by its results without one)."""
    if now.digest is not None:
        return now.digest == digest
    return now.results == json.loads(text_form)


def _set_where(company_id: int, ids: list[int], **values: Any) -> None:
    if ids:  # (the company named: the page generation counts the write for it alone)
        table = Evaluation.__table__  # (Core: no identity map to bring in step)
        db.session.execute(update(table).where(table.c.company_id == company_id, among(table.c.id, ids))
                           .values(**values))


def _evaluation_row(each: Decided, now: Current | None, results: str, digest: str, today: date,
                    trigger: str) -> dict:
    statuses = {line: status.value for line, status in each.outcome.line_statuses.items()}
    stamp = utcnow()
    return {"company_id": each.company_id, "vendor_id": each.vendor_id, "assignment_id": each.assignment_id,
            "version": now.version + 1 if now else 1, "is_current": True, "evaluated_for": today,
            "status": each.outcome.status.value, "line_statuses": statuses, "results": Raw(results),
            "results_digest": digest, "trigger": trigger, "created_at": stamp, "updated_at": stamp}


class Raw(str):
    """A JSON column's value already written as JSON text."""


def _add(added: list[tuple[Key, dict, list[dict]]]) -> None:
    """Insert the new versions, then their gaps, each in one bulk statement."""
    if not added:
        return
    made = insert_many(Evaluation.__table__, [row for _, row, _ in added], ("id", "vendor_id", "assignment_id"))
    ids = {(vendor_id, assignment_id): row_id for row_id, vendor_id, assignment_id in made}
    gaps = []
    for key, _, rows in added:
        for row in rows:
            row["evaluation_id"] = ids[key]
        gaps += rows
    if gaps:
        insert_many(CoverageGap.__table__, gaps)


def insert_many(table: Table, rows: list[dict], returning: tuple[str, ...] = ()) -> list[tuple]:
    """Insert ``rows`` (all with the same keys, defaults filled in) in one go; returns ``returning`` of each.

    On PostgreSQL the rows are streamed with COPY (ids drawn beforehand from the table's sequence when
    ``returning`` asks for columns): a statement with a placeholder per value costs more to prepare, and
    one big JSON parameter more to parse, than the rows themselves to write.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        values = [{key: json.loads(value) if isinstance(value, Raw) else value for key, value in row.items()}
                  for row in rows]
        statement = insert(table).returning(*(table.c[name] for name in returning)) if returning else insert(table)
        result = db.session.execute(statement, values)
        return [tuple(row) for row in result] if returning else []
    if returning:
        ids = db.session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                      "FROM generate_series(1, :count)"),
                                 {"table": table.name, "count": len(rows)}).all()
        rows = [{"id": row_id, **row} for row_id, row in zip(ids, rows, strict=True)]
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    as_json = [index for index, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    with db.session.connection().connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        write, get = copy.write_row, itemgetter(*names)  # psycopg quotes each value (in C)
        for row in rows:
            values = get(row)
            if as_json:
                values = list(values)
                for index in as_json:
                    values[index] = _json_text(values[index])
            write(values)
    return [tuple(row[name] for name in returning) for row in rows] if returning else []


def _json_text(value: Any) -> str | None:
    """A JSON column's value as the JSON text COPY sends."""
    if value is None or isinstance(value, Raw):
        return value
    return json.dumps(value, separators=(",", ":"), default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _gap_rows(each: Decided, evaluation_id: int | None, worded: dict[int, tuple]) -> list[dict]:
    """The gap rows of one new version; ``worded`` keeps each gap's stored fields, by the gap (an evaluation of
    the company and one of an assignment usually share the very same gaps)."""
    overrides = {(o.gap_key, o.assignment_id): o for o in each.overrides}
    rows = []
    for gap in each.outcome.gaps:
        kept = worded.get(id(gap))
        if kept is None or kept[0] is not gap:
            kept = worded[id(gap)] = (gap, {
                "company_id": each.company_id, "gap_key": gap.key, "code": gap.code, "line": gap.line,
                "outcome": gap.outcome.value, "expected": _text(gap.expected), "found": _text(gap.found),
                "source": Raw(_json_text(gap.location.to_dict() if gap.location else {})),
                "explanation": gap.explanation, "ask": gap.ask,
                "requirement_keys": _keys_json(gap.requirement_keys)})
        kind = gap.override.kind if gap.override else None
        override = overrides.get((gap.key, each.assignment_id)) or overrides.get((gap.key, None))
        rows.append({"evaluation_id": evaluation_id, **kept[1], "state": GAP_STATES[kind],
                     "override_id": override.id if (override and kind) else None})
    return rows


_keys_kept: dict[tuple[str, ...], Raw] = {}  # every vendor held to a requirement set has gaps of the same keys


def _keys_json(keys: tuple[str, ...]) -> Raw:
    """A gap's requirement keys as their column's JSON (made once per set of keys)."""
    found = _keys_kept.get(keys)
    return found if found is not None else _keep(_keys_kept, keys, Raw(_json_text(list(keys))))


def _text(value: Any) -> str | None:
    """A value as stored for people (the engine already words expected and found)."""
    return None if value is None else str(value)

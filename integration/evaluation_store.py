"""Keeping what the engine decided, for many evaluations at once: versions, history and gaps in bulk writes.

An evaluation that changes nothing only moves its date forward; any change retires the current version
(it stays as history) and adds the next one with its gaps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, insert, select, text, update

from integration.compliance.evaluate import Evaluation as Outcome
from integration.extensions import db
from integration.models import CoverageGap, Evaluation, Override, utcnow

GAP_STATES = {None: "open", "waive": "waived", "mark_compliant": "marked_compliant"}

Key = tuple[int, int | None]  # (vendor id, assignment id or None for the company-level evaluation)


@dataclass(frozen=True)
class Current:
    """What deciding about a new version needs of a current evaluation."""

    id: int
    version: int
    status: str
    results: list


@dataclass(frozen=True)
class Decided:
    """One evaluation the engine made: for whom, its outcome, and the overrides it may have applied."""

    company_id: int
    vendor_id: int
    assignment_id: int | None
    outcome: Outcome
    overrides: tuple[Override, ...]

    @property
    def key(self) -> Key:
        """Whose evaluation this is."""
        return self.vendor_id, self.assignment_id


def current_of(company_id: int, vendor_ids: list[int]) -> dict[Key, Current]:
    """The current evaluations of the vendors (company level and each assignment), read in one query."""
    rows = db.session.execute(select(
        Evaluation.vendor_id, Evaluation.assignment_id, Evaluation.id, Evaluation.version, Evaluation.status,
        Evaluation.results).where(Evaluation.company_id == company_id, Evaluation.vendor_id.in_(vendor_ids),
                                  Evaluation.is_current.is_(True)))
    return {(vendor_id, assignment_id): Current(row_id, version, status, results)
            for vendor_id, assignment_id, row_id, version, status, results in rows}


def store(decided: list[Decided], current: dict[Key, Current], today: date, trigger: str) -> set[int]:
    """Write the evaluations: unchanged ones get today's date, changed ones a new version with its gaps.

    Returns the ids of the vendors with a new version (their Procore records may have changed).
    """
    unchanged, retired, added = [], [], []
    for each in decided:
        now = current.get(each.key)
        results = [result.to_dict() for result in each.outcome.results]
        status = each.outcome.status.value
        if now is not None and now.status == status and now.results == results:
            unchanged.append(now.id)
            continue
        if now is not None:
            retired.append(now.id)
        added.append((each, _evaluation_row(each, now, results, today, trigger)))
    _set_where(unchanged, evaluated_for=today)
    _set_where(retired, is_current=False)
    _add(added)
    return {each.vendor_id for each, _ in added}


def _set_where(ids: list[int], **values: Any) -> None:
    if ids:
        db.session.execute(update(Evaluation).where(Evaluation.id.in_(ids)).values(**values))


def _evaluation_row(each: Decided, now: Current | None, results: list, today: date, trigger: str) -> dict:
    statuses = {line: status.value for line, status in each.outcome.line_statuses.items()}
    stamp = utcnow()
    return {"company_id": each.company_id, "vendor_id": each.vendor_id, "assignment_id": each.assignment_id,
            "version": now.version + 1 if now else 1, "is_current": True, "evaluated_for": today,
            "status": each.outcome.status.value, "line_statuses": statuses, "results": results, "trigger": trigger,
            "created_at": stamp, "updated_at": stamp}


def _add(added: list[tuple[Decided, dict]]) -> None:
    """Insert the new versions, then their gaps, each in one bulk statement."""
    if not added:
        return
    made = insert_many(Evaluation.__table__, [row for _, row in added], ("id", "vendor_id", "assignment_id"))
    ids = {(vendor_id, assignment_id): row_id for row_id, vendor_id, assignment_id in made}
    gaps = [gap for each, _ in added for gap in _gap_rows(each, ids[each.key])]
    if gaps:
        insert_many(CoverageGap.__table__, gaps)


def insert_many(table: Table, rows: list[dict], returning: tuple[str, ...] = ()) -> list[tuple]:
    """Insert ``rows`` (all with the same keys, defaults filled in) in one statement; returns ``returning``.

    On PostgreSQL the rows travel as one JSON parameter: a statement with a placeholder per value costs
    more to prepare than to run at this size.
    """
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        statement = insert(table).returning(*(table.c[name] for name in returning)) if returning else insert(table)
        result = db.session.execute(statement, rows)
        return [tuple(row) for row in result] if returning else []
    quote = dialect.identifier_preparer.quote
    names, name = ", ".join(quote(key) for key in rows[0]), quote(table.name)
    sql = (f"INSERT INTO {name} ({names}) SELECT {names} "
           f"FROM jsonb_populate_recordset(NULL::{name}, CAST(:rows AS jsonb))")
    if returning:
        sql += " RETURNING " + ", ".join(quote(key) for key in returning)
    result = db.session.execute(text(sql), {"rows": json.dumps(rows, default=_iso)})
    return [tuple(row) for row in result] if returning else []


def _iso(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _gap_rows(each: Decided, evaluation_id: int) -> list[dict]:
    overrides = {(o.gap_key, o.assignment_id): o for o in each.overrides}
    rows = []
    for gap in each.outcome.gaps:
        kind = gap.override.kind if gap.override else None
        override = overrides.get((gap.key, each.assignment_id)) or overrides.get((gap.key, None))
        rows.append({
            "company_id": each.company_id, "evaluation_id": evaluation_id, "gap_key": gap.key, "code": gap.code,
            "line": gap.line, "outcome": gap.outcome.value, "expected": _text(gap.expected),
            "found": _text(gap.found), "source": gap.location.to_dict() if gap.location else {},
            "explanation": gap.explanation, "ask": gap.ask, "requirement_keys": list(gap.requirement_keys),
            "state": GAP_STATES[kind], "override_id": override.id if (override and kind) else None})
    return rows


def _text(value: Any) -> str | None:
    """A value as stored for people (the engine already words expected and found)."""
    return None if value is None else str(value)

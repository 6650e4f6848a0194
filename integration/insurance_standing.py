"""Where each vendor stands per coverage line, loaded in bulk, and the Procore insurance records that follow.

A line's status is the worst over the vendor's current evaluations (the company's and each
project's), from the gaps touching the line's requirements plus the gaps about the documents as a
whole (holder, named insured, a document that cannot be read), which hold back every line. The
record also carries the policy the engine chose for the line, the open gaps, who waived or marked
what, and a link to the vendor in Gapline. The notes are read by the general contractor's Procore
users, so the gaps the engine words for the subcontractor ("your general liability ...") are told
about the vendor, in the third person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import defer

from integration.compliance.combine import combine
from integration.compliance.gaps import limit_code
from integration.compliance.requirements import LIMIT_KEYS
from integration.compliance.results import Gap
from integration.compliance.statuses import VENDOR_ORDER, Status, status_of
from integration.compliance.wording import day, limit_name
from integration.extensions import db
from integration.insurance_records import NOTES_LIMIT, InsuranceRecord, procore_status
from integration.models import (
    AppUser,
    Certificate,
    CoverageGap,
    Evaluation,
    Override,
    Project,
    ProjectAssignment,
    PushedRecord,
    Submission,
    Vendor,
)
from integration.tenancy import scoped
from integration.vendor_view import ShownGap, grouped_gaps

READING_STATES = ("received", "reading")
RETIRED_STATUS = "undecided"  # with exempt: true, for a line the requirements no longer cover


@dataclass
class PolicyFacts:
    """The policy the engine chose for a line."""

    insurer: str | None
    policy_number: str | None
    effective_date: date | None
    expiration_date: date | None
    limit: int | None


@dataclass
class LineStanding:
    """One coverage line of one vendor: its status and the gap rows behind it (company-level rows first)."""

    status: Status = Status.COMPLIANT
    rows: list[tuple[CoverageGap, bool, str | None]] = field(default_factory=list)

    def absorb(self, status: Status, gaps: list[CoverageGap], company_wide: bool, project: str | None) -> None:
        """Fold in one evaluation's verdict on this line."""
        self.status = min(self.status, status, key=VENDOR_ORDER.index)
        self.rows += [(gap, company_wide, project) for gap in gaps]


@dataclass
class VendorStanding:
    """Everything a vendor's Procore records are built from."""

    vendor: Vendor
    link: str
    lines: dict[str, LineStanding] = field(default_factory=dict)
    policies: dict[str, PolicyFacts] = field(default_factory=dict)
    reading: bool = False
    pushed: dict[str, PushedRecord] = field(default_factory=dict)  # by line
    decided_by: dict[int, tuple[Override, AppUser | None]] = field(default_factory=dict)  # by override id

    def records(self) -> list[InsuranceRecord]:
        """One record per line the requirements cover, plus a retiring record for each line they dropped."""
        records = [self._record(line, standing) for line, standing in self.lines.items()]
        records += [self._retired(line) for line in self.pushed if line not in self.lines]
        return records

    def _record(self, line: str, standing: LineStanding) -> InsuranceRecord:
        policy = self.policies.get(line) or PolicyFacts(None, None, None, None, None)
        return InsuranceRecord(self.vendor.procore_vendor_id, line,
                               procore_status(standing.status.value, reading=self.reading), self._notes(standing),
                               insurer=policy.insurer, policy_number=policy.policy_number,
                               effective_date=policy.effective_date, expiration_date=policy.expiration_date,
                               limit=policy.limit, info_received=standing.status is not Status.NOTHING_RECEIVED)

    def _retired(self, line: str) -> InsuranceRecord:
        notes = ("Gapline: no longer required. The requirements no longer cover this line of insurance.\n"
                 f"Details in Gapline: {self.link}")
        return InsuranceRecord(self.vendor.procore_vendor_id, line, RETIRED_STATUS, notes, exempt=True)

    def _notes(self, standing: LineStanding) -> str:
        shown = grouped_gaps(standing.rows)
        head = [f"Gapline: {standing.status.label}."] + (["New documents are being read."] if self.reading else [])
        tail = [self._decision(entry) for entry in shown if entry.row.state != "open"]
        tail = [text for text in tail if text] + [f"Details in Gapline: {self.link}"]
        room = NOTES_LIMIT - 100 - sum(len(text) + 1 for text in head + tail)
        return "\n".join(head + _fitting([gap_words(entry) for entry in shown if entry.row.state == "open"], room)
                         + tail)

    def _decision(self, entry: ShownGap) -> str | None:
        found = self.decided_by.get(entry.row.override_id or 0)
        return decision_words(entry, *found) if found else None


def gap_words(entry: ShownGap) -> str:
    """An open gap told about the vendor, naming the projects it is limited to."""
    words = about_vendor(entry.gap)
    return words if entry.company_wide or not entry.projects else f"On {', '.join(entry.projects)}: {words}"


def decision_words(entry: ShownGap, override: Override, author: AppUser | None) -> str:
    """Who waived (or marked compliant) a gap, when, why and until when."""
    verb = "Waived" if override.kind == "waive" else "Marked compliant"
    who = (author.name or author.email) if author else "a Gapline user"
    until = f"until {day(override.expires_on)}" if override.expires_on else "no end date"
    when = day(override.created_at.date()) if override.created_at else "an earlier date"
    return f"{verb}: {third_person(entry.gap.title)}, by {who} on {when}: {override.reason} ({until})."


def about_vendor(gap: Gap) -> str:
    """A gap in the words of the general contractor's people: "General liability each occurrence is $500,000;
    $1,000,000 is required." rather than the vendor page's "Your general liability ..."."""
    line, _, limit = gap.key.partition(".")
    minimum = str(gap.expected or "").removeprefix("at least ")
    try:
        is_limit = limit_code(line, limit) == gap.code and gap.found is not None and minimum
    except KeyError:
        is_limit = False
    if is_limit:
        name = limit_name(line, limit).replace(", ", " ")
        return f"{name[:1].upper()}{name[1:]} is {gap.found}; {minimum} is required."
    return third_person(gap.explanation)


_SECOND_PERSON = (  # the longer phrases first; each replacement keeps a capital where the phrase had one
    (re.compile(r"\byour company is\b", re.IGNORECASE), "the vendor's legal name is"),
    (re.compile(r"\byour company's\b", re.IGNORECASE), "the vendor's"),
    (re.compile(r"\byour company\b", re.IGNORECASE), "the vendor"),
    (re.compile(r"\bthe documents you sent\b", re.IGNORECASE), "the vendor's documents"),
    (re.compile(r"\byour\b", re.IGNORECASE), "the vendor's"),
    (re.compile(r"\byou\b", re.IGNORECASE), "the vendor"),
)


def third_person(text: str) -> str:
    """``text`` with the subcontractor addressed as "you" told about as "the vendor"."""
    for pattern, replacement in _SECOND_PERSON:
        text = pattern.sub(lambda found, to=replacement: to.capitalize() if found.group(0)[0].isupper() else to,
                           text)
    return text


def vendor_link(base_url: str, company_id: int, vendor_id: int) -> str:
    """The vendor's page in Gapline."""
    return f"{base_url}/procore/companies/{company_id}/vendors/{vendor_id}"


def load_standings(company_id: int, vendor_ids: list[int], *, base_url: str, today: date) -> list[VendorStanding]:
    """The standing of each vendor in ``vendor_ids`` (of the company), read in a handful of queries."""
    vendors = db.session.scalars(scoped(Vendor, company_id).where(Vendor.id.in_(vendor_ids)).order_by(Vendor.id))
    standings = {v.id: VendorStanding(v, vendor_link(base_url, company_id, v.id)) for v in vendors}
    evaluations = _evaluations(company_id, list(standings))
    gaps = _gaps(company_id, [evaluation.id for evaluation, _ in evaluations])
    decided = _overrides(company_id, {gap.override_id for rows in gaps.values() for gap in rows if gap.override_id})
    for evaluation, project in evaluations:
        standing = standings[evaluation.vendor_id]
        _absorb(standing, evaluation, gaps.get(evaluation.id, []), project)
        standing.decided_by = decided
    for vendor_id, certificates in _certificates(company_id, list(standings)).items():
        standings[vendor_id].policies = chosen_policies(certificates, today)
    for vendor_id in _reading(company_id, list(standings)):
        standings[vendor_id].reading = True
    for record in db.session.scalars(scoped(PushedRecord, company_id).where(PushedRecord.vendor_id.in_(standings))):
        standings[record.vendor_id].pushed[record.line] = record
    return list(standings.values())


def chosen_policies(certificates: list, today: date) -> dict[str, PolicyFacts]:
    """Per line, the facts of the policy the engine would choose from these certificates."""
    chosen = {}
    for line, evidence in combine(certificates, today).policies.items():
        policy = evidence.cert.policies[evidence.index]
        insurer = next((i.name for i in evidence.cert.insurers if i.letter == policy.insurer_letter), None)
        chosen[line] = PolicyFacts(insurer, policy.policy_number, policy.effective_date, policy.expiration_date,
                                   policy.limits.get(LIMIT_KEYS[line][0]) if line in LIMIT_KEYS else None)
    return chosen


def _absorb(standing: VendorStanding, evaluation: Evaluation, gaps: list[CoverageGap], project: str | None) -> None:
    """A line's gaps are those on its requirements (keyed "<line>.<item>"), plus those about the documents."""
    lines = set(evaluation.line_statuses)
    on = [(gap, {key.partition(".")[0] for key in gap.requirement_keys} & lines) for gap in gaps]
    whole = [gap for gap, touched in on if not touched]  # about the documents
    for line in evaluation.line_statuses:
        mine = [gap for gap, touched in on if line in touched] + whole
        standing.lines.setdefault(line, LineStanding()).absorb(
            status_of(gap.to_gap() for gap in mine), mine, evaluation.assignment_id is None, project)


def _evaluations(company_id: int, vendor_ids: list[int]) -> list[tuple[Evaluation, str | None]]:
    query = (scoped(Evaluation, company_id).options(defer(Evaluation.results)).add_columns(Project.name)
             .outerjoin(ProjectAssignment, ProjectAssignment.id == Evaluation.assignment_id)
             .outerjoin(Project, Project.id == ProjectAssignment.project_id)
             .where(Evaluation.vendor_id.in_(vendor_ids), Evaluation.is_current.is_(True))
             .order_by(Evaluation.vendor_id, Evaluation.assignment_id.is_not(None), Evaluation.id))
    return [(evaluation, name) for evaluation, name in db.session.execute(query)]


def _gaps(company_id: int, evaluation_ids: list[int]) -> dict[int, list[CoverageGap]]:
    found: dict[int, list[CoverageGap]] = {}
    query = scoped(CoverageGap, company_id).where(CoverageGap.evaluation_id.in_(evaluation_ids))
    for gap in db.session.scalars(query.order_by(CoverageGap.id)):
        found.setdefault(gap.evaluation_id, []).append(gap)
    return found


def _overrides(company_id: int, override_ids: set[int]) -> dict[int, tuple[Override, AppUser | None]]:
    query = (scoped(Override, company_id).add_columns(AppUser)
             .outerjoin(AppUser, AppUser.id == Override.created_by_user_id).where(Override.id.in_(override_ids)))
    return {override.id: (override, user) for override, user in db.session.execute(query)}


def _certificates(company_id: int, vendor_ids: list[int]) -> dict[int, list]:
    rows = db.session.execute(select(Certificate.vendor_id, Certificate.content).where(
        Certificate.company_id == company_id, Certificate.vendor_id.in_(vendor_ids), Certificate.ok.is_(True))
        .order_by(Certificate.id))
    found: dict[int, list] = {}
    for vendor_id, content in rows:
        found.setdefault(vendor_id, []).append(content)
    return found


def _reading(company_id: int, vendor_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(Submission.vendor_id).where(
        Submission.company_id == company_id, Submission.vendor_id.in_(vendor_ids),
        Submission.state.in_(READING_STATES))))


def _fitting(lines: list[str], budget: int) -> list[str]:
    kept, used = [], 0
    for index, line in enumerate(lines):
        if used + len(line) + 3 > budget:
            kept.append(f"… and {len(lines) - index} more gap(s).")
            break
        kept.append(f"• {line}")
        used += len(line) + 3
    return (["Open gaps:"] + kept) if kept else []

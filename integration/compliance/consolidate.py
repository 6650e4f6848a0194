"""From unmet requirements to gaps: one gap per thing a person must fix.

Several requirements often fail for one reason, and the person acting on it should see that reason
once: a missing coverage line is one gap (not one per limit, endorsement and date of that line); a
document that could not be read, or that a person must check, is one gap for that document; a blank
or doubtful value is one gap however many checks rest on it, and so is a box that disagrees with the
endorsement pages attached; and once a policy has expired, its other date problems are part of that
gap. Every other unmet requirement is a gap of its own, keyed by the requirement. Keys are stable
across evaluations so that an override of a gap keeps applying.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from integration.compliance.context import Finding
from integration.compliance.gaps import MISSING_CODES, gap_ask, gap_info
from integration.compliance.requirements import Requirement
from integration.compliance.results import OUTCOME_SEVERITY, Gap, Location, worst_outcome
from integration.compliance.wording import sentence

NOTHING_RECEIVED_KEY = "submission.received"
_DATE_CHECKS = ("expiry_notice", "work_window")


@dataclass
class _Group:
    key: str
    members: list[tuple[Requirement, Finding]]


def gap_key(requirement: Requirement, finding: Finding) -> str:
    """The key of the gap an unmet requirement belongs to."""
    code, file = finding.code, finding.location.file if finding.location else None
    if code == "certificate_missing":
        return NOTHING_RECEIVED_KEY
    if code in MISSING_CODES:
        return f"{requirement.line}.coverage"
    if code == "document_unreadable":
        return document_key(file, "unreadable")
    if code == "document_needs_review" or (code == "value_unreadable" and _on_flagged_document(finding)):
        return document_key(file, "review")
    if code == "value_unreadable" and finding.location is not None:
        return f"value:{file}:{finding.location.field}"
    if code == "certificate_contradicts_endorsement" and finding.location is not None:
        return f"box:{file}:{finding.location.field}"  # one box against several pages is one thing to fix
    return requirement.key


def document_key(file: str | None, problem: str) -> str:
    """The key of a gap about one whole document ("unreadable" or "review")."""
    return f"document:{file}:{problem}"


def consolidate(unmet: Iterable[tuple[Requirement, Finding]]) -> list[Gap]:
    """The gaps that ``unmet`` (requirement, finding) pairs stand for: fails first, then in requirement order."""
    groups: dict[str, _Group] = {}
    for requirement, finding in unmet:
        for part in _per_document(finding):
            key = gap_key(requirement, part)
            groups.setdefault(key, _Group(key, [])).members.append((requirement, part))
    _fold_dates_into_expiry(groups)
    gaps = [_gap(group) for group in groups.values()]
    return sorted(gaps, key=lambda gap: OUTCOME_SEVERITY.index(gap.outcome))


def _per_document(finding: Finding) -> list[Finding]:
    """Usually the finding itself; one about several unreadable documents becomes one per document."""
    if finding.code != "document_unreadable" or len(finding.facts) < 2:
        return [finding]
    return [replace(finding, found=fact.value, location=fact.location, facts=(fact,),
                    detail=f"The document {fact.location.file} could not be read as a certificate: {fact.value}.")
            for fact in finding.facts]


def _on_flagged_document(finding: Finding) -> bool:
    return any(fact.doc_needs_review for fact in finding.facts)


def _fold_dates_into_expiry(groups: dict[str, _Group]) -> None:
    """An expired policy's other date problems (notice, work dates) are fixed by the same renewal."""
    for key in list(groups):
        line, _, check = key.partition(".")
        expired = groups.get(f"{line}.not_expired")
        if check in _DATE_CHECKS and expired is not None and _code(expired) == "policy_expired":
            expired.members += groups.pop(key).members


def _code(group: _Group) -> str:
    return _lead(group)[1].code or "value_unreadable"


def _lead(group: _Group) -> tuple[Requirement, Finding]:
    """The member that best describes the gap: the worst outcome, first in requirement order."""
    worst = worst_outcome([finding.outcome for _, finding in group.members])
    return next(member for member in group.members if member[1].outcome is worst)


def _gap(group: _Group) -> Gap:
    lead = _lead(group)
    requirement, finding = lead
    code = _group_code(group, lead)
    location = finding.location
    if group.key.startswith("document:"):
        location = Location(location.file if location else None)
    return Gap(
        key=group.key,
        code=code,
        outcome=worst_outcome([member.outcome for _, member in group.members]),
        line=_line(group),
        expected=finding.expected,
        found=_found(group, code, lead),
        location=location,
        explanation=_explanation(group, code, lead),
        ask=gap_ask(code, _line(group)),
        requirement_keys=tuple(dict.fromkeys(req.key for req, _ in group.members)),
    )


def _group_code(group: _Group, lead: tuple[Requirement, Finding]) -> str:
    if group.key.startswith("document:") and group.key.endswith(":review"):
        return "document_needs_review"
    return lead[1].code or "value_unreadable"


def _line(group: _Group) -> str | None:
    lines = {requirement.line for requirement, _ in group.members}
    return lines.pop() if len(lines) == 1 else None


def _explanation(group: _Group, code: str, lead: tuple[Requirement, Finding]) -> str:
    """What is wrong, in sentences: the lead finding's words, or a summary of the members for a few kinds."""
    if code == "document_needs_review":
        return _review_explanation(group, lead)
    if code == "certificate_contradicts_endorsement":
        pages = list(dict.fromkeys(finding.found for _, finding in group.members))
        verb = "is" if len(pages) == 1 else "are"
        return f"{' and '.join(pages)} {verb} attached, but {lead[1].detail}. {CONTRADICTION}"
    return lead[1].detail or gap_info(code).explanation


CONTRADICTION = "The certificate and the endorsement disagree, so a person must check which is right."


def _found(group: _Group, code: str, lead: tuple[Requirement, Finding]) -> object:
    if code == "certificate_contradicts_endorsement":
        pages = list(dict.fromkeys(finding.found for _, finding in group.members))
        return f"{' and '.join(pages)} attached; the box disagrees"
    return lead[1].found


def _review_explanation(group: _Group, lead: tuple[Requirement, Finding]) -> str:
    """Which boxes of a flagged document a person will check (or that the whole document will be checked)."""
    location = lead[1].location
    file = f"the document {location.file}" if location and location.file else "the document"
    boxes = [finding.location for _, finding in group.members
             if finding.code == "value_unreadable" and finding.location and finding.location.box]
    listed = "; ".join(dict.fromkeys(f"{box.box} (page {box.page})" if box.page else box.box for box in boxes))
    if listed:
        return f"Parts of {file} were hard to read, so a person will check them before it counts: {listed}."
    return sentence(f"{file} was marked as hard to read, so a person will check it before anything on it counts")

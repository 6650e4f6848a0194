"""Checks on the documents as a whole: certificate holder, named insured, readability.

Holder and named insured are checked on every document that supplied the chosen policy of a required
line, so a separate umbrella certificate issued to another entity is caught too, and an older certificate
kept only for a line nobody requires is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from integration.certificate import ExtractedCertificate
from integration.compliance.combine import Fact, read_fact
from integration.compliance.context import Context, Finding, failed, needs_review, passed, unreadable, worst
from integration.compliance.names import NameMatch, best_match
from integration.compliance.requirements import Requirement
from integration.compliance.results import Location, Outcome
from integration.compliance.wording import reason, sentence


def check_holder(req: Requirement, ctx: Context) -> Finding:
    """Each contributing certificate is made out to the general contractor (its legal name, or the set's wording)."""
    expected = ctx.certificate_holder
    if not expected:
        detail = ("The general contractor's legal name is not known yet, so the certificate holder cannot be "
                  "checked; a person must check it.")
        return needs_review("holder_mismatch", None, None, detail, "not checked")
    return _names_on_documents(ctx, "certificate_holder.name", [expected], expected, _HOLDER)


def check_named_insured(req: Requirement, ctx: Context) -> Finding:
    """Each contributing certificate's named insured is the vendor's legal entity (or a DBA)."""
    if ctx.vendor is None or not ctx.vendor.legal_name.strip():
        detail = "Your company's legal name is not on file, so the insured on the certificate cannot be compared."
        return needs_review("named_insured_mismatch", None, None, detail, "not checked")
    vendor = ctx.vendor
    return _names_on_documents(ctx, "named_insured.name", vendor.names, vendor.legal_name, _INSURED)


@dataclass(frozen=True)
class _Party:
    code: str
    shows: str  # "The certificate <shows> <name>"
    wanted: str  # "<wanted> <expected>"


_HOLDER = _Party("holder_mismatch", "is made out to", "it must be made out to")
_INSURED = _Party("named_insured_mismatch", "names as the insured", "your company is")


def _names_on_documents(ctx: Context, path: str, candidates: list[str], expected: str, party: _Party) -> Finding:
    documents = ctx.submission.contributing(ctx.lines)
    if not documents:
        return _nothing_readable(ctx, expected)
    return worst([_name_on(cert, ctx, path, candidates, expected, party) for cert in documents])


def _name_on(cert: ExtractedCertificate, ctx: Context, path: str, candidates: list[str], expected: str,
             party: _Party) -> Finding:
    fact = read_fact(cert, path)
    if not ctx.reliable(fact) or not isinstance(fact.value, str):
        return unreadable(fact, expected)
    match = best_match(fact.value, candidates)
    if match is NameMatch.SAME:
        return passed(fact)
    shown = f"The certificate {party.shows} {fact.value}"
    if match is NameMatch.SUFFIX_DIFFERS:
        detail = (f"{shown}: the same name as {expected}, but a different legal form; a person must confirm it is "
                  "the same company.")
        return needs_review(party.code, expected, fact, detail, fact.value)
    return failed(party.code, expected, fact.value, fact, sentence(f"{shown}; {party.wanted} {expected}"))


def _nothing_readable(ctx: Context, expected: str) -> Finding:
    cert = ctx.submission.unreadable[0]
    detail = f"The document {cert.file} could not be read as a certificate: {reason(cert.error, cert.file)}."
    return Finding(Outcome.NEEDS_REVIEW, "document_unreadable", expected, reason(cert.error, cert.file),
                   Location(cert.file), detail)


def check_readable(req: Requirement, ctx: Context) -> Finding:
    """Every submitted document could be read as a certificate."""
    if not ctx.submission.unreadable:
        return passed()
    first = ctx.submission.unreadable[0]
    facts = tuple(Fact(reason(each.error, each.file), Location(each.file)) for each in ctx.submission.unreadable)
    detail = f"The document {first.file} could not be read as a certificate: {reason(first.error, first.file)}."
    return Finding(Outcome.NEEDS_REVIEW, "document_unreadable", "a readable certificate", facts[0].value,
                   Location(first.file), detail, facts)

"""Checks on the documents as a whole: certificate holder, named insured, readability.

Holder and named insured are checked on every document that supplied a chosen policy, so a
separate umbrella certificate issued to another entity is caught too.
"""

from __future__ import annotations

from integration.certificate import ExtractedCertificate
from integration.compliance.combine import Fact, read_fact
from integration.compliance.context import Context, Finding, failed, needs_review, passed, unreadable, worst
from integration.compliance.names import NameMatch, best_match
from integration.compliance.requirements import Requirement
from integration.compliance.results import Location, Outcome


def check_holder(req: Requirement, ctx: Context) -> Finding:
    """Each contributing certificate names the GC's required certificate holder."""
    expected = ctx.certificate_holder or ""
    return _names_on_documents(ctx, "certificate_holder.name", [expected], expected, "holder_mismatch")


def check_named_insured(req: Requirement, ctx: Context) -> Finding:
    """Each contributing certificate's named insured is the vendor's legal entity (or a DBA)."""
    if ctx.vendor is None or not ctx.vendor.legal_name.strip():
        return needs_review(
            "named_insured_mismatch",
            None,
            None,
            "No vendor legal name was given, so the named insured cannot be compared.",
        )
    vendor = ctx.vendor
    return _names_on_documents(ctx, "named_insured.name", vendor.names, vendor.legal_name, "named_insured_mismatch")


def _names_on_documents(ctx: Context, path: str, candidates: list[str], expected: str, code: str) -> Finding:
    documents = ctx.submission.contributing()
    if not documents:
        return _nothing_readable(ctx, expected)
    return worst([_name_on(cert, ctx, path, candidates, expected, code) for cert in documents])


def _name_on(
    cert: ExtractedCertificate, ctx: Context, path: str, candidates: list[str], expected: str, code: str
) -> Finding:
    fact = read_fact(cert, path)
    if not ctx.reliable(fact) or not isinstance(fact.value, str):
        return unreadable(fact, expected, path.replace(".", " ").replace("_", " "))
    match = best_match(fact.value, candidates)
    if match is NameMatch.SAME:
        return passed(fact)
    if match is NameMatch.SUFFIX_DIFFERS:
        return needs_review(
            code,
            expected,
            fact,
            f"{fact.value!r} has the same name as {expected!r} but a different legal form; "
            "a person must confirm it is the same entity.",
        )
    return failed(code, expected, fact.value, fact, f"The document shows {fact.value!r}; expected {expected!r}.")


def _nothing_readable(ctx: Context, expected: str) -> Finding:
    cert = ctx.submission.unreadable[0]
    reason = cert.error or "not a readable certificate"
    return Finding(
        Outcome.NEEDS_REVIEW,
        "document_unreadable",
        expected,
        reason,
        Location(cert.file),
        f"{cert.file!r} could not be read ({reason}), so this cannot be checked.",
    )


def check_readable(req: Requirement, ctx: Context) -> Finding:
    """Every submitted document could be read as a certificate."""
    if not ctx.submission.unreadable:
        return passed()
    cert = ctx.submission.unreadable[0]
    reason = cert.error or "not a readable certificate"
    names = ", ".join(repr(each.file) for each in ctx.submission.unreadable)
    facts = tuple(Fact(each.error, Location(each.file)) for each in ctx.submission.unreadable)
    return Finding(
        Outcome.NEEDS_REVIEW,
        "document_unreadable",
        "a readable certificate",
        reason,
        Location(cert.file),
        f"Could not read {names}: {reason}.",
        facts,
    )

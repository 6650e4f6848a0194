"""The words people read: coverages, limits and form boxes by name, dollars, dates, and where a value is.

Every gap's title, explanation, ask and "where" is built from these, so pages, e-mails and Procore
notes say the same thing in the same words, and no internal key or certificate path reaches a person.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from integration.certificate import ExtractedCertificate

COVERAGES = {
    "general_liability": "general liability",
    "automobile_liability": "auto liability",
    "umbrella_liability": "umbrella or excess liability",
    "excess_liability": "excess liability",
    "workers_compensation": "workers' compensation",
    "other": "other coverage",
}

# The limits by what they are called in words; employers liability limits are named as such.
LIMITS = {
    "each_occurrence": "each occurrence",
    "damage_to_rented_premises": "damage to rented premises",
    "medical_expense": "medical expense",
    "personal_advertising_injury": "personal and advertising injury",
    "general_aggregate": "general aggregate",
    "products_completed_operations_aggregate": "products and completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "bodily_injury_per_person": "bodily injury per person",
    "bodily_injury_per_accident": "bodily injury per accident",
    "property_damage_per_accident": "property damage per accident",
    "aggregate": "aggregate",
    "deductible_or_retention": "deductible or retention",
    "el_each_accident": "employers liability, each accident",
    "el_disease_each_employee": "employers liability, disease, each employee",
    "el_disease_policy_limit": "employers liability, disease, policy limit",
}

# The certificate's own box labels (ACORD 25), by the last part of a value's path.
BOXES = {
    "each_occurrence": "EACH OCCURRENCE",
    "damage_to_rented_premises": "DAMAGE TO RENTED PREMISES",
    "medical_expense": "MED EXP",
    "personal_advertising_injury": "PERSONAL & ADV INJURY",
    "general_aggregate": "GENERAL AGGREGATE",
    "products_completed_operations_aggregate": "PRODUCTS - COMP/OP AGG",
    "combined_single_limit": "COMBINED SINGLE LIMIT",
    "bodily_injury_per_person": "BODILY INJURY (Per person)",
    "bodily_injury_per_accident": "BODILY INJURY (Per accident)",
    "property_damage_per_accident": "PROPERTY DAMAGE",
    "aggregate": "AGGREGATE",
    "deductible_or_retention": "DED / RETENTION",
    "el_each_accident": "E.L. EACH ACCIDENT",
    "el_disease_each_employee": "E.L. DISEASE - EA EMPLOYEE",
    "el_disease_policy_limit": "E.L. DISEASE - POLICY LIMIT",
    "insurer_letter": "INSR LTR",
    "policy_number": "POLICY NUMBER",
    "effective_date": "POLICY EFF",
    "expiration_date": "POLICY EXP",
    "additional_insured": "ADDL INSD",
    "subrogation_waived": "SUBR WVD",
    "occurrence": "OCCUR / CLAIMS-MADE",
    "aggregate_applies_per": "GEN'L AGGREGATE LIMIT APPLIES PER",
    "any_auto": "ANY AUTO",
    "statutory": "PER STATUTE",
    "description": "TYPE OF INSURANCE",
    "line": "TYPE OF INSURANCE",
}
_PARTS = {
    "named_insured": "INSURED",
    "certificate_holder": "CERTIFICATE HOLDER",
    "producer": "PRODUCER",
    "description_of_operations": "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES",
    "issued_on": "DATE",
}

POLICY_END_RULE = "A policy stops covering on its expiration date: it does not cover anything on or after that day."


def coverage(line: str | None) -> str:
    """A coverage line in words ("umbrella_liability" -> "umbrella or excess liability")."""
    return COVERAGES.get(line or "", "coverage")


def limit_name(line: str | None, limit: str | None) -> str:
    """A limit in words, with its line: "general liability, each occurrence", "employers liability, each accident"."""
    name = LIMITS.get(limit or "", "limit")
    return name if name.startswith("employers liability") else f"{coverage(line)}, {name}"


def dollars(amount: Any) -> str:
    """Dollars as people write them: 1000000 -> "$1,000,000"."""
    return f"${amount:,}" if isinstance(amount, int) and not isinstance(amount, bool) else str(amount)


@lru_cache(maxsize=4096)  # a batch words the same few dates thousands of times
def day(value: date | None) -> str:
    """A date as people write it: "March 1, 2026"."""
    return f"{value:%B} {value.day}, {value.year}" if value else "no date"


def box(cert: ExtractedCertificate, path: str) -> str | None:
    """The form's own label for the box a value was read from ("EACH OCCURRENCE box on the general liability row")."""
    parts = path.split(".")
    if parts[0] == "policies" and len(parts) > 2 and parts[1].isdigit():
        index = int(parts[1])
        row = coverage(cert.policies[index].line) if index < len(cert.policies) else "coverage"
        return f"{BOXES.get(parts[-1], 'coverage')} box on the {row} row"
    if parts[0] == "insurers" and len(parts) > 2 and parts[1].isdigit():
        index = int(parts[1])
        letter = cert.insurers[index].letter if index < len(cert.insurers) else ""
        return f"{'NAIC #' if parts[-1] == 'naic' else 'INSURER'} box of insurer {letter}".rstrip()
    if parts[0] == "endorsements" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        return f"{cert.endorsements[index].form} endorsement" if index < len(cert.endorsements) else "endorsement"
    label = _PARTS.get(parts[0])
    return f"{label} box" if label else None


def where(file: str | None, page: int | None = None, box_label: str | None = None) -> str:
    """Where to look: "certificate.pdf, page 1, EACH OCCURRENCE box on the general liability row"."""
    parts = [file or "the documents sent", f"page {page}" if page else "", box_label or ""]
    return ", ".join(part for part in parts if part)


def with_article(noun: str) -> str:
    """``noun`` with "a" or "an" before it ("an umbrella or excess liability policy")."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a closing full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def reason(error: str | None, file: str | None) -> str:
    """A reader's error for people, without the file name it may start with."""
    text = (error or "it is not a readable certificate").strip()
    if file and text.startswith(f"{file}:"):
        text = text[len(file) + 1:].strip()
    return text.rstrip(".")


def doubled_words(text: str) -> list[str]:
    """Words written twice in a row ("limit limit"), for checking generated text."""
    return [match.group(1) for match in re.finditer(r"\b(\w+)\s+\1\b", text, flags=re.IGNORECASE)]

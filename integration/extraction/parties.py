"""Read a party box (the insured, the holder) as lines: the name first, then the address; codes are skipped.

Agency systems print an account code, a phone number or an e-mail address above the holder's name, and the city,
state and postal code on one line. The box is read as the lines it holds, wherever they start.
"""

from __future__ import annotations

import re

from integration.extraction.fields import Reading, Readings

_CITY_LINE = re.compile(r"^(?P<city>.*?)[,\s]+(?P<state>[A-Z]{2})\.?\s+(?P<postal>\d{5}(?:-\d{4})?)$")
_NOT_A_NAME = re.compile(r"@|^[\d\s()./#:-]+$|^\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}|^(ACCT|ACCOUNT|CODE|NO\.?)\b", re.I)


def _is_code(line: str) -> bool:
    """An account code, phone number or e-mail address: a line that is not the party's name."""
    letters = sum(ch.isalpha() for ch in line)
    return bool(_NOT_A_NAME.search(line)) or letters < 3


def read_party(prefix: str, lines: list[tuple[str, float]]) -> Readings:
    """Readings of the party's fields from its box's lines (text, confidence), top to bottom."""
    while lines and _is_code(lines[0][0]):
        lines = lines[1:]
    if not lines:
        return {}
    readings: Readings = {f"{prefix}_FullName_A": Reading(lines[0][0], lines[0][1])}
    rest = lines[1:]
    if rest and (m := _CITY_LINE.match(rest[-1][0].strip())):
        conf = rest[-1][1]
        readings[f"{prefix}_MailingAddress_CityName_A"] = Reading(m["city"].strip(" ,"), conf)
        readings[f"{prefix}_MailingAddress_StateOrProvinceCode_A"] = Reading(m["state"], conf)
        readings[f"{prefix}_MailingAddress_PostalCode_A"] = Reading(m["postal"], conf)
        rest = rest[:-1]
    if rest:
        readings[f"{prefix}_MailingAddress_LineOne_A"] = Reading(rest[0][0], rest[0][1])
    if len(rest) > 1:
        readings[f"{prefix}_MailingAddress_LineTwo_A"] = Reading(" ".join(t for t, _ in rest[1:]),
                                                                 min(c for _, c in rest[1:]))
    return readings

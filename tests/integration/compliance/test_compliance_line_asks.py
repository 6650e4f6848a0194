"""What to send for an endorsement gap names the forms of the gap's own coverage line, never another line's."""

from __future__ import annotations

import pytest

from integration.compliance.gaps import gap_ask
from tests.integration.compliance.compliance_factories import certificate, drop_forms, policy, run

GL, AUTO, UMB, WC = "general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"
AI, WOS, PNC = "additional_insured_not_shown", "waiver_of_subrogation_not_shown", "primary_noncontributory_not_shown"
GL_FORMS = ("CG 20 10", "CG 20 37", "CG 20 38", "CG 24 04", "CG 20 01")
AUTO_FORMS = ("CA 20 48", "CA 04 44")

# (code, line, words the ask must hold, forms it must not name)
ASKS = [
    (AI, GL, ("CG 20 10", "CG 20 37", "CG 20 38"), AUTO_FORMS + ("WC 00 03 13",)),
    (AI, AUTO, ("CA 20 48", "blanket auto additional insured"), GL_FORMS + ("WC 00 03 13",)),
    (AI, UMB, ("follows form",), GL_FORMS + AUTO_FORMS),
    (WOS, GL, ("CG 24 04",), AUTO_FORMS + ("WC 00 03 13", "CG 20 10")),
    (WOS, AUTO, ("CA 04 44",), GL_FORMS + ("WC 00 03 13",)),
    (WOS, WC, ("WC 00 03 13",), GL_FORMS + AUTO_FORMS),
    (WOS, UMB, ("follows form",), GL_FORMS + AUTO_FORMS + ("WC 00 03 13",)),
    (PNC, GL, ("CG 20 01",), AUTO_FORMS),
    (PNC, UMB, ("follows form", "primary and non-contributory"), GL_FORMS + AUTO_FORMS),
]


@pytest.mark.parametrize(("code", "line", "named", "foreign"), ASKS)
def test_the_ask_names_the_forms_of_its_own_line(code: str, line: str, named: tuple, foreign: tuple) -> None:
    ask = gap_ask(code, line)
    for words in named:
        assert words in ask, (line, ask)
    for form in foreign:
        assert form not in ask, (line, form, ask)


# (line, box, gap code, form dropped, form the ask names, form it must not name)
EVALUATED = [
    (AUTO, "additional_insured", AI, "CA 20 48", "CA 20 48", "CG 20 10"),
    (AUTO, "subrogation_waived", WOS, "CA 04 44", "CA 04 44", "CG 24 04"),
    (WC, "subrogation_waived", WOS, "WC 00 03 13", "WC 00 03 13", "CA 04 44"),
    (GL, "subrogation_waived", WOS, "CG 24 04", "CG 24 04", "WC 00 03 13"),
    (GL, "additional_insured", AI, "CG 20 10", "CG 20 10", "CA 20 48"),
]


@pytest.mark.parametrize(("line", "field", "code", "dropped", "named", "foreign"), EVALUATED)
def test_an_evaluated_gap_asks_for_its_lines_form(line: str, field: str, code: str, dropped: str, named: str,
                                                  foreign: str) -> None:
    cert = drop_forms(certificate(), dropped)
    policy(cert, line)[field] = False
    gaps = [gap for gap in run(cert).open_gaps() if gap.code == code and gap.line == line]
    assert gaps, [(gap.code, gap.line) for gap in run(cert).open_gaps()]
    assert named in gaps[0].ask and foreign not in gaps[0].ask, gaps[0].ask

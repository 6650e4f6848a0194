"""The ACORD 25 (2016/03) field map: leaf names, rectangles, and which contract value each feeds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, bottom-left origin

# Verified leaf names and rectangles of the fillable form (research brief §2.3); "c" marks a checkbox.
_TABLE = """
Form_CompletionDate_A 511 744 590 756
Producer_ContactPerson_FullName_A 346 660 590 672
Producer_FullName_A 22 648 302 660
Producer_ContactPerson_PhoneNumber_A 353 648 479 660
Producer_MailingAddress_LineOne_A 22 636 302 648
Producer_ContactPerson_EmailAddress_A 346 636 590 648
Producer_MailingAddress_LineTwo_A 22 624 302 636
Producer_MailingAddress_CityName_A 22 612 238 624
Producer_MailingAddress_StateOrProvinceCode_A 238 612 256 624
Producer_MailingAddress_PostalCode_A 256 612 302 624
Insurer_FullName_A 349 612 536 624
Insurer_NAICCode_A 544 612 590 624
Insurer_FullName_B 349 600 536 612
Insurer_NAICCode_B 544 600 590 612
NamedInsured_FullName_A 72 588 302 600
Insurer_FullName_C 349 588 536 600
Insurer_NAICCode_C 544 588 590 600
NamedInsured_MailingAddress_LineOne_A 72 576 302 588
Insurer_FullName_D 349 576 536 588
Insurer_NAICCode_D 544 576 590 588
NamedInsured_MailingAddress_LineTwo_A 72 564 302 576
Insurer_FullName_E 349 564 536 576
Insurer_NAICCode_E 544 564 590 576
NamedInsured_MailingAddress_CityName_A 72 552 238 564
NamedInsured_MailingAddress_StateOrProvinceCode_A 238 552 256 564
NamedInsured_MailingAddress_PostalCode_A 256 552 302 564
Insurer_FullName_F 349 552 536 564
Insurer_NAICCode_F 544 552 590 564
CertificateOfInsurance_CertificateNumberIdentifier_A 259 540 349 552
CertificateOfInsurance_RevisionNumberIdentifier_A 508 540 590 552
GeneralLiability_CoverageIndicator_A 36 480 50 492 c
GeneralLiability_EachOccurrence_LimitAmount_A 526 480 590 492
GeneralLiability_ClaimsMadeIndicator_A 50 468 65 480 c
GeneralLiability_OccurrenceIndicator_A 115 468 130 480 c
GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A 526 468 590 480
GeneralLiability_MedicalExpense_EachPersonLimitAmount_A 526 456 590 468
GeneralLiability_InsurerLetterCode_A 18 444 36 456
CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A 176 444 194 456
Policy_GeneralLiability_SubrogationWaivedCode_A 194 444 212 456
Policy_GeneralLiability_PolicyNumberIdentifier_A 216 444 328 456
Policy_GeneralLiability_EffectiveDate_A 331 444 378 456
Policy_GeneralLiability_ExpirationDate_A 378 444 425 456
GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A 526 444 590 456
GeneralLiability_GeneralAggregate_LimitAmount_A 526 432 590 444
GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A 36 420 50 432 c
GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A 79 420 94 432 c
GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A 122 420 137 432 c
GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A 526 420 590 432
GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A 36 408 50 420 c
GeneralLiability_GeneralAggregate_LimitAppliesToCode_A 79 408 173 420
Vehicle_CombinedSingleLimit_EachAccidentAmount_A 526 396 590 408
Vehicle_AnyAutoIndicator_A 36 384 50 396 c
Vehicle_BodilyInjury_PerPersonLimitAmount_A 526 384 590 396
Vehicle_InsurerLetterCode_A 18 372 36 384
Vehicle_AllOwnedAutosIndicator_A 36 372 50 384 c
Vehicle_ScheduledAutosIndicator_A 104 372 119 384 c
CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A 176 372 194 384
Policy_AutomobileLiability_SubrogationWaivedCode_A 194 372 212 384
Policy_AutomobileLiability_PolicyNumberIdentifier_A 216 372 328 384
Policy_AutomobileLiability_EffectiveDate_A 331 372 378 384
Policy_AutomobileLiability_ExpirationDate_A 378 372 425 384
Vehicle_BodilyInjury_PerAccidentLimitAmount_A 526 372 590 384
Vehicle_HiredAutosIndicator_A 36 360 50 372 c
Vehicle_NonOwnedAutosIndicator_A 104 360 119 372 c
Vehicle_PropertyDamage_PerAccidentLimitAmount_A 526 360 590 372
Policy_PolicyType_UmbrellaIndicator_A 36 336 50 348 c
ExcessUmbrella_OccurrenceIndicator_A 115 336 130 348 c
ExcessUmbrella_Umbrella_EachOccurrenceAmount_A 526 336 590 348
ExcessUmbrella_InsurerLetterCode_A 18 324 36 336
Policy_PolicyType_ExcessIndicator_A 36 324 50 336 c
ExcessUmbrella_ClaimsMadeIndicator_A 115 324 130 336 c
CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A 176 324 194 336
Policy_ExcessLiability_SubrogationWaivedCode_A 194 324 212 336
Policy_ExcessLiability_PolicyNumberIdentifier_A 216 324 328 336
Policy_ExcessLiability_EffectiveDate_A 331 324 378 336
Policy_ExcessLiability_ExpirationDate_A 378 324 425 336
ExcessUmbrella_Umbrella_AggregateAmount_A 526 324 590 336
ExcessUmbrella_DeductibleIndicator_A 36 312 50 324 c
ExcessUmbrella_RetentionIndicator_A 72 312 86 324 c
ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A 133 312 173 324
WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A 425 300 439 312 c
WorkersCompensationEmployersLiability_OtherCoverageIndicator_A 475 300 490 312 c
WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A 526 288 590 300
WorkersCompensationEmployersLiability_InsurerLetterCode_A 18 282 36 294
WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A 158 282 173 294
Policy_WorkersCompensation_SubrogationWaivedCode_A 194 282 212 294
Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A 216 282 328 294
Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A 331 282 378 294
Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A 378 282 425 294
WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A 526 276 590 288
WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A 526 264 590 276
OtherPolicy_CoverageCode_A 432 252 511 264
OtherPolicy_CoverageLimitAmount_A 526 252 590 264
OtherPolicy_InsurerLetterCode_A 18 240 36 252
CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A 176 240 194 252
OtherPolicy_SubrogationWaivedCode_A 194 240 212 252
OtherPolicy_PolicyNumberIdentifier_A 216 240 328 252
OtherPolicy_PolicyEffectiveDate_A 331 240 378 252
OtherPolicy_PolicyExpirationDate_A 378 240 425 252
OtherPolicy_CoverageCode_B 432 240 511 252
OtherPolicy_CoverageLimitAmount_B 526 240 590 252
OtherPolicy_OtherPolicyDescription_A 40 234 173 258
OtherPolicy_CoverageCode_C 432 228 511 240
OtherPolicy_CoverageLimitAmount_C 526 228 590 240
CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A 22 150 590 216
CertificateHolder_FullName_A 72 90 302 102
CertificateHolder_MailingAddress_LineOne_A 72 78 302 90
CertificateHolder_MailingAddress_LineTwo_A 72 66 302 78
CertificateHolder_MailingAddress_CityName_A 72 54 238 66
CertificateHolder_MailingAddress_StateOrProvinceCode_A 238 54 256 66
CertificateHolder_MailingAddress_PostalCode_A 256 54 302 66
Producer_AuthorizedRepresentative_Signature_A 310 48 590 72
"""


def _parse(table: str) -> tuple[dict[str, Rect], dict[str, Rect]]:
    text: dict[str, Rect] = {}
    check: dict[str, Rect] = {}
    for line in table.strip().splitlines():
        name, *rest = line.split()
        rect = tuple(float(v) for v in rest[:4])
        (check if rest[4:] == ["c"] else text)[name] = rect  # type: ignore[assignment]
    return text, check


TEXT_FIELDS, CHECKBOXES = _parse(_TABLE)
EDITION_FIELD = "Form_EditionIdentifier_A"
REMARKS = "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"
# One-character cells: insurer letters and the Y/N/X columns; OCR reads them with a whitelist.
LETTER_FIELDS = frozenset(n for n in TEXT_FIELDS if n.endswith("InsurerLetterCode_A"))
YES_NO_FIELDS = frozenset(
    n for n in TEXT_FIELDS
    if "AdditionalInsuredCode" in n or "SubrogationWaivedCode" in n or n.endswith("AnyPersonsExcludedIndicator_A")
)
CODE_FIELDS = LETTER_FIELDS | YES_NO_FIELDS
# Digits-only boxes (amounts, dates, NAIC numbers): OCR reads them with a digits-and-punctuation whitelist.
NUMERIC_FIELDS = frozenset(n for n in TEXT_FIELDS if "Amount" in n or "Date" in n or "NAIC" in n)
INSURER_LETTERS = "ABCDEF"


def leaf_name(qualified: str) -> str:
    """Reduce `F[0].P1[0].Producer_FullName_A[0]` (or a flat name) to the leaf `Producer_FullName_A`."""
    return re.sub(r"\[\d+\]$", "", qualified.split(".")[-1])


@dataclass(frozen=True)
class LineSpec:
    """Where one coverage row of the grid keeps its values."""

    line: str
    letter: str
    number: str
    effective: str
    expiration: str
    additional_insured: str | None
    subrogation_waived: str | None
    limits: dict[str, str] = field(default_factory=dict)
    presence: tuple[str, ...] = ()  # checkboxes that by themselves mark the row as filled in


LINES: tuple[LineSpec, ...] = (
    LineSpec(
        "general_liability", "GeneralLiability_InsurerLetterCode_A", "Policy_GeneralLiability_PolicyNumberIdentifier_A",
        "Policy_GeneralLiability_EffectiveDate_A", "Policy_GeneralLiability_ExpirationDate_A",
        "CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
        "Policy_GeneralLiability_SubrogationWaivedCode_A",
        {
            "each_occurrence": "GeneralLiability_EachOccurrence_LimitAmount_A",
            "damage_to_rented_premises": "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A",
            "medical_expense": "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
            "personal_advertising_injury": "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A",
            "general_aggregate": "GeneralLiability_GeneralAggregate_LimitAmount_A",
            "products_completed_operations_aggregate":
                "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A",
        },
        ("GeneralLiability_CoverageIndicator_A",),
    ),
    LineSpec(
        "automobile_liability", "Vehicle_InsurerLetterCode_A", "Policy_AutomobileLiability_PolicyNumberIdentifier_A",
        "Policy_AutomobileLiability_EffectiveDate_A", "Policy_AutomobileLiability_ExpirationDate_A",
        "CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
        "Policy_AutomobileLiability_SubrogationWaivedCode_A",
        {
            "combined_single_limit": "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
            "bodily_injury_per_person": "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
            "bodily_injury_per_accident": "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
            "property_damage_per_accident": "Vehicle_PropertyDamage_PerAccidentLimitAmount_A",
        },
        ("Vehicle_AnyAutoIndicator_A", "Vehicle_AllOwnedAutosIndicator_A", "Vehicle_ScheduledAutosIndicator_A",
         "Vehicle_HiredAutosIndicator_A", "Vehicle_NonOwnedAutosIndicator_A"),
    ),
    LineSpec(
        "umbrella_liability", "ExcessUmbrella_InsurerLetterCode_A", "Policy_ExcessLiability_PolicyNumberIdentifier_A",
        "Policy_ExcessLiability_EffectiveDate_A", "Policy_ExcessLiability_ExpirationDate_A",
        "CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
        "Policy_ExcessLiability_SubrogationWaivedCode_A",
        {
            "each_occurrence": "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A",
            "aggregate": "ExcessUmbrella_Umbrella_AggregateAmount_A",
            "deductible_or_retention": "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A",
        },
        ("Policy_PolicyType_UmbrellaIndicator_A", "Policy_PolicyType_ExcessIndicator_A"),
    ),
    LineSpec(
        "workers_compensation", "WorkersCompensationEmployersLiability_InsurerLetterCode_A",
        "Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
        "Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
        "Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",
        None, "Policy_WorkersCompensation_SubrogationWaivedCode_A",
        {
            "el_each_accident": "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A",
            "el_disease_each_employee":
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A",
            "el_disease_policy_limit":
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A",
        },
        ("WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A",),
    ),
    LineSpec(
        "other", "OtherPolicy_InsurerLetterCode_A", "OtherPolicy_PolicyNumberIdentifier_A",
        "OtherPolicy_PolicyEffectiveDate_A", "OtherPolicy_PolicyExpirationDate_A",
        "CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A", "OtherPolicy_SubrogationWaivedCode_A",
    ),
)

# The "other" row prints its own limit labels; these pairs are (label field, amount field).
OTHER_LIMITS = (
    ("OtherPolicy_CoverageCode_A", "OtherPolicy_CoverageLimitAmount_A"),
    ("OtherPolicy_CoverageCode_B", "OtherPolicy_CoverageLimitAmount_B"),
    ("OtherPolicy_CoverageCode_C", "OtherPolicy_CoverageLimitAmount_C"),
)
OTHER_DESCRIPTION = "OtherPolicy_OtherPolicyDescription_A"


@dataclass(frozen=True)
class Reading:
    """One value read off the page: text for text fields, a bool for checkboxes, with the reader's confidence."""

    value: str | bool
    confidence: float


Readings = dict[str, Reading]

"""The compliance engine: requirement sets, evaluation of certificates, gaps, overrides, statuses.

Pure and database-free: inputs are dataclasses (``integration.certificate.ExtractedCertificate`` for
each document, requirement sets, overrides), outputs are dataclasses with ``to_dict()``.
"""

from __future__ import annotations

from integration.compliance.carriers import Carrier, CarrierCsvError, CarrierTable, parse_carriers_csv
from integration.compliance.context import Assignment, Vendor
from integration.compliance.evaluate import Evaluation, evaluate
from integration.compliance.gaps import CATALOGUE, GapInfo, all_gap_infos, gap_info
from integration.compliance.overrides import Override, OverrideError, OverrideKind
from integration.compliance.requirements import Requirement, RequirementSet, RequirementSetError, Settings
from integration.compliance.results import Gap, Location, Outcome, RequirementResult, Shortfall
from integration.compliance.statuses import Status, vendor_status
from integration.compliance.tiers import company_default, merge, resolve, starting_point

__all__ = [
    "CATALOGUE",
    "Assignment",
    "Carrier",
    "CarrierCsvError",
    "CarrierTable",
    "Evaluation",
    "Gap",
    "GapInfo",
    "Location",
    "Outcome",
    "Override",
    "OverrideError",
    "OverrideKind",
    "Requirement",
    "RequirementResult",
    "RequirementSet",
    "RequirementSetError",
    "Settings",
    "Shortfall",
    "Status",
    "Vendor",
    "all_gap_infos",
    "company_default",
    "evaluate",
    "gap_info",
    "merge",
    "parse_carriers_csv",
    "resolve",
    "starting_point",
    "vendor_status",
]

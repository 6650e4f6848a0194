"""Re-evaluating a company in batches: what one vendor alone would get, history kept, pushes marked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from integration.certificate import ExtractedCertificate
from integration.evaluation_store import results_json, results_text
from integration.evaluations import evaluate_vendor, reevaluate_vendors
from integration.extensions import db
from integration.models import (
    AppUser,
    Certificate,
    CoverageGap,
    Evaluation,
    Override,
    PendingPush,
    Project,
    ProjectAssignment,
    Vendor,
    VendorSummary,
    utcnow,
)
from integration.requirement_sets import replace_carriers, save_set
from integration.tenancy import scoped
from integration.vendor_summary import COLUMNS as SUMMARY_COLUMNS
from integration.vendor_summary import computed
from sync_jobs.compliance import reevaluate_company
from tests import factories
from tests.integration.compliance.compliance_factories import drop_forms, policy, remove_line

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
MARCH = date(2026, 3, 1)


def sample() -> dict:
    return json.loads((SAMPLES / "certificate_acme_drywall.json").read_text())


def low_gl() -> dict:
    cert = sample()
    policy(cert, "general_liability")["limits"]["each_occurrence"] = 500_000
    return cert


def ended(cert: dict) -> dict:
    for row in cert["policies"]:
        row["expiration_date"] = "2026-02-01"
    return cert


def flagged() -> dict:
    return {**sample(), "needs_review": True}


def unreadable(file: str) -> dict:
    return ExtractedCertificate.unreadable(file, f"{file}: not a certificate").to_dict()


def override(vendor: Vendor, key: str, assignment: ProjectAssignment | None = None, **fields) -> Override:
    user = db.session.scalar(scoped(AppUser, vendor.company_id))
    row = Override(company_id=vendor.company_id, vendor_id=vendor.id, gap_key=key, kind=fields.pop("kind", "waive"),
                   reason="Accepted by the project manager", created_by_user_id=user.id,
                   assignment_id=assignment.id if assignment else None, **fields)
    db.session.add(row)
    db.session.flush()
    return row


GL = "general_liability.each_occurrence"


def _documents(*certs: dict) -> Callable:
    """A vendor that sent ``certs``, each in a submission of its own (the last is the latest)."""
    def build(vendor: Vendor, projects: dict[str, Project]) -> None:
        for cert in certs:
            factories.certificate(vendor, cert)
    return build


def _assigned(cert: dict, *windows: tuple[str, dict]) -> Callable:
    def build(vendor: Vendor, projects: dict[str, Project]) -> None:
        factories.certificate(vendor, cert)
        for project, fields in windows:
            factories.assignment(projects[project], vendor, **fields)
    return build


def _overridden(cert: dict, key: str, where: str | None = None, **fields) -> Callable:
    """A vendor with ``cert``, assigned to both projects, and an override of ``key`` (for one project's work)."""
    def build(vendor: Vendor, projects: dict[str, Project]) -> None:
        factories.certificate(vendor, cert)
        rows = {name: factories.assignment(project, vendor) for name, project in projects.items()}
        override(vendor, key, rows.get(where), **fields)
    return build


def _schedule_for_another_project() -> Callable:
    cert = sample()
    cert["description_of_operations"] = cert["description_of_operations"].replace("on all projects",
                                                                                  "for Riverside only")
    return _assigned(cert, ("Harbor", {}))


# vendor -> how it is built, and the status it must end with
VENDORS: dict[str, tuple[Callable, str]] = {
    "nothing sent": (_documents(), "nothing_received"),
    "compliant": (_documents(sample()), "compliant"),
    "limit too low": (_documents(low_gl()), "not_compliant"),
    "expired": (_documents(ended(sample())), "expired"),
    "no umbrella, an unreadable page": (_documents(remove_line(sample(), "umbrella_liability"),
                                                   unreadable("page2.pdf")), "under_review"),
    "unreadable page sent before a good one": (_documents(unreadable("old.pdf"), sample()), "compliant"),
    "flagged for review": (_documents(flagged()), "under_review"),
    "endorsement owed": (_documents(drop_forms(sample(), "CG 20 10", "CG 20 37")), "evidence_owed"),
    "aggregate schedule for another project": (_schedule_for_another_project(), "under_review"),
    "two certificates": (_documents(remove_line(sample(), "workers_compensation"), sample()), "compliant"),
    "waived for all work": (_overridden(low_gl(), GL), "waived"),
    "marked compliant for one project": (_overridden(low_gl(), GL, "Harbor", kind="mark_compliant"),
                                         "not_compliant"),
    "override revoked": (_overridden(low_gl(), GL, revoked_at=utcnow()), "not_compliant"),
    "override ended": (_overridden(low_gl(), GL, expires_on=date(2026, 2, 1)), "not_compliant"),
    "work windows and tiers": (_assigned(sample(), ("Harbor", {"work_ends_on": date(2027, 6, 30)}),
                                         ("Riverside", {"trade_tier": "high_risk"})), "not_compliant"),
    "stricter project": (_assigned(sample(), ("Riverside", {})), "not_compliant"),
}


def build_company(company_id: int) -> dict[str, int]:
    """A company with every vendor of ``VENDORS``; returns their ids by name."""
    factories.company(company_id, "Summit Builders, Inc.", "Unused vendor")
    save_set(company_id, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    replace_carriers(company_id, (SAMPLES / "carriers.csv").read_text(), None)
    projects = {name: factories.project(company_id, name) for name in ("Harbor", "Riverside")}
    save_set(company_id, {"lines": {"general_liability": {"limits": {"each_occurrence": 3_000_000}}}}, None,
             project_id=projects["Riverside"].id)
    ids = {}
    for name, (build, _) in VENDORS.items():
        vendor = factories.vendor(company_id, name, legal_name="Acme Drywall, LLC")
        build(vendor, projects)
        ids[name] = vendor.id
    db.session.commit()
    return ids


def snapshot(company_id: int, ids: dict[str, int]) -> dict[str, dict]:
    """Every vendor's statuses and current evaluations with their gaps, by names rather than ids."""
    found = {}
    for name, vendor_id in ids.items():
        vendor = db.session.get(Vendor, vendor_id)
        evaluations = db.session.execute(
            scoped(Evaluation, company_id).add_columns(Project.name)
            .outerjoin(ProjectAssignment, ProjectAssignment.id == Evaluation.assignment_id)
            .outerjoin(Project, Project.id == ProjectAssignment.project_id)
            .where(Evaluation.vendor_id == vendor_id, Evaluation.is_current.is_(True))).all()
        found[name] = {"status": vendor.status, "evaluations": {
            project: (row.version, row.status, row.line_statuses, row.results, _gaps(row))
            for row, project in evaluations}}
        found[name]["assignments"] = sorted(db.session.execute(
            select(Project.name, ProjectAssignment.status).join(Project, Project.id == ProjectAssignment.project_id)
            .where(ProjectAssignment.vendor_id == vendor_id)).all())
    return found


def _gaps(evaluation: Evaluation) -> list[tuple]:
    rows = db.session.scalars(select(CoverageGap).where(CoverageGap.evaluation_id == evaluation.id)
                              .order_by(CoverageGap.id))
    return [(g.gap_key, g.code, g.line, g.outcome, g.expected, g.found, g.source, g.explanation, g.ask,
             g.requirement_keys, g.state, _whose(g.override_id, evaluation.vendor_id)) for g in rows]


def _whose(override_id: int | None, vendor_id: int) -> tuple | None:
    """The override a gap rests on, told by its vendor (this one or not) and the project it names."""
    override = db.session.get(Override, override_id) if override_id else None
    if override is None:
        return None
    assignment = db.session.get(ProjectAssignment, override.assignment_id) if override.assignment_id else None
    project = db.session.get(Project, assignment.project_id).name if assignment else None
    return override.vendor_id == vendor_id, project, override.kind


@pytest.fixture(params=[3, 1000], ids=["batches of 3", "one batch"])
def companies(database, monkeypatch, request):
    monkeypatch.setattr("integration.evaluations.BATCH", request.param)  # several batches, or all vendors in one
    return build_company(10), build_company(20)


def test_a_batched_run_gives_each_vendor_what_evaluating_it_alone_gives(companies):
    batched, alone = companies
    assert reevaluate_company(10, "requirements_changed", MARCH.isoformat()) == len(VENDORS) + 1
    for vendor_id in alone.values():
        evaluate_vendor(20, vendor_id, MARCH, trigger="requirements_changed")
    db.session.commit()
    together, one_by_one = snapshot(10, batched), snapshot(20, alone)
    for name in VENDORS:
        assert together[name] == one_by_one[name], name
    assert {name: seen["status"] for name, seen in together.items()} == {
        name: status for name, (_, status) in VENDORS.items()}
    assert together["marked compliant for one project"]["assignments"] == [("Harbor", "compliant"),
                                                                           ("Riverside", "not_compliant")]
    gaps = together["no umbrella, an unreadable page"]["evaluations"][None][4]
    assert [gap[1] for gap in gaps] == ["umbrella_missing", "document_unreadable"]


def test_history_is_kept_and_only_changed_vendors_get_a_version_and_a_push(companies):
    batched, _ = companies
    reevaluate_company(10, "first", MARCH.isoformat())
    db.session.query(PendingPush).delete()
    db.session.commit()
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    body["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    save_set(10, body, None)
    db.session.commit()
    reevaluate_company(10, "requirements_changed", "2026-03-02")
    compliant, nothing = batched["compliant"], batched["nothing sent"]
    history = db.session.execute(select(Evaluation.version, Evaluation.status, Evaluation.is_current,
                                        Evaluation.evaluated_for, Evaluation.trigger)
                                 .where(Evaluation.vendor_id == compliant, Evaluation.assignment_id.is_(None))
                                 .order_by(Evaluation.version)).all()
    assert history == [(1, "compliant", False, MARCH, "first"),
                       (2, "not_compliant", True, date(2026, 3, 2), "requirements_changed")]
    first = db.session.scalar(select(Evaluation.id).where(Evaluation.vendor_id == compliant, Evaluation.version == 1))
    assert db.session.scalars(select(CoverageGap.code).where(CoverageGap.evaluation_id == first)).all() == []
    unchanged = db.session.execute(select(Evaluation.version, Evaluation.evaluated_for)
                                   .where(Evaluation.vendor_id == nothing)).all()
    assert unchanged == [(1, date(2026, 3, 2))]  # nothing to do with GL limits: the date moves, no new version
    marked = set(db.session.scalars(select(PendingPush.vendor_id)))
    assert compliant in marked and nothing not in marked
    assert db.session.get(Vendor, compliant).status == "not_compliant"


def test_a_run_that_changes_nothing_adds_no_version_and_marks_no_push(companies):
    reevaluate_company(10, "first", MARCH.isoformat())
    db.session.query(PendingPush).delete()
    db.session.commit()
    before = db.session.scalar(select(db.func.count()).select_from(Evaluation).where(Evaluation.company_id == 10))
    reevaluate_company(10, "daily", MARCH.isoformat())
    after = db.session.scalar(select(db.func.count()).select_from(Evaluation).where(Evaluation.company_id == 10))
    assert before == after and db.session.scalar(select(db.func.count()).select_from(PendingPush)) == 0


@pytest.fixture
def company(database) -> dict[str, int]:
    return build_company(10)


def _versions(vendor_id: int) -> list[tuple]:
    return db.session.execute(select(Evaluation.version, Evaluation.status, Evaluation.is_current)
                              .where(Evaluation.vendor_id == vendor_id, Evaluation.assignment_id.is_(None))
                              .order_by(Evaluation.version)).all()


def _resend(vendor_id: int, cert: dict) -> None:
    """The vendor's only certificate now reads ``cert`` (same status, other results)."""
    row = db.session.scalar(select(Certificate).where(Certificate.vendor_id == vendor_id))
    row.content = ExtractedCertificate.from_dict(cert)
    db.session.commit()


def _lower_gl(amount: int) -> dict:
    cert = sample()
    policy(cert, "general_liability")["limits"]["each_occurrence"] = amount
    return cert


@pytest.mark.parametrize("digests", ["kept", "missing (stored before digests)"])
def test_results_that_change_without_the_status_make_a_version_and_equal_ones_do_not(company, digests):
    low = company["limit too low"]
    reevaluate_company(10, "first", MARCH.isoformat())
    if digests != "kept":
        db.session.execute(update(Evaluation).values(results_digest=None))
        db.session.commit()
    reevaluate_company(10, "daily", MARCH.isoformat())
    assert _versions(low) == [(1, "not_compliant", True)]  # equal results: no version, digest or not
    _resend(low, _lower_gl(600_000))  # still too low, but the results say 600,000 now
    reevaluate_company(10, "daily", MARCH.isoformat())
    assert _versions(low) == [(1, "not_compliant", False), (2, "not_compliant", True)]
    row = db.session.scalar(select(Evaluation).where(Evaluation.vendor_id == low, Evaluation.is_current.is_(True),
                                                     Evaluation.assignment_id.is_(None)))
    assert "$600,000" in json.dumps(row.results)
    assert row.results_digest == results_json(row.results)[1]  # the digest names what was stored


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_the_engine_wrote_it(company):
    vendor = db.session.get(Vendor, company["nothing sent"])
    name = 'site\\plans\t"final"\r\n2.pdf'
    factories.certificate(vendor, ExtractedCertificate.unreadable(name, f"{name}: not a certificate").to_dict())
    db.session.commit()
    reevaluate_company(10, "daily", MARCH.isoformat())
    row = db.session.scalar(select(Evaluation).where(Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True),
                                                     Evaluation.assignment_id.is_(None)))
    gap = db.session.scalar(select(CoverageGap).where(CoverageGap.evaluation_id == row.id))
    assert gap.source["file"] == name and name in gap.explanation
    assert any(name in (result["shortfall"] or {}).get("detail", "") for result in row.results)
    assert row.results_digest == results_json(row.results)[1]


def test_reevaluating_some_vendors_evaluates_only_those_and_tells_whose_evaluation_changed(company, monkeypatch):
    monkeypatch.setattr("integration.evaluations.BATCH", 1)  # one batch per vendor, each committed
    chosen = [company["compliant"], company["limit too low"]]
    assert reevaluate_vendors(10, [*chosen, chosen[0]], MARCH) == sorted(chosen)
    evaluated = set(db.session.scalars(select(Evaluation.vendor_id).where(Evaluation.company_id == 10)))
    assert evaluated == set(chosen)
    assert set(db.session.scalars(select(PendingPush.vendor_id))) == set(chosen)
    assert reevaluate_vendors(10, chosen, MARCH) == []  # nothing changed since


def _summary_rows(company_id: int) -> tuple[list, list]:
    """The table rows kept for the company, and the same worked out from scratch."""
    columns = [VendorSummary.__table__.c[name] for name in SUMMARY_COLUMNS]
    kept = db.session.execute(select(*columns).where(VendorSummary.company_id == company_id)).all()
    ids = db.session.scalars(select(Vendor.id).where(Vendor.company_id == company_id)).all()
    return sorted(kept, key=repr), sorted(db.session.execute(computed(company_id, list(ids))).all(), key=repr)


def test_statuses_that_drifted_are_written_and_their_rows_refreshed_though_no_evaluation_changes(companies):
    batched, _ = companies
    reevaluate_company(10, "first", MARCH.isoformat())
    vendor_id = batched["work windows and tiers"]
    before = snapshot(10, batched)
    assert before["work windows and tiers"]["assignments"] == [("Harbor", "not_compliant"),
                                                               ("Riverside", "not_compliant")]
    count = select(db.func.count()).select_from(Evaluation).where(Evaluation.company_id == 10)
    versions = db.session.scalar(count)
    db.session.execute(update(Vendor).where(Vendor.id == vendor_id).values(status="compliant"))
    db.session.execute(update(ProjectAssignment).where(ProjectAssignment.vendor_id == vendor_id)
                       .values(status="compliant"))
    db.session.execute(update(VendorSummary).where(VendorSummary.vendor_id == vendor_id).values(status="compliant"))
    db.session.commit()
    reevaluate_company(10, "daily", MARCH.isoformat())
    db.session.expire_all()
    assert db.session.scalar(count) == versions  # the evaluations hold what they held: no new version
    assert snapshot(10, batched) == before  # but the statuses read what they say again
    kept, fresh = _summary_rows(10)
    assert kept == fresh
    assert {row.status for row in kept if row.vendor_id == vendor_id} == {"not_compliant"}


def test_a_run_keeps_the_table_rows_as_they_would_be_worked_out_afresh(companies):
    batched, _ = companies
    reevaluate_company(10, "first", MARCH.isoformat())
    body = json.loads((SAMPLES / "requirements_standard.json").read_text())
    body["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    save_set(10, body, None)
    db.session.commit()
    reevaluate_company(10, "requirements_changed", "2026-03-02")
    kept, fresh = _summary_rows(10)
    assert kept == fresh and len(kept) == len(VENDORS) + 1 + db.session.scalar(
        select(db.func.count()).select_from(ProjectAssignment).where(ProjectAssignment.company_id == 10))
    compliant = [row for row in kept if row.vendor_id == batched["compliant"]]
    assert [row.status for row in compliant] == ["not_compliant"] and compliant[0].open_gaps >= 1


def test_a_failure_deciding_a_batch_keeps_the_batches_before_it(company, monkeypatch):
    from integration import evaluations

    monkeypatch.setattr("integration.evaluations.BATCH", 3)
    ids = sorted(company.values())
    failing = ids[7]  # in the third batch
    decide = evaluations._decide

    def breaking(inputs, *args):
        if inputs.vendor.id == failing:
            raise RuntimeError("the engine broke")
        return decide(inputs, *args)

    monkeypatch.setattr(evaluations, "_decide", breaking)
    with pytest.raises(RuntimeError, match="the engine broke"):
        reevaluate_vendors(10, ids, MARCH)
    db.session.rollback()
    evaluated = set(db.session.scalars(select(Evaluation.vendor_id).where(Evaluation.company_id == 10)))
    assert evaluated == set(ids[:6])  # the first two batches are committed, the third wrote nothing
    assert set(db.session.scalars(select(PendingPush.vendor_id))) <= set(ids[:6])


def test_the_deciding_thread_runs_no_sql_though_batches_are_read_ahead_of_commits(company, monkeypatch):
    import threading

    from sqlalchemy import Engine, event

    monkeypatch.setattr("integration.evaluations.BATCH", 3)  # each batch read before the one before it commits
    threads: list[str] = []

    def note(*_args) -> None:
        threads.append(threading.current_thread().name)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        reevaluate_company(10, "requirements_changed", MARCH.isoformat())
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert threads and not [name for name in threads if name.startswith("evaluation")]  # (a row expired by a
    # commit would be loaded again from the deciding thread, on a session that is not its own)
    assert db.session().expire_on_commit is True
    assert set(db.session.scalars(select(Evaluation.vendor_id).where(Evaluation.company_id == 10))) == \
        set(db.session.scalars(select(Vendor.id).where(Vendor.company_id == 10)))


def test_results_written_a_result_at_a_time_are_the_text_and_digest_of_the_whole():
    from integration.compliance.results import AppliedOverride, Location, Outcome, RequirementResult, Shortfall

    where = Location("coi.pdf", 1, "policies.0.limits.each_occurrence", "EACH OCCURRENCE")
    results = [
        RequirementResult("general_liability.coverage", "general_liability", Outcome.PASS),
        RequirementResult("submission.readable", None, Outcome.PASS),
        RequirementResult("general_liability.each_occurrence", "general_liability", Outcome.FAIL,
                          Shortfall("limit_low", 1_000_000, 500_000, where, "Only $500,000 — “each occurrence”."),
                          "general_liability.each_occurrence"),
        RequirementResult("automobile_liability.not_expired", "automobile_liability", Outcome.FAIL,
                          Shortfall("policy_expired", {"on or after": MARCH}, [date(2026, 2, 1)], None, "Ended.\t"),
                          "automobile_liability.not_expired", AppliedOverride("waive", "Accepted", date(2026, 6, 30))),
        RequirementResult("general_liability.coverage", "general_liability", Outcome.PASS),  # (made once, again)
    ]
    for _ in range(2):  # the second time from what the first kept
        assert results_text(results) == results_json([result.to_dict() for result in results])
    assert results_text([]) == results_json([])

"""The Compliance Hub as its members use it: invited by link, signed in once per link, shown only their projects."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from integration.extensions import db
from integration.models import (
    AuditEvent,
    ComplianceHubAccount,
    ComplianceHubMember,
    OneTimeToken,
    SentEmail,
    StoredFile,
    Vendor,
    utcnow,
)
from integration.storage import get_storage
from tests import factories
from tests.conftest import signed_in

COMPANY = 61
LINK = re.compile(r"/compliance-hub/sign-in/([A-Za-z0-9_\-]+)")


def stored_certificate(vendor, start: date, end: date, body: bytes | None = None):
    """A certificate of ``vendor`` for ``start`` to ``end`` whose file really is in storage."""
    data = {"file": f"{vendor.name}.pdf", "ok": True, "needs_review": False,
            "policies": [{"line": "general_liability", "effective_date": start.isoformat(),
                          "expiration_date": end.isoformat(), "limits": {}}]}
    row = factories.certificate(vendor, data)
    stored = db.session.get(StoredFile, row.stored_file_id)
    stored.storage_key = f"{COMPANY}/{vendor.id}/{row.id}.pdf"
    get_storage().put(stored.storage_key, body or f"%PDF-1.4 certificate {row.id}".encode())
    db.session.flush()
    return row


@pytest.fixture
def gc(app):
    """A GC with two projects (a clinic and a school), a vendor on each with certificates, and an admin."""
    company = factories.company(COMPANY, "Summit Builders")
    clinic, school = factories.project(COMPANY, "Riverside Clinic"), factories.project(COMPANY, "Oak School")
    roofer, painter = factories.vendor(COMPANY, "Roofer"), factories.vendor(COMPANY, "Painter")
    factories.assignment(clinic, roofer)
    factories.assignment(school, painter)
    certs = {"roofer": [stored_certificate(roofer, date(y, 1, 1), date(y + 1, 1, 1)) for y in (2024, 2025, 2026)],
             "painter": [stored_certificate(painter, date(2025, 1, 1), date(2026, 1, 1))]}
    db.session.commit()
    return company, clinic, school, certs


def invite(app, company, projects, email="owner@health.test"):
    """The admin invites ``email`` for ``projects`` through the admin page; returns the emailed token."""
    admin = signed_in(app, company["admin"])
    response = admin.post(f"/procore/companies/{COMPANY}/compliance-hub/invitations",
                          data={"email": email, "name": "Olive Owner", "account_name": "Riverside Health",
                                "project_id": [p.id for p in projects]})
    assert response.status_code == 303
    return latest_token(email)


def latest_token(email: str) -> str:
    mail = db.session.scalars(db.select(SentEmail).where(SentEmail.to_address == email)
                              .order_by(SentEmail.id.desc())).first()
    assert mail is not None and mail.state == "sent", "the link was emailed (the demo's dev mailbox)"
    return LINK.search(mail.body_text).group(1)


def sign_in(app, token: str):
    """A fresh browser that opens the link and presses Sign in."""
    browser = app.test_client()
    assert browser.get(f"/compliance-hub/sign-in/{token}").status_code == 200  # opening the link uses nothing up
    return browser, browser.post(f"/compliance-hub/sign-in/{token}")


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.company_id == COMPANY)
                                                 .order_by(AuditEvent.id))]


def test_an_invited_person_signs_in_by_link_and_sees_the_project(app, gc):
    company, clinic, _, certs = gc
    token = invite(app, company, [clinic])
    browser, response = sign_in(app, token)
    assert response.status_code == 303
    first = browser.get(response.headers["Location"])
    assert first.headers["Location"].endswith(f"/compliance-hub/projects/{clinic.id}")  # their only project
    page = browser.get(first.headers["Location"]).get_data(as_text=True)
    assert "Riverside Clinic" in page and page.count("<td data-label=\"Contractor\">Roofer</td>") == 3
    assert "compliance_hub.member_invited" in actions() and "compliance_hub.signed_in" in actions()


def test_a_used_link_is_refused_the_second_time(app, gc):
    company, clinic, *_ = gc
    token = invite(app, company, [clinic])
    sign_in(app, token)
    _, again = sign_in(app, token)
    assert again.status_code == 403 and "already used" in again.get_data(as_text=True)


def test_an_expired_link_is_refused(app, gc):
    company, clinic, *_ = gc
    token = invite(app, company, [clinic])
    db.session.execute(db.update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    browser, response = sign_in(app, token)
    assert response.status_code == 403 and "expired" in response.get_data(as_text=True)
    assert browser.get(f"/compliance-hub/projects/{clinic.id}").status_code == 302  # not signed in
    assert "compliance_hub.signed_in" not in actions()


def test_a_tampered_link_is_refused(app, gc):
    _, response = sign_in(app, "not-a-real-token")
    assert response.status_code == 403


def test_asking_for_a_link_emails_one_only_to_a_member_and_answers_the_same(app, gc):
    company, clinic, *_ = gc
    invite(app, company, [clinic])
    browser = app.test_client()
    known = browser.post("/compliance-hub/sign-in", data={"email": "Owner@Health.test "})
    unknown = browser.post("/compliance-hub/sign-in", data={"email": "stranger@else.test"})
    assert known.status_code == unknown.status_code == 200
    assert "is on its way" in known.get_data(as_text=True) and "is on its way" in unknown.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(SentEmail)
                             .where(SentEmail.to_address == "stranger@else.test")) == 0
    _, response = sign_in(app, latest_token("owner@health.test"))  # the new link works
    assert response.status_code == 303


def test_a_teammate_sees_only_the_inviters_projects(app, gc):
    company, clinic, school, certs = gc
    owner, _ = sign_in(app, invite(app, company, [clinic]))
    response = owner.post("/compliance-hub/team", data={"email": "mate@health.test", "name": "Mate"})
    assert response.status_code == 303
    mate, signed = sign_in(app, latest_token("mate@health.test"))
    assert signed.status_code == 303
    page = mate.get(f"/compliance-hub/projects/{clinic.id}").get_data(as_text=True)
    assert f'<option value="{clinic.id}"' in page and f'<option value="{school.id}"' not in page
    assert mate.get(f"/compliance-hub/projects/{school.id}").status_code == 404
    assert "by_member" in str(db.session.scalars(db.select(AuditEvent.after)
                                                 .where(AuditEvent.action == "compliance_hub.member_invited")).all())


def test_a_member_may_invite_only_so_many_teammates_an_hour(app, gc, monkeypatch):
    from integration.compliance_hub import access
    from integration.rate_limits import RateLimit

    monkeypatch.setattr(access, "TEAM_INVITES", RateLimit("compliance_hub_team_invites", 2, timedelta(hours=1)))
    company, clinic, *_ = gc
    owner, _ = sign_in(app, invite(app, company, [clinic]))
    for n in range(3):
        page = owner.post("/compliance-hub/team", data={"email": f"mate{n}@health.test"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Not invited: Too many tries" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ComplianceHubMember)) == 3  # owner and two


def test_the_switcher_lists_and_serves_only_the_members_projects_whatever_the_url(app, gc):
    company, clinic, school, certs = gc
    factories.installation(COMPANY + 1)
    foreign = factories.project(COMPANY + 1, "Another GC's tower")
    db.session.commit()
    browser, _ = sign_in(app, invite(app, company, [clinic]))
    page = browser.get(f"/compliance-hub/projects/{clinic.id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"', page)
    assert options == [str(clinic.id)]
    painter_cert = certs["painter"][0].id
    for url in (f"/compliance-hub/projects/{school.id}", f"/compliance-hub/projects/{foreign.id}",
                f"/compliance-hub/projects?project={school.id}",
                f"/compliance-hub/projects/{school.id}/export.csv",
                f"/compliance-hub/projects/{school.id}/certificates/{painter_cert}",
                f"/compliance-hub/projects/{clinic.id}/certificates/{painter_cert}",  # a cert of another project
                f"/compliance-hub/projects/{foreign.id}/certificates.zip"):
        response = browser.get(url, follow_redirects=True)
        assert response.status_code == 404, url
        assert "Oak School" not in response.get_data(as_text=True)


def test_one_certificate_opens_and_downloads_and_each_download_is_audited(app, gc):
    company, clinic, _, certs = gc
    browser, _ = sign_in(app, invite(app, company, [clinic]))
    first = certs["roofer"][0]
    view = browser.get(f"/compliance-hub/projects/{clinic.id}/certificates/{first.id}")
    download = browser.get(f"/compliance-hub/projects/{clinic.id}/certificates/{first.id}?download=1")
    assert view.data == download.data == f"%PDF-1.4 certificate {first.id}".encode()
    assert view.headers["Content-Disposition"].startswith("inline")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "Roofer 2024-01-01 to 2025-01-01" in download.headers["Content-Disposition"]
    assert actions().count("compliance_hub.certificate_downloaded") == 2


def test_bulk_download_is_refused_until_enabled_then_zips_exactly_the_filtered_certificates(app, gc):
    company, clinic, _, certs = gc
    browser, _ = sign_in(app, invite(app, company, [clinic]))
    url = f"/compliance-hub/projects/{clinic.id}/certificates.zip?effective_from=2025-01-01"
    refused = browser.get(url)
    assert refused.status_code == 403 and "Ask the GC to enable bulk download" in refused.get_data(as_text=True)
    assert "ask the GC to enable bulk download" in browser.get(f"/compliance-hub/projects/{clinic.id}").get_data(
        as_text=True)
    account_id = db.session.scalar(db.select(ComplianceHubAccount.id))
    admin = signed_in(app, company["admin"])
    admin.post(f"/procore/companies/{COMPANY}/compliance-hub/accounts/{account_id}/bulk-download",
               data={"enabled": "1"})
    response = browser.get(url)
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    wanted = certs["roofer"][1:]  # the 2025 and 2026 certificates start on or after 2025-01-01
    assert sorted(archive.read(n) for n in archive.namelist()) == sorted(
        f"%PDF-1.4 certificate {c.id}".encode() for c in wanted)
    assert len(archive.namelist()) == 2 and all(n.startswith("Roofer 202") for n in archive.namelist())
    assert "compliance_hub.certificates_zipped" in actions() and "compliance_hub.bulk_download_changed" in actions()


def test_the_zip_is_written_as_it_is_sent(app, gc, monkeypatch):
    from integration.compliance_hub import exports
    from integration.compliance_hub.table import HubFilter, matching_rows

    _, clinic, _, _ = gc
    reads = []
    monkeypatch.setattr(exports.Document, "read", lambda self: reads.append(self.certificate_id) or b"x" * 10)
    stream = exports.certificates_zip(COMPANY, list(matching_rows(COMPANY, clinic.id, HubFilter())))
    first = next(stream)
    assert len(reads) == 1 and first.startswith(b"PK")  # the first file left before the second was read
    rest = b"".join(stream)
    assert len(reads) == 3 and len(zipfile.ZipFile(io.BytesIO(first + rest)).namelist()) == 3


def test_the_csv_export_holds_the_filtered_rows_of_every_page(app, gc):
    company, clinic, _, certs = gc
    browser, _ = sign_in(app, invite(app, company, [clinic]))
    text = browser.get(f"/compliance-hub/projects/{clinic.id}/export.csv?end_to=2026-01-01").get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0] == "Contractor,Effective date,End date,Certificate"
    assert [line.split(",")[:3] for line in lines[1:]] == [["Roofer", "2024-01-01", "2025-01-01"],
                                                           ["Roofer", "2025-01-01", "2026-01-01"]]
    assert f"/certificates/{certs['roofer'][0].id}" in lines[1]


def test_revoking_a_member_ends_their_session_and_their_links(app, gc):
    company, clinic, *_ = gc
    token = invite(app, company, [clinic])
    browser, _ = sign_in(app, token)
    spare = db.session.scalar(db.select(ComplianceHubMember))
    admin = signed_in(app, company["admin"])
    listing = admin.get(f"/procore/companies/{COMPANY}/compliance-hub").get_data(as_text=True)
    assert "owner@health.test" in listing and "Riverside Health" in listing
    admin.post(f"/procore/companies/{COMPANY}/compliance-hub/members/{spare.id}/revoke")
    assert browser.get(f"/compliance-hub/projects/{clinic.id}").status_code == 302  # back to sign-in
    browser.post("/compliance-hub/sign-in", data={"email": "owner@health.test"})
    assert db.session.scalar(db.select(db.func.count()).select_from(SentEmail)) == 1  # no new link for them
    assert "compliance_hub.member_revoked" in actions()


def test_only_admins_manage_hub_access(app, gc):
    company, clinic, *_ = gc
    viewer = signed_in(app, company["viewer"])
    assert viewer.get(f"/procore/companies/{COMPANY}/compliance-hub").status_code == 403
    response = viewer.post(f"/procore/companies/{COMPANY}/compliance-hub/invitations",
                           data={"email": "x@y.test", "account_name": "X", "project_id": [clinic.id]})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(ComplianceHubMember)) == 0


@pytest.mark.parametrize(("form", "message"), [
    ({"email": "not-an-address", "account_name": "X"}, "is not an email address"),
    ({"email": "a@b.test", "account_name": ""}, "account name is required"),
    ({"email": "a@b.test", "account_name": "X", "project_id": []}, "Choose at least one project"),
    ({"email": "a@b.test", "account_name": "X", "project_id": [999_999]}, "999999 is not one of this company"),
])
def test_a_bad_invitation_is_refused_saying_why_and_nothing_is_written(app, gc, form, message):
    company, clinic, *_ = gc
    form.setdefault("project_id", [clinic.id])
    admin = signed_in(app, company["admin"])
    page = admin.post(f"/procore/companies/{COMPANY}/compliance-hub/invitations", data=form,
                      follow_redirects=True).get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert db.session.scalar(db.select(db.func.count()).select_from(ComplianceHubMember)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ComplianceHubAccount)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(SentEmail)) == 0


def test_the_table_writes_dates_as_people_do_and_marks_an_ended_certificate_expired(app, gc):
    company, clinic, _, certs = gc
    roofer = db.session.get(Vendor, certs["roofer"][0].vendor_id)
    current = stored_certificate(roofer, date.today() - timedelta(days=30), date.today() + timedelta(days=300))
    db.session.commit()
    browser, response = sign_in(app, invite(app, company, [clinic]))
    page = browser.get(f"/compliance-hub/projects/{clinic.id}").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td data-label=\"Contractor\">.*?</tr>", page, re.S)
    ended = next(r for r in rows if f"certificates/{certs['roofer'][0].id}\"" in r)
    assert '<time datetime="2024-01-01">January 1, 2024</time>' in ended and ">Expired</span>" in ended
    running = next(r for r in rows if f"certificates/{current.id}\"" in r)
    assert ">Expired</span>" not in running
    assert not re.search(r">\d{4}-\d{2}-\d{2}<", page)  # no ISO date shown as text

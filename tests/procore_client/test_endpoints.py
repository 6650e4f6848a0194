"""Each endpoint hits Procore's documented path, with the company header, and parses the recorded payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import responses
from responses import matchers

from fixtures.procore import load
from procore_client import ProcoreClient, SyncResult

from .conftest import API, COMPANY_ID

COMPANY_HEADER = matchers.header_matcher({"Procore-Company-Id": str(COMPANY_ID)})


def test_me_without_company_sends_no_company_header(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/me", json=load("me"))
    me = client.me()
    assert me == {"id": 7340021, "login": "dana.whitfield@example-gc.test", "name": "Dana Whitfield"}
    assert "Procore-Company-Id" not in mocked.calls[0].request.headers
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer fake-access-aaaa0001"


def test_me_for_a_dmsa_token_carries_the_company_header(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/me", json=load("me"), match=[COMPANY_HEADER])
    assert client.me(company_id=COMPANY_ID)["id"] == 7340021


def test_list_companies(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/companies", json=load("companies"))
    companies = client.list_companies().all()
    assert [company["id"] for company in companies] == [4812, 4813]
    assert companies[0]["my_company"] is True


def test_company_permissions_is_the_company_level_manifest(client: ProcoreClient,
                                                           mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/settings/permissions", json=load("company_permissions_admin"),
               match=[COMPANY_HEADER, matchers.query_param_matcher({"company_id": str(COMPANY_ID)})])
    tools = client.company_permissions(COMPANY_ID)["tools"]
    assert {tool["name"]: tool["user_access_level"]["name"] for tool in tools}["directory"] == "Admin"


def test_list_projects_scopes_by_company_and_filters(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/projects", json=load("projects_page1"), match=[
        COMPANY_HEADER,
        matchers.query_param_matcher({"company_id": str(COMPANY_ID), "filters[by_status]": "All", "per_page": "100"}),
    ])
    projects = client.list_projects(COMPANY_ID, filters={"by_status": "All"}, per_page=100).all()
    assert [project["project_number"] for project in projects] == ["HRB-2401", "HRB-2402"]


def test_list_vendors_with_updated_at_range(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    pacific = timezone(timedelta(hours=-8))
    mocked.get(f"{API}/rest/v1.0/vendors", json=load("vendors_page2"), match=[
        COMPANY_HEADER,
        matchers.query_param_matcher({"company_id": str(COMPANY_ID),
                                      "filters[updated_at]": "2026-11-01T00:00:00Z...2026-11-26T08:00:00Z"}),
    ])
    since = datetime(2026, 11, 1, tzinfo=UTC)
    until = datetime(2026, 11, 26, 0, 0, tzinfo=pacific)
    vendors = client.list_vendors(COMPANY_ID, updated_between=(since, until)).all()
    assert vendors[0]["name"] == "Summit Mechanical"
    assert vendors[0]["trades"][0]["name"] == "HVAC"


def test_list_vendors_refuses_a_naive_or_backwards_range(client: ProcoreClient) -> None:
    aware = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="no timezone"):
        client.list_vendors(COMPANY_ID, updated_between=(datetime(2026, 10, 1), aware))
    with pytest.raises(ValueError, match="after its end"):
        client.list_vendors(COMPANY_ID, updated_between=(aware, aware - timedelta(days=1)))


def test_list_project_vendors(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/projects/2290001/vendors", json=load("project_vendors"), match=[COMPANY_HEADER])
    assert [vendor["id"] for vendor in client.list_project_vendors(COMPANY_ID, 2290001)] == [5510001]


def test_list_vendor_users_filters_by_vendor(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.3/companies/{COMPANY_ID}/users", json=load("company_users_vendor"), match=[
        COMPANY_HEADER, matchers.query_param_matcher({"filters[vendor_id][]": "5510001"})])
    users = client.list_vendor_users(COMPANY_ID, 5510001).all()
    assert {user["vendor"]["id"] for user in users} == {5510001}
    assert users[1]["email_address"] == "rosa.imani@bayline-electric.test"


def test_list_vendor_insurances(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{API}/rest/v1.0/companies/{COMPANY_ID}/vendors/5510001/insurances",
               json=load("vendor_insurances"), match=[COMPANY_HEADER])
    insurances = client.list_vendor_insurances(COMPANY_ID, 5510001).all()
    assert [(item["insurance_type"], item["status"]) for item in insurances] == [
        ("General Liability", "compliant"), ("Workers Compensation", "expired")]


def _updates(count: int) -> list[dict[str, object]]:
    return [{"vendor_id": 5510000 + index % 7, "origin_id": f"gapline:{index}", "insurance_type": "General Liability",
             "status": "compliant", "exempt": False} for index in range(count)]


def test_sync_insurances_batches_at_most_1000_per_call(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    path = f"{API}/rest/v1.0/companies/{COMPANY_ID}/insurances/sync"
    mocked.patch(path, json=load("insurances_sync_ok"), match=[COMPANY_HEADER])
    result = client.sync_insurances(COMPANY_ID, _updates(2500))
    sent = [json.loads(call.request.body)["updates"] for call in mocked.calls]
    assert [len(batch) for batch in sent] == [1000, 1000, 500]
    assert [item["origin_id"] for batch in sent for item in batch] == [f"gapline:{i}" for i in range(2500)]
    assert result.batches == 3 and result.ok and len(result.entities) == 6


def test_sync_insurances_returns_per_item_errors_from_a_200(client: ProcoreClient,
                                                            mocked: responses.RequestsMock) -> None:
    mocked.patch(f"{API}/rest/v1.0/companies/{COMPANY_ID}/insurances/sync", json=load("insurances_sync_partial"))
    result = client.sync_insurances(COMPANY_ID, _updates(3))
    assert isinstance(result, SyncResult) and not result.ok
    assert [entity["origin_id"] for entity in result.entities] == ["gapline:5510001:gl"]
    assert result.failed_origin_ids() == ["gapline:5519999:gl", "gapline:5510002:umb"]
    assert result.errors[1]["errors"] == {"status": ["is not included in the list"]}


@pytest.mark.parametrize("missing", ["vendor_id", "origin_id"])
def test_sync_insurances_refuses_an_item_without_its_keys_before_sending(
        client: ProcoreClient, mocked: responses.RequestsMock, missing: str) -> None:
    updates = _updates(3)
    del updates[2][missing]
    with pytest.raises(ValueError, match=rf"updates\[2\] is missing {missing}"):
        client.sync_insurances(COMPANY_ID, updates)
    assert len(mocked.calls) == 0


def test_sync_insurances_refuses_an_oversized_batch(client: ProcoreClient) -> None:
    with pytest.raises(ValueError, match="between 1 and 1000"):
        client.sync_insurances(COMPANY_ID, _updates(2), batch_size=1001)


def test_create_hook_sends_namespace_url_and_secret_header(client: ProcoreClient,
                                                          mocked: responses.RequestsMock) -> None:
    mocked.post(f"{API}/rest/v1.0/webhooks/hooks", json=load("webhook_hook"), status=201, match=[
        COMPANY_HEADER,
        matchers.json_params_matcher({"company_id": COMPANY_ID, "hook": {
            "api_version": "v2", "namespace": "gapline-coi",
            "destination_url": "https://gapline.example.test/webhooks/procore",
            "destination_headers": {"Authorization": "Bearer hook-secret"}}}),
    ])
    hook = client.create_hook(COMPANY_ID, "gapline-coi", "https://gapline.example.test/webhooks/procore",
                              destination_headers={"Authorization": "Bearer hook-secret"})
    assert hook["id"] == 310001


def test_list_and_delete_hooks(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    by_company = matchers.query_param_matcher({"company_id": str(COMPANY_ID)})
    mocked.get(f"{API}/rest/v1.0/webhooks/hooks", json=load("webhook_hooks"), match=[COMPANY_HEADER, by_company])
    mocked.delete(f"{API}/rest/v1.0/webhooks/hooks/310001", status=204, match=[COMPANY_HEADER, by_company])
    assert [hook["namespace"] for hook in client.list_hooks(COMPANY_ID)] == ["gapline-coi"]
    assert client.delete_hook(COMPANY_ID, 310001) is None
    assert [call.request.method for call in mocked.calls] == ["GET", "DELETE"]


def test_create_list_and_delete_triggers(client: ProcoreClient, mocked: responses.RequestsMock) -> None:
    base = f"{API}/rest/v1.0/webhooks/hooks/310001/triggers"
    by_company = matchers.query_param_matcher({"company_id": str(COMPANY_ID)})
    mocked.post(base, json=load("webhook_trigger"), status=201, match=[COMPANY_HEADER, matchers.json_params_matcher(
        {"company_id": COMPANY_ID, "api_version": "v2",
         "trigger": {"resource_name": "Company Vendors", "event_type": "update"}})])
    mocked.get(base, json=load("webhook_triggers"), match=[COMPANY_HEADER, by_company])
    mocked.delete(f"{base}/420001", status=204, match=[COMPANY_HEADER, by_company])
    assert client.create_trigger(COMPANY_ID, 310001, "Company Vendors", "update")["id"] == 420001
    triggers = client.list_triggers(COMPANY_ID, 310001).all()
    assert [(t["resource_name"], t["event_type"]) for t in triggers] == [
        ("Company Vendors", "update"), ("Company Vendors", "create"), ("Company Users", "update")]
    client.delete_trigger(COMPANY_ID, 310001, 420001)
    assert mocked.calls[-1].request.method == "DELETE"


def test_every_call_carries_a_timeout(clock, mocked: responses.RequestsMock) -> None:
    from procore_client import StaticToken

    seen: list[object] = []
    client = ProcoreClient(StaticToken("t"), timeout=(3.0, 12.0), sleep=clock.sleep, clock=clock.now)
    original = client.http.session.request

    def spy(*args: object, **kwargs: object):
        seen.append(kwargs.get("timeout"))
        return original(*args, **kwargs)

    client.http.session.request = spy  # type: ignore[method-assign]
    mocked.get(f"{API}/rest/v1.0/me", json=load("me"))
    mocked.get(f"{API}/rest/v1.0/projects", json=load("projects_page1"))
    client.me()
    client.list_projects(COMPANY_ID).all()
    assert seen == [(3.0, 12.0), (3.0, 12.0)]


def test_custom_hosts_reach_an_emulator_on_localhost(mocked: responses.RequestsMock, clock) -> None:
    from procore_client import ProcoreHosts, StaticToken

    emulator = ProcoreHosts.single("http://127.0.0.1:8765")
    client = ProcoreClient(StaticToken("t"), hosts=emulator, sleep=clock.sleep, clock=clock.now)
    mocked.get("http://127.0.0.1:8765/rest/v1.0/companies", json=load("companies"))
    assert len(client.list_companies().all()) == 2


def test_dmsa_client_gets_its_token_by_client_credentials(mocked: responses.RequestsMock, clock) -> None:
    from procore_client import MemoryTokenStore, ProcoreOAuth, TokenManager

    from .conftest import HOSTS

    mocked.post(HOSTS.token_url, json=load("oauth_client_credentials"))
    mocked.get(f"{API}/rest/v1.0/companies", json=load("companies"), match=[COMPANY_HEADER])
    oauth = ProcoreOAuth("client-id", "client-secret", hosts=HOSTS, clock=clock.now)
    manager = TokenManager(MemoryTokenStore(), oauth, client_credentials=True, clock=clock.now)
    client = ProcoreClient(manager.source("dmsa"), hosts=HOSTS, sleep=clock.sleep, clock=clock.now)
    assert [c["name"] for c in client.list_companies(COMPANY_ID)][0] == "Harbor Ridge Builders"
    assert mocked.calls[1].request.headers["Authorization"] == "Bearer fake-dmsa-access-cccc0001"

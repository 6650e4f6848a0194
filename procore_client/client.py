"""ProcoreClient: the Procore REST endpoints Gapline uses, at Procore's own paths and field names.

Every method below sends `Procore-Company-Id: <company_id>` (also for /me and /companies when a
company_id is given, which DMSA tokens need). List methods return a lazy `Paginated` iterator that
follows `Link: <...>; rel="next"` and exposes `total` (header `Total`) and `per_page` (`Per-Page`).

    me(company_id=None)                        GET    /rest/v1.0/me
    list_companies(company_id=None)            GET    /rest/v1.0/companies
    company_permissions(company_id)            GET    /rest/v1.0/settings/permissions?company_id={company_id}
    list_projects(company_id, filters=)        GET    /rest/v1.0/projects?company_id={company_id}
    list_vendors(company_id, updated_between=) GET    /rest/v1.0/vendors?company_id={company_id}
                                                      [&filters[updated_at]={start}...{end}]
    list_project_vendors(company_id, project_id)
                                               GET    /rest/v1.0/projects/{project_id}/vendors
    list_vendor_users(company_id, vendor_id=None)
                                               GET    /rest/v1.3/companies/{company_id}/users
                                                      [?filters[vendor_id][]={vendor_id}]
    show_project(company_id, project_id)       GET    /rest/v1.0/projects/{project_id}?company_id={company_id}
    show_vendor(company_id, vendor_id)         GET    /rest/v1.0/vendors/{vendor_id}?company_id={company_id}
    list_vendor_insurances(company_id, vendor_id)
                                               GET    /rest/v1.0/companies/{company_id}/vendors/{vendor_id}/insurances
    list_company_insurances(company_id)        GET    /rest/v1.0/companies/{company_id}/insurances
    sync_insurances(company_id, updates)       PATCH  /rest/v1.0/companies/{company_id}/insurances/sync
                                                      body {"updates": [...]} (<= 1000 per call, each with
                                                      vendor_id and origin_id); 200 with
                                                      {"entities": [...], "errors": [...]}
    create_hook(company_id, namespace, destination_url, destination_headers=)
                                               POST   /rest/v1.0/webhooks/hooks
                                                      body {"company_id", "hook": {"api_version", "namespace",
                                                      "destination_url", "destination_headers"}}
    list_hooks(company_id)                     GET    /rest/v1.0/webhooks/hooks?company_id={company_id}
    delete_hook(company_id, hook_id)           DELETE /rest/v1.0/webhooks/hooks/{hook_id}?company_id={company_id}
    create_trigger(company_id, hook_id, resource_name, event_type)
                                               POST   /rest/v1.0/webhooks/hooks/{hook_id}/triggers
                                                      body {"company_id", "api_version",
                                                      "trigger": {"resource_name", "event_type"}}
    list_triggers(company_id, hook_id)         GET    /rest/v1.0/webhooks/hooks/{hook_id}/triggers?company_id=
    delete_trigger(company_id, hook_id, trigger_id)
                                               DELETE /rest/v1.0/webhooks/hooks/{hook_id}/triggers/{trigger_id}
                                                      ?company_id={company_id}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .pagination import Paginated
from .sync import INSURANCE_SYNC_REQUIRED, SYNC_BATCH_LIMIT, SyncResult, batches, check_updates
from .token_manager import TokenSource
from .transport import ProcoreTransport


class ProcoreClient:
    """Typed access to the Procore endpoints Gapline needs, over one ProcoreTransport.

    Keyword options (hosts, session, timeout, retry, budget, budget_scope, sleep, clock, deadline) are passed
    to ProcoreTransport.
    """

    def __init__(self, tokens: TokenSource, **transport_options: Any) -> None:
        self.http = ProcoreTransport(tokens, **transport_options)

    # -- identity and companies ------------------------------------------------------------

    def me(self, company_id: int | None = None) -> dict[str, Any]:
        """Return the token's user: `id`, `login` (email) and `name`."""
        return self.http.json("GET", "/rest/v1.0/me", company_id=company_id)

    def list_companies(self, company_id: int | None = None, *, per_page: int | None = None) -> Paginated:
        """List the companies the token can see (for a DMSA: where the app is installed)."""
        return self.http.paginate("/rest/v1.0/companies", company_id=company_id, per_page=per_page)

    def company_permissions(self, company_id: int) -> dict[str, Any]:
        """Return the token user's company-level permission manifest: ``tools``, each with ``user_access_level``."""
        return self.http.json("GET", "/rest/v1.0/settings/permissions", company_id=company_id,
                              params={"company_id": company_id})

    # -- directory -------------------------------------------------------------------------

    def list_projects(self, company_id: int, *, filters: Mapping[str, Any] | None = None,
                      per_page: int | None = None) -> Paginated:
        """List a company's projects, e.g. filters={"by_status": "All"}."""
        params = {"company_id": company_id, **_filters(filters or {})}
        return self.http.paginate("/rest/v1.0/projects", company_id=company_id, params=params, per_page=per_page)

    def list_vendors(self, company_id: int, *, updated_between: tuple[datetime, datetime] | None = None,
                     view: str | None = None, per_page: int | None = None) -> Paginated:
        """List a company's Directory vendors, optionally only those updated within a time range."""
        params: dict[str, Any] = {"company_id": company_id}
        if updated_between is not None:
            params["filters[updated_at]"] = time_range(*updated_between)
        if view is not None:
            params["view"] = view
        return self.http.paginate("/rest/v1.0/vendors", company_id=company_id, params=params, per_page=per_page)

    def show_project(self, company_id: int, project_id: int) -> dict[str, Any]:
        """One project of the company (NotFoundError when Procore no longer has it)."""
        return self.http.json("GET", f"/rest/v1.0/projects/{project_id}", company_id=company_id,
                              params={"company_id": company_id})

    def show_vendor(self, company_id: int, vendor_id: int) -> dict[str, Any]:
        """One Directory vendor of the company (NotFoundError when Procore no longer has it)."""
        return self.http.json("GET", f"/rest/v1.0/vendors/{vendor_id}", company_id=company_id,
                              params={"company_id": company_id})

    def list_project_vendors(self, company_id: int, project_id: int, *, per_page: int | None = None) -> Paginated:
        """List the vendors in one project's Directory."""
        return self.http.paginate(f"/rest/v1.0/projects/{project_id}/vendors", company_id=company_id,
                                  per_page=per_page)

    def list_vendor_users(self, company_id: int, vendor_id: int | None = None, *,
                          per_page: int | None = None) -> Paginated:
        """List the company users who belong to one vendor (all company users, with their vendor, if None)."""
        params = {"filters[vendor_id][]": vendor_id} if vendor_id is not None else None
        return self.http.paginate(f"/rest/v1.3/companies/{company_id}/users", company_id=company_id,
                                  params=params, per_page=per_page)

    # -- insurances --------------------------------------------------------------------------

    def list_vendor_insurances(self, company_id: int, vendor_id: int, *, per_page: int | None = None) -> Paginated:
        """List the insurance records on one vendor's Directory Insurance tab."""
        return self.http.paginate(f"/rest/v1.0/companies/{company_id}/vendors/{vendor_id}/insurances",
                                  company_id=company_id, per_page=per_page)

    def list_company_insurances(self, company_id: int, *, per_page: int | None = None) -> Paginated:
        """List every vendor insurance record in the company (each carries its vendor_id)."""
        return self.http.paginate(f"/rest/v1.0/companies/{company_id}/insurances", company_id=company_id,
                                  per_page=per_page)

    def sync_insurances(self, company_id: int, updates: Sequence[Mapping[str, Any]], *,
                        batch_size: int = SYNC_BATCH_LIMIT) -> SyncResult:
        """Upsert insurance records across vendors, matched on origin_id, in batches of <= 1000.

        Procore answers 200 even when items fail; those come back in `SyncResult.errors`.
        """
        check_updates(updates, INSURANCE_SYNC_REQUIRED)
        result = SyncResult()
        for batch in batches(updates, batch_size):
            result.add(self.http.json("PATCH", f"/rest/v1.0/companies/{company_id}/insurances/sync",
                                      company_id=company_id, json={"updates": batch}))
        return result

    # -- webhooks ----------------------------------------------------------------------------

    def create_hook(self, company_id: int, namespace: str, destination_url: str, *,
                    destination_headers: Mapping[str, str] | None = None, api_version: str = "v2") -> dict[str, Any]:
        """Create a company webhook; Procore signs nothing, so put a secret in destination_headers."""
        hook = {"api_version": api_version, "namespace": namespace, "destination_url": destination_url,
                "destination_headers": dict(destination_headers or {})}
        return self.http.json("POST", "/rest/v1.0/webhooks/hooks", company_id=company_id,
                              json={"company_id": company_id, "hook": hook})

    def list_hooks(self, company_id: int) -> Paginated:
        """List the company's webhooks."""
        return self.http.paginate("/rest/v1.0/webhooks/hooks", company_id=company_id,
                                  params={"company_id": company_id})

    def delete_hook(self, company_id: int, hook_id: int) -> None:
        """Delete a webhook and its triggers."""
        self.http.request("DELETE", f"/rest/v1.0/webhooks/hooks/{hook_id}", company_id=company_id,
                          params={"company_id": company_id})

    def create_trigger(self, company_id: int, hook_id: int, resource_name: str, event_type: str, *,
                       api_version: str = "v2") -> dict[str, Any]:
        """Add a trigger, e.g. ("Company Vendors", "update"), to a webhook."""
        body = {"company_id": company_id, "api_version": api_version,
                "trigger": {"resource_name": resource_name, "event_type": event_type}}
        return self.http.json("POST", f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers", company_id=company_id,
                              json=body)

    def list_triggers(self, company_id: int, hook_id: int) -> Paginated:
        """List a webhook's triggers."""
        return self.http.paginate(f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers", company_id=company_id,
                                  params={"company_id": company_id})

    def delete_trigger(self, company_id: int, hook_id: int, trigger_id: int) -> None:
        """Remove one trigger from a webhook."""
        self.http.request("DELETE", f"/rest/v1.0/webhooks/hooks/{hook_id}/triggers/{trigger_id}",
                          company_id=company_id, params={"company_id": company_id})


def time_range(start: datetime, end: datetime) -> str:
    """Format a Procore range filter value: `<start>...<end>` in ISO 8601 UTC."""
    first, last = _utc(start), _utc(end)
    if first > last:
        raise ValueError(f"range start {start.isoformat()} is after its end {end.isoformat()}")
    return f"{first}...{last}"


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"datetime {moment.isoformat()} has no timezone; pass an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # fixed width, so strings compare as times


def _filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {f"filters[{name}]": value for name, value in filters.items()}

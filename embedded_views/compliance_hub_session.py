"""Who is signed in to the Compliance Hub in this browser: a hub member, never a Procore user.

The claim in the session cookie names the member and their session generation; revoking a member
bumps it, so a signed-in browser loses access on its next request. Sessions last as long as
Gapline's own (SESSION_LIFETIME_HOURS, SESSION_IDLE_MINUTES).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import g, redirect, session, url_for

from embedded_views.auth import within_lifetime
from integration.models import ComplianceHubMember
from integration.tenancy import get_scoped

SESSION_KEY = "gapline_compliance_hub"


def start_session(member: ComplianceHubMember) -> None:
    """Sign ``member`` in to this browser (a fresh session: whatever it held before is dropped)."""
    session.clear()
    now = time.time()
    session[SESSION_KEY] = {"member": member.id, "company": member.company_id,
                            "generation": member.session_generation, "started": now, "seen": now}
    session.permanent = True


def end_session() -> None:
    """Sign this browser out of the hub."""
    session.pop(SESSION_KEY, None)


def signed_in_member() -> ComplianceHubMember | None:
    """The member signed in to this browser while their session and access last; None otherwise."""
    claim = session.get(SESSION_KEY)
    if not isinstance(claim, dict) or not _within_limits(claim):
        return None
    member = get_scoped(ComplianceHubMember, claim.get("member", 0), claim.get("company", 0))
    if member is None or not member.active or member.session_generation != claim.get("generation"):
        return None
    if time.time() - claim["seen"] >= 60:
        session[SESSION_KEY] = {**claim, "seen": time.time()}
    return member


def _within_limits(claim: dict[str, Any]) -> bool:
    started, seen = claim.get("started"), claim.get("seen")
    if not isinstance(started, float | int) or not isinstance(seen, float | int):
        return False
    return within_lifetime(started, seen, time.time())


def requires_member(view: Callable) -> Callable:
    """Guard a hub page: a signed-in member in ``g.member``, else the sign-in page."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any):
        member = signed_in_member()
        if member is None:
            return redirect(url_for("compliance_hub.sign_in"))
        g.member = member
        return view(*args, **kwargs)

    return guarded

"""What went wrong with Procore, in words for the person who was waiting; the details go to the log only."""

from __future__ import annotations

from procore_client import (
    AuthError,
    DeadlineExceeded,
    ForbiddenError,
    ProcoreConnectionError,
    ProcoreError,
    RateLimitedError,
    ServerError,
)

SLOW = "Procore is slow to answer right now, so Gapline stopped waiting. Nothing was changed; try again in a minute."
UNREACHABLE = "Gapline could not reach Procore just now. Nothing was changed; try again in a minute."


def is_slow(error: ProcoreError) -> bool:
    """True when Procore did not answer in time (or at all): the answer is to try again later."""
    return isinstance(error, ProcoreConnectionError)


def in_words(error: ProcoreError) -> str:
    """A sentence for the user about a Procore failure: never the URL, status line or exception text."""
    if isinstance(error, DeadlineExceeded):
        return SLOW
    if isinstance(error, ProcoreConnectionError):
        return UNREACHABLE
    if isinstance(error, RateLimitedError):
        return "Procore asked Gapline to slow down for a while. Try again in a few minutes."
    if isinstance(error, ServerError):
        return "Procore had a problem on its side and could not answer. Try again in a few minutes."
    if isinstance(error, AuthError):
        return "Procore did not accept the sign-in (it may have expired). Please sign in again."
    if isinstance(error, ForbiddenError):
        if "not connected" in error.message.lower():
            return ("Procore says Gapline is not connected to this company. A company admin can reconnect it "
                    "in Procore's App Management.")
        return "Procore refused access for this Procore account."
    return "Procore could not complete the request. Try again, and if it keeps failing, contact support."

"""Who may do what: each rule is defined here once, and the core, the views and the templates all ask it."""

from __future__ import annotations

from dataclasses import dataclass

from integration.models import AppUser

# Each role of ROLES as people read it: a message names a role through ``in_words``, never by its key.
ROLE_WORDS = {"admin": "admin", "compliance_manager": "compliance manager", "viewer": "viewer"}


def in_words(role: str) -> str:
    """A role key (``compliance_manager``) as words (``compliance manager``)."""
    return ROLE_WORDS.get(role, role.replace("_", " "))


def with_article(words: str) -> str:
    """``words`` after "a" or "an" ("a viewer", "an admin")."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def titled(role: str) -> str:
    """A role as a label starts ("Compliance manager")."""
    words = in_words(role)
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Permission:
    """A rule on a Gapline user's role: call it with a user (or None) for yes or no."""

    roles: tuple[str, ...]

    def __call__(self, user: AppUser | None) -> bool:
        return user is not None and user.role in self.roles

    def refusal(self, user: AppUser) -> str:
        """Why ``user`` is refused, naming the roles that would be allowed."""
        words = " or ".join(in_words(role) for role in self.roles)
        return f"This needs the {words} role; you are {with_article(in_words(user.role))}."


# Upload, review, override and mute outreach for the company.
can_manage = Permission(("admin", "compliance_manager"))
# Connect and disconnect the company, and everything can_manage allows.
is_admin = Permission(("admin",))

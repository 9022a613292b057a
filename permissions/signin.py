"""Sign-in rules, as pure functions: roles from an issuer's claims, which system a JWT is,
whether a mandate lets a person act for an organisation, and when to ask again.

Everything here denies by default: no rule, no role; an incomplete mandate answer, no
organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.enums import Role


@dataclass(frozen=True)
class ClaimRule:
    """`claim` equals `value` (or, for a list claim, contains it)."""

    claim: str
    value: str


def claim_matches(claims: Mapping[str, Any], rule: ClaimRule) -> bool:
    value = claims.get(rule.claim)
    if isinstance(value, str):
        return value == rule.value
    if isinstance(value, list):
        return any(isinstance(v, str) and v == rule.value for v in value)
    return False


@dataclass(frozen=True)
class RoleGrant:
    authority: str
    role: Role
    rule: str


def mapped_roles(
    rules: Iterable[tuple[ClaimRule, str, Role, str]], claims: Mapping[str, Any]
) -> frozenset[RoleGrant]:
    """The authority roles an issuer's claims give: one per matching rule (authority code,
    role, the rule as text). Staff roles only (customers' roles come from mandates)."""
    granted = set()
    for rule, authority, role, text in rules:
        if role is Role.CUSTOMER_REPRESENTATIVE:
            continue
        if claim_matches(claims, rule):
            granted.add(RoleGrant(authority, role, text))
    return frozenset(granted)


def system_authority(
    rules: Iterable[tuple[ClaimRule, str]], claims: Mapping[str, Any]
) -> str | None:
    """The authority code whose system a JWT access token is, when exactly one rule matches."""
    matches = {authority for rule, authority in rules if claim_matches(claims, rule)}
    return next(iter(matches)) if len(matches) == 1 else None


@dataclass(frozen=True)
class MandateOrganisation:
    """One organisation of a mandate answer."""

    business_id: str
    name: str
    roles: tuple[str, ...]
    complete: bool


def mandate_allows(organisation: MandateOrganisation, allowed_roles: Iterable[str]) -> bool:
    """A complete answer with at least one role that allows acting for the organisation."""
    return organisation.complete and bool(set(organisation.roles) & set(allowed_roles))


def mandate_is_stale(checked_at: datetime | None, now: datetime, max_age_minutes: int) -> bool:
    """The mandate must be asked again (no check yet, or older than the configured age)."""
    return checked_at is None or now - checked_at > timedelta(minutes=max_age_minutes)


def may_act_for(organisation_id: int | None, allowed: frozenset[int]) -> bool:
    """A person acts for an organisation only when the mandate allows it; personally always."""
    return organisation_id is None or organisation_id in allowed

"""Sign-in actions: people from an issuer's claims, browser sessions, pending logins and
mandates (for whom a signed-in person acts).

Every change is one transaction; identity events (a session ended, roles changed) are
published after the commit, so live connections re-check at once (app/live.py).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from actions.auth import blind_index
from actions.auth.config import AuthConfig, Provider, get_auth_config
from actions.auth.mandates import MandateError, SuomiFiClient
from actions.base import atomic
from actions.identity import _person_viewer, identity_changed
from models import (
    AuthRequest,
    AuthSession,
    Membership,
    MembershipGrant,
    Organisation,
    Person,
    PersonCodeIndex,
    PersonIdentity,
)
from models.business_id import normalize_business_id
from models.enums import LANGUAGES, OrganisationKind, Role
from models.errors import DomainError, ErrorCode
from models.settings import get_settings
from models.signin import NO_EMAIL_DOMAIN
from models.validation import NAME_MAX
from permissions.facts import Viewer
from permissions.signin import (
    ClaimRule,
    MandateOrganisation,
    mandate_allows,
    mandate_is_stale,
    mapped_roles,
    may_act_for,
)

log = logging.getLogger("luukku.signin")

SESSION_PREFIX = "lks_"
#: a login or a mandate selection must come back within this time
REQUEST_MINUTES = 10
#: the session's last_seen_at is written at most this often (idle lifetime, fewer writes)
TOUCH_SECONDS = 60


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


# --- people -----------------------------------------------------------------------------


def _name(claims: dict[str, Any]) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return (name or str(claims["sub"])).strip()[:NAME_MAX]


def _language(claims: dict[str, Any]) -> str:
    locale = claims.get("locale")
    language = locale[:2].lower() if isinstance(locale, str) else ""
    return language if language in LANGUAGES else get_settings().default_language


@dataclass(frozen=True)
class SignedIn:
    person_id: int
    name: str
    #: the personal identity code, kept only in memory for the mandate service's registration
    hetu: str | None


async def sign_in(provider: Provider, claims: dict[str, Any]) -> SignedIn:
    """The person of validated ID-token claims: found by (issuer, subject), else by the
    blind index of their personal identity code, else created. Names come from this login;
    e-mail is taken only when creating the person. Staff roles follow the provider's rules."""
    issuer, subject = provider.issuer, str(claims["sub"])
    hetu = (
        blind_index.normalize_hetu(claims.get(provider.hetu_claim)) if provider.hetu_claim else None
    )
    keys = get_settings().hetu_index_keys
    digests = blind_index.digests(keys, hetu) if hetu and keys else []
    if hetu and not keys:
        log.warning("issuer %s sends personal identity codes but HETU_INDEX_KEYS is unset", issuer)
    name = _name(claims)
    changed_roles = False
    async with atomic() as tx:
        identity = (
            await PersonIdentity.filter(issuer=issuer, subject=subject)
            .using_db(tx.conn)
            .select_for_update()
            .first()
        )
        person: Person | None = None
        if identity is not None:
            person = await Person.filter(id=identity.person_id).using_db(tx.conn).get()
        elif digests:
            index = (
                await PersonCodeIndex.filter(digest__in=[d for _, d in digests])
                .using_db(tx.conn)
                .first()
            )
            if index is not None:
                person = await Person.filter(id=index.person_id).using_db(tx.conn).get()
        if person is None:
            email = claims.get("email")
            usable = (
                isinstance(email, str)
                and "@" in email
                and claims.get("email_verified") is not False
                and not await Person.filter(email=email.lower()).using_db(tx.conn).exists()
            )
            person = await Person.create(
                name=name,
                email=email.lower()
                if usable and isinstance(email, str)
                else f"{uuid.uuid4().hex}@{NO_EMAIL_DOMAIN}",
                language=_language(claims),
                using_db=tx.conn,
            )
        elif person.name != name:
            person.name = name
            await person.save(using_db=tx.conn, update_fields=["name"])
        if not person.is_active:
            raise DomainError(ErrorCode.FORBIDDEN)
        if identity is None:
            await PersonIdentity.create(
                person_id=person.id,
                issuer=issuer,
                subject=subject,
                last_login_at=now(),
                using_db=tx.conn,
            )
        else:
            identity.last_login_at = now()
            await identity.save(using_db=tx.conn, update_fields=["last_login_at"])
        if digests:
            version, digest = digests[0]
            index = await PersonCodeIndex.filter(person_id=person.id).using_db(tx.conn).first()
            if index is None:
                await PersonCodeIndex.create(
                    person_id=person.id, key_version=version, digest=digest, using_db=tx.conn
                )
            elif index.digest != digest:  # an older key: re-key with the newest
                index.key_version, index.digest = version, digest
                await index.save(using_db=tx.conn, update_fields=["key_version", "digest"])
        changed_roles = await _sync_roles(tx.conn, provider, claims, person.id)
        if changed_roles:
            person_id = person.id
            tx.after_commit(lambda: identity_changed(person_id=person_id))
    return SignedIn(person.id, person.name, hetu)


async def _sync_roles(
    conn: Any, provider: Provider, claims: dict[str, Any], person_id: int
) -> bool:
    """Memberships from the provider's mapping rules: add what matches, remove what this
    issuer's rules gave before and no longer match. Memberships made otherwise stay."""
    rules = [
        (ClaimRule(r.claim, r.value), r.authority, r.role, r.describe())
        for r in provider.memberships
    ]
    wanted = mapped_roles(rules, claims)
    codes = {g.authority for g in wanted}
    authorities = (
        {
            o.code: o.id
            for o in await Organisation.filter(code__in=codes, kind=OrganisationKind.AUTHORITY)
            .using_db(conn)
            .only("id", "code")
        }
        if codes
        else {}
    )
    for grant in wanted:
        if grant.authority not in authorities:
            log.warning("mapping rule names unknown authority %s", grant.authority)
    desired = {
        (authorities[g.authority], g.role): g.rule for g in wanted if g.authority in authorities
    }
    changed = False
    existing = (
        await MembershipGrant.filter(issuer=provider.issuer, membership__person_id=person_id)
        .using_db(conn)
        .values("id", "membership_id", org="membership__organisation_id", role="membership__role")
    )
    have = set()
    for row in existing:
        key = (row["org"], Role(row["role"]))
        if key in desired:
            have.add(key)
        else:
            await Membership.filter(id=row["membership_id"]).using_db(conn).delete()
            changed = True
    for (org, role), text in desired.items():
        if (org, role) in have:
            continue
        membership, created = await Membership.get_or_create(
            person_id=person_id, organisation_id=org, role=role, using_db=conn
        )
        if created:
            await MembershipGrant.create(
                membership_id=membership.id, issuer=provider.issuer, rule=text[:300], using_db=conn
            )
            changed = True
    return changed


# --- pending logins -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    code_verifier: str


async def request_create(
    kind: str,
    provider: str,
    browser: str,
    return_to: str,
    *,
    session_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Pending:
    """A login (or mandate selection) under way, bound to the browser's login cookie."""
    pending = Pending(
        secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    )
    await AuthRequest.create(
        state_hash=sha256(pending.state),
        browser_hash=sha256(browser),
        kind=kind,
        provider=provider,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        return_to=return_to,
        session_id=session_id,
        extra=extra or {},
        expires_at=now() + timedelta(minutes=REQUEST_MINUTES),
    )
    return pending


async def request_consume(state: str, browser: str, kind: str) -> AuthRequest | None:
    """The pending request of `state`, used up now; None when unknown, expired, used already,
    for another kind, or started in another browser. One conditional UPDATE: a replayed
    state finds nothing, even when two callbacks race."""
    if not state or len(state) > 200 or not browser:
        return None
    moment = now()
    updated = await AuthRequest.filter(
        state_hash=sha256(state),
        browser_hash=sha256(browser),
        kind=kind,
        used_at=None,
        expires_at__gt=moment,
    ).update(used_at=moment)
    if not updated:
        return None
    return await AuthRequest.get(state_hash=sha256(state))


# --- sessions ----------------------------------------------------------------------------


async def session_open(
    signed_in: SignedIn, provider: Provider, claims: dict[str, Any], config: AuthConfig
) -> tuple[str, AuthSession]:
    """A new session for the person; returns the cookie value (shown once) and the row."""
    value = SESSION_PREFIX + secrets.token_urlsafe(32)
    moment = now()
    sid = claims.get("sid")
    session = await AuthSession.create(
        token_hash=sha256(value),
        person_id=signed_in.person_id,
        provider=provider.name,
        issuer=provider.issuer,
        subject=str(claims["sub"]),
        issuer_sid=sid[:255] if isinstance(sid, str) else None,
        last_seen_at=moment,
        expires_at=moment + timedelta(hours=config.absolute_hours),
    )
    return value, session


async def session_revoke(session_id: int) -> bool:
    """End a session everywhere: its cookie stops working and its live sockets close (4403)."""
    async with atomic() as tx:
        updated = (
            await AuthSession.filter(id=session_id, revoked_at=None)
            .using_db(tx.conn)
            .update(revoked_at=now(), acting_for_id=None, mandate=None)
        )
        if updated:
            tx.after_commit(lambda: identity_changed(session_id=session_id))
    return updated > 0


async def session_by_cookie(value: str) -> AuthSession | None:
    if not value.startswith(SESSION_PREFIX) or len(value) > 200:
        return None
    return await AuthSession.get_or_none(token_hash=sha256(value), revoked_at=None)


def _allowed_from_mandate(session: AuthSession) -> frozenset[int]:
    mandate = session.mandate or {}
    return frozenset(int(o) for o in mandate.get("allowed", []))


async def viewer_for_session(value: str, *, touch: bool = True) -> Viewer | None:
    """The viewer of a valid session cookie; None when unknown, revoked, idle or expired."""
    session = await session_by_cookie(value)
    if session is None:
        return None
    config = get_auth_config()
    moment = now()
    idle_until = session.last_seen_at + timedelta(minutes=config.idle_minutes)
    if session.expires_at <= moment or idle_until <= moment:
        return None
    person = await Person.get_or_none(id=session.person_id)
    if person is None or not person.is_active:
        return None
    base = await _person_viewer(person.id, person.name, person.language, person.is_operator, None)
    provider = config.provider(session.provider)
    service = provider.mandates if provider is not None else "none"
    if service == "memberships":
        allowed = base.represented
    elif service == "suomifi":
        allowed = _allowed_from_mandate(session)
    else:
        allowed = frozenset()
    acting = session.acting_for_id if may_act_for(session.acting_for_id, allowed) else None
    if acting is not None:
        checked = _checked_at(session)
        if mandate_is_stale(checked, moment, config.mandate_max_age_minutes):
            try:
                await _recheck(session, service, base, acting)
            except DomainError:
                acting = None
    if touch and (moment - session.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        await AuthSession.filter(id=session.id).update(last_seen_at=moment)
        idle_until = moment + timedelta(minutes=config.idle_minutes)
    basis: dict[str, Any] = {"via": "session", "provider": session.provider}
    if acting is not None:
        basis["mandate"] = _basis(session, service)
    return replace(
        base,
        represented=frozenset({acting}) if acting is not None else frozenset(),
        session_id=session.id,
        may_act_for=allowed,
        acting_for=acting,
        basis=basis,
        expires_at=min(session.expires_at, idle_until),
    )


def _checked_at(session: AuthSession) -> datetime | None:
    raw = (session.mandate or {}).get("checked_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def _basis(session: AuthSession, service: str) -> dict[str, Any]:
    mandate = session.mandate or {}
    return {
        "service": service,
        "roles": mandate.get("roles", {}).get(str(session.acting_for_id), []),
        "checkedAt": mandate.get("checked_at"),
    }


async def _recheck(session: AuthSession, service: str, base: Viewer, organisation_id: int) -> None:
    """Ask the mandate service again for the chosen organisation; on a refusal the choice
    is cleared (the person acts personally until choosing again)."""
    mandate = dict(session.mandate or {})
    roles: list[str] = []
    try:
        if service == "memberships":
            if not may_act_for(organisation_id, base.represented):
                raise MandateError("MANDATE_DENIED", "no longer a representative")
            roles = [Role.CUSTOMER_REPRESENTATIVE.value]
        elif service == "suomifi":
            config = get_auth_config().suomifi
            organisation = await Organisation.get_or_none(id=organisation_id)
            state = mandate.get("service_session") or {}
            if config is None or organisation is None or not state.get("accessToken"):
                raise MandateError("MANDATE_EXPIRED", "no e-Authorizations session")
            answer = await SuomiFiClient(config).organisation_roles(
                state["sessionId"], state["accessToken"], organisation.business_id
            )
            match = next((o for o in answer if o.business_id == organisation.business_id), None)
            if match is None or not mandate_allows(match, config.allowed_roles):
                raise MandateError("MANDATE_DENIED", "the organisation is not in the answer")
            roles = list(match.roles)
        else:
            raise MandateError("MANDATE_DENIED", "this sign-in has no mandates")
    except MandateError as exc:
        log.info("mandate re-check for session %s: %s", session.id, exc.code)
        if exc.code == "MANDATE_UNAVAILABLE":
            raise DomainError(ErrorCode.MANDATE_UNAVAILABLE) from exc
        await _clear_choice(session)
        raise DomainError(
            ErrorCode.MANDATE_EXPIRED if exc.code == "MANDATE_EXPIRED" else ErrorCode.NO_MANDATE
        ) from exc
    mandate["checked_at"] = now().isoformat()
    mandate.setdefault("roles", {})[str(organisation_id)] = roles
    session.mandate = mandate
    await AuthSession.filter(id=session.id).update(mandate=mandate)


async def _clear_choice(session: AuthSession) -> None:
    async with atomic() as tx:
        await AuthSession.filter(id=session.id).using_db(tx.conn).update(acting_for_id=None)
        session_id = session.id
        tx.after_commit(lambda: identity_changed(session_id=session_id))
    session.acting_for_id = None


async def acting_for_select(viewer: Viewer, organisation_id: int | None) -> None:
    """Choose the organisation the session acts for (None: personally). Only an organisation
    the person's mandate allows; the mandate is asked again now."""
    if viewer.session_id is None:
        raise DomainError(ErrorCode.NOT_A_SESSION, field=["organisationId"])
    if not may_act_for(organisation_id, viewer.may_act_for):
        raise DomainError(ErrorCode.NO_MANDATE, field=["organisationId"])
    session = await AuthSession.get(id=viewer.session_id)
    if organisation_id is not None:
        provider = get_auth_config().provider(session.provider)
        service = provider.mandates if provider is not None else "none"
        session.acting_for_id = organisation_id
        base = await _person_viewer(
            viewer.person_id or 0, viewer.name, viewer.language, False, None
        )
        await _recheck(session, service, base, organisation_id)
    async with atomic() as tx:
        await (
            AuthSession.filter(id=session.id, revoked_at=None)
            .using_db(tx.conn)
            .update(acting_for_id=organisation_id)
        )
        session_id = session.id
        tx.after_commit(lambda: identity_changed(session_id=session_id))


async def mandate_ensure(viewer: Viewer) -> None:
    """Before an act for an organisation (submission): ask the mandate service again."""
    if viewer.session_id is None or viewer.acting_for is None:
        return
    session = await AuthSession.get_or_none(id=viewer.session_id, revoked_at=None)
    if session is None or session.acting_for_id != viewer.acting_for:
        raise DomainError(ErrorCode.MANDATE_EXPIRED)
    provider = get_auth_config().provider(session.provider)
    service = provider.mandates if provider is not None else "none"
    base = await _person_viewer(viewer.person_id or 0, viewer.name, viewer.language, False, None)
    await _recheck(session, service, base, viewer.acting_for)


async def mandate_register(session: AuthSession, hetu: str) -> None:
    """Suomi.fi: start the e-Authorizations Web API session at login (needs the code)."""
    config = get_auth_config().suomifi
    if config is None:
        return
    state = await SuomiFiClient(config).register(hetu)
    await AuthSession.filter(id=session.id).update(mandate={"service_session": state})


async def mandate_selected(
    session_id: int, organisations: list[MandateOrganisation], access_token: str
) -> list[int]:
    """Suomi.fi: the organisations chosen on the selection page. Those with a complete
    answer and an allowed role become `may_act_for` (created in Luukku when new); when only
    one does, it is chosen for the session at once. Returns the allowed ids."""
    config = get_auth_config().suomifi
    assert config is not None
    session = await AuthSession.get(id=session_id)
    mandate = dict(session.mandate or {})
    allowed: list[int] = []
    roles: dict[str, list[str]] = {}
    async with atomic() as tx:
        for item in organisations:
            business_id = normalize_business_id(item.business_id)
            if business_id is None or not mandate_allows(item, config.allowed_roles):
                continue
            org = await Organisation.filter(business_id=business_id).using_db(tx.conn).first()
            if org is None:
                org = await Organisation.create(
                    kind=OrganisationKind.COMPANY,
                    name={"fi": item.name, "sv": item.name, "en": item.name},
                    business_id=business_id,
                    using_db=tx.conn,
                )
            if org.kind is OrganisationKind.AUTHORITY:
                continue
            allowed.append(org.id)
            roles[str(org.id)] = list(item.roles)
        service_session = dict(mandate.get("service_session") or {})
        service_session["accessToken"] = access_token
        mandate = {
            "service_session": service_session,
            "allowed": allowed,
            "roles": roles,
            "checked_at": now().isoformat(),
        }
        await (
            AuthSession.filter(id=session_id)
            .using_db(tx.conn)
            .update(mandate=mandate, acting_for_id=allowed[0] if len(allowed) == 1 else None)
        )
        tx.after_commit(lambda: identity_changed(session_id=session_id))
    return allowed


# --- JWT access tokens of systems ----------------------------------------------------------


async def viewer_for_jwt(token: str) -> Viewer | None:
    """The authority system of a JWT access token from a configured issuer: exact `iss`,
    `aud` holding the issuer's configured audience (Luukku's API id), an allowed algorithm,
    `exp`/`nbf`, and exactly one of the issuer's system rules matching. None otherwise."""
    from actions.auth import oidc
    from permissions.signin import system_authority

    config = get_auth_config()
    issuer_name = oidc.unverified_issuer(token)
    issuer = config.api_issuer(issuer_name) if issuer_name else None
    if issuer is None:
        return None
    try:
        jwks_uri = issuer.jwks_uri or (await oidc.discovery.get(issuer.issuer)).jwks_uri
        claims = await oidc.verify_jwt(
            token,
            issuer=issuer.issuer,
            audience=issuer.audience,
            algorithms=issuer.algorithms,
            jwks_uri=jwks_uri,
            leeway=issuer.leeway_seconds,
        )
    except oidc.TokenError as exc:
        log.info("JWT from %s refused: %s", issuer.issuer, exc.code)
        return None
    rules = [(ClaimRule(r.claim, r.value), r.authority) for r in issuer.systems]
    code = system_authority(rules, claims)
    if code is None:
        log.info("JWT from %s matches no system rule", issuer.issuer)
        return None
    authority = await Organisation.get_or_none(code=code, kind=OrganisationKind.AUTHORITY)
    if authority is None:
        return None
    label = next((r.label for r in issuer.systems if r.authority == code and r.label), "")
    return Viewer(
        system_authority_id=authority.id,
        name=label or f"{authority.name.get('fi', code)} (JWT)",
        expires_at=datetime.fromtimestamp(float(claims["exp"]), UTC),
        basis={"via": "jwt", "issuer": issuer.issuer, "subject": str(claims["sub"])[:200]},
    )


async def session_mandates(session_id: int) -> tuple[str, dict[str, list[str]], str | None]:
    """For `viewer`: the session's mandate service, roles per organisation id, and the
    selection page's address (Suomi.fi only)."""
    session = await AuthSession.get_or_none(id=session_id)
    if session is None:
        return "memberships", {}, None
    provider = get_auth_config().provider(session.provider)
    service = provider.mandates if provider is not None else "none"
    mandate = session.mandate or {}
    if service == "suomifi":
        return service, dict(mandate.get("roles", {})), "/auth/mandate?returnTo=/graphql"
    return "memberships", {}, None


async def session_viewer_by_id(viewer: Viewer) -> Viewer | None:
    """The viewer of the same session after a change (the cookie value is not kept)."""
    if viewer.session_id is None:
        return None
    session = await AuthSession.get_or_none(id=viewer.session_id, revoked_at=None)
    if session is None:
        return None
    return replace(
        viewer,
        acting_for=session.acting_for_id,
        represented=frozenset({session.acting_for_id})
        if session.acting_for_id is not None
        else frozenset(),
    )

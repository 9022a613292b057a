"""Strawberry adapters for the policies: permission classes for fields and operations.

Broad checks (signed in, authority user) raise top-level errors with a code. Field-level
checks on restricted data use `restricted()`, which returns null instead of an error,
so that a client can render what it may see (and `viewerCanReadContent` tells it why).
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission, PermissionExtension

from permissions import policies
from permissions.facts import ThreadFacts


class IsAuthenticated(BasePermission):
    message = "Sign in with a bearer token to do this."
    error_extensions: ClassVar[dict[str, str]] = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(info.context.viewer.is_authenticated)


class IsPerson(BasePermission):
    """Customer actions need a person, not an authority system's token."""

    message = "Only a signed-in person can do this."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context.viewer.person_id is not None


class IsAuthorityUser(BasePermission):
    message = "Only authority handlers and authority systems can do this."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return policies.can_use_inbox(info.context.viewer)


class CanReadApplicationContent(BasePermission):
    """Application content: the customer always; authorities once submitted or shared."""

    message = "Application content is not visible to you."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        project = await info.context.loaders.project_facts(source.project_id)
        return project is not None and policies.can_read_application_content(
            info.context.viewer, source.facts, project
        )


def authenticated() -> list[PermissionExtension]:
    return [PermissionExtension(permissions=[IsAuthenticated()])]


def person_only() -> list[PermissionExtension]:
    return [PermissionExtension(permissions=[IsAuthenticated(), IsPerson()])]


def authority_only() -> list[PermissionExtension]:
    return [PermissionExtension(permissions=[IsAuthenticated(), IsAuthorityUser()])]


def restricted(permission: BasePermission) -> list[PermissionExtension]:
    """A nullable field that resolves to null when the permission denies."""
    return [PermissionExtension(permissions=[permission], fail_silently=True)]


class CanSeeDecision(BasePermission):
    """A decision: the customer and the deciding authority; co-authorities when shared."""

    message = "The decision is not visible to you."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        decision = await source.decision_facts(info)
        if decision is None:
            return True  # nothing to hide: the field resolves to null anyway
        project = await info.context.loaders.project_facts(source.project_id)
        return project is not None and policies.can_see_decision(
            info.context.viewer, decision, source.facts, project
        )


class CanReadApplicationThread(BasePermission):
    """An application's discussion: the customer; involved authorities once it is visible."""

    message = "The discussion is not visible to you."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        project = await info.context.loaders.project_facts(source.project_id)
        facts = ThreadFacts(id=0, project_id=source.project_id, application=source.facts)
        return project is not None and policies.can_read_thread(info.context.viewer, facts, project)


class IsAddressedAuthority(BasePermission):
    """Authority-internal data of an application: only its addressed authority's users."""

    message = "Only the addressed authority sees this."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return policies.is_addressed_authority(info.context.viewer, source.facts)


class CanSeeProjectPlan(BasePermission):
    """A project's permit plan: its customer and involved authorities."""

    message = "The permit plan is not visible to you."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        project = await info.context.loaders.project_facts(source.id)
        return project is not None and policies.can_see_plan(info.context.viewer, project)


class CanReadProjectThread(BasePermission):
    """A project's discussion: its customer and involved authorities."""

    message = "The discussion is not visible to you."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        project = await info.context.loaders.project_facts(source.id)
        return project is not None and policies.can_read_project_thread(
            info.context.viewer, project
        )


class IsMemberOfAuthority(BasePermission):
    """An authority's staff list: visible to its own handlers and admins."""

    message = "Only the authority's own staff sees this."
    error_extensions: ClassVar[dict[str, str]] = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return policies.can_see_staff_list(info.context.viewer, source.id)

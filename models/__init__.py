"""Tortoise models and the pure domain rules they follow.

This package never imports strawberry. Tortoise discovers the models from this module.
"""

from models.attachments import Attachment, StoredSecret
from models.authority_work import (
    AuditEntry,
    Decision,
    Message,
    SupplementRequest,
    Thread,
)
from models.catalogue import (
    CatalogueDocument,
    Municipality,
    PermitKind,
    PermitType,
    ServiceBundle,
)
from models.identity import ApiToken, Membership, Organisation, Person
from models.outbox import KeptMail, OutboxItem
from models.projects import Application, InboxCount, Project, StatusChange
from models.signin import AuthRequest, AuthSession, MembershipGrant, PersonCodeIndex, PersonIdentity
from models.throttle import ThrottleCount

__all__ = [
    "ApiToken",
    "Application",
    "Attachment",
    "AuditEntry",
    "AuthRequest",
    "AuthSession",
    "CatalogueDocument",
    "Decision",
    "InboxCount",
    "KeptMail",
    "Membership",
    "MembershipGrant",
    "Message",
    "Municipality",
    "Organisation",
    "OutboxItem",
    "PermitKind",
    "PermitType",
    "Person",
    "PersonCodeIndex",
    "PersonIdentity",
    "Project",
    "ServiceBundle",
    "StatusChange",
    "StoredSecret",
    "SupplementRequest",
    "Thread",
    "ThrottleCount",
]

"""Tortoise models and the pure domain rules they follow.

This package never imports strawberry. Tortoise discovers the models from this module.
"""

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
from models.projects import Application, Project, StatusChange

__all__ = [
    "ApiToken",
    "Application",
    "AuditEntry",
    "CatalogueDocument",
    "Decision",
    "Membership",
    "Message",
    "Municipality",
    "Organisation",
    "PermitKind",
    "PermitType",
    "Person",
    "Project",
    "ServiceBundle",
    "StatusChange",
    "SupplementRequest",
    "Thread",
]

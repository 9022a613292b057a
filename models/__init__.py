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
from models.outbox import KeptMail, OutboxItem
from models.processing import ProcessingCase, ProcessingHistogram
from models.projects import Application, InboxCount, Project, StatusChange
from models.statements import StatementRequest

__all__ = [
    "ApiToken",
    "Application",
    "AuditEntry",
    "CatalogueDocument",
    "Decision",
    "InboxCount",
    "KeptMail",
    "Membership",
    "Message",
    "Municipality",
    "Organisation",
    "OutboxItem",
    "PermitKind",
    "PermitType",
    "Person",
    "ProcessingCase",
    "ProcessingHistogram",
    "Project",
    "ServiceBundle",
    "StatementRequest",
    "StatusChange",
    "SupplementRequest",
    "Thread",
]

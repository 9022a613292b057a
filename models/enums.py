"""Small enumerations shared by the models, policies and the GraphQL schema."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def member(enum_type: type[E], value: Any) -> E:
    """`enum_type(value)` for a value read from a row (the member itself or its value), by the
    enum's own map of values to members: the reads convert rows by the thousand per request,
    and the enum's call costs four times the lookup. Anything else raises as the call does."""
    try:
        return enum_type._value2member_map_[value]  # type: ignore[return-value]
    except (KeyError, TypeError):
        return enum_type(value)


class OrganisationKind(StrEnum):
    COMPANY = "COMPANY"
    ASSOCIATION = "ASSOCIATION"
    AUTHORITY = "AUTHORITY"


class AuthorityScope(StrEnum):
    LOCAL = "LOCAL"
    NATIONAL = "NATIONAL"


class Role(StrEnum):
    CUSTOMER_REPRESENTATIVE = "CUSTOMER_REPRESENTATIVE"
    AUTHORITY_HANDLER = "AUTHORITY_HANDLER"
    AUTHORITY_ADMIN = "AUTHORITY_ADMIN"


class TokenKind(StrEnum):
    PERSONAL = "PERSONAL"
    AUTHORITY_SYSTEM = "AUTHORITY_SYSTEM"


class Channel(StrEnum):
    API = "API"
    LIGHT = "LIGHT"


class Certainty(StrEnum):
    CERTAIN = "CERTAIN"
    POSSIBLE = "POSSIBLE"


class ApplicationOrigin(StrEnum):
    SURVEY = "SURVEY"
    MANUAL = "MANUAL"


class QuestionType(StrEnum):
    BOOLEAN = "BOOLEAN"
    NUMBER = "NUMBER"
    CHOICE = "CHOICE"


class Language(StrEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"


LANGUAGES = ("fi", "sv", "en")

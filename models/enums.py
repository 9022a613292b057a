"""Small enumerations shared by the models, policies and the GraphQL schema."""

from __future__ import annotations

from enum import StrEnum


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

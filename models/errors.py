"""Domain errors and their texts in fi, sv and en.

Domain code raises `DomainError` (or `DomainErrors` for several at once). One helper in
resolvers/ turns them into GraphQL `UserError` entries in the request's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_VALUE = "INVALID_VALUE"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    STALE_VERSION = "STALE_VERSION"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    INVALID_BUSINESS_ID = "INVALID_BUSINESS_ID"
    INVALID_MUNICIPALITY = "INVALID_MUNICIPALITY"
    NOT_OFFERED_IN_MUNICIPALITY = "NOT_OFFERED_IN_MUNICIPALITY"
    SCHEMA_VIOLATION = "SCHEMA_VIOLATION"
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"
    WRONG_ANSWER_TYPE = "WRONG_ANSWER_TYPE"
    MISSING_ANSWER = "MISSING_ANSWER"
    DUPLICATE = "DUPLICATE"
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    ALREADY_FINAL = "ALREADY_FINAL"
    NOT_A_HANDLER = "NOT_A_HANDLER"
    NOT_SUBMITTED = "NOT_SUBMITTED"
    WRONG_AUTHORITY = "WRONG_AUTHORITY"
    STATEMENT_CLOSED = "STATEMENT_CLOSED"
    FILE_EMPTY = "FILE_EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    FILE_TYPE_MISMATCH = "FILE_TYPE_MISMATCH"
    INVALID_FILE_NAME = "INVALID_FILE_NAME"
    ATTACHMENT_LIMIT = "ATTACHMENT_LIMIT"
    ATTACHMENT_REQUIRED = "ATTACHMENT_REQUIRED"
    NO_MANDATE = "NO_MANDATE"
    MANDATE_EXPIRED = "MANDATE_EXPIRED"
    MANDATE_UNAVAILABLE = "MANDATE_UNAVAILABLE"
    NOT_A_SESSION = "NOT_A_SESSION"


MESSAGES: dict[ErrorCode, dict[str, str]] = {
    ErrorCode.NOT_FOUND: {
        "fi": "Kohdetta ei löydy.",
        "sv": "Objektet hittades inte.",
        "en": "The object was not found.",
    },
    ErrorCode.FORBIDDEN: {
        "fi": "Sinulla ei ole oikeutta tähän toimintoon.",
        "sv": "Du har inte rätt till den här åtgärden.",
        "en": "You are not allowed to do this.",
    },
    ErrorCode.INVALID_VALUE: {
        "fi": "Virheellinen arvo: {detail}",
        "sv": "Ogiltigt värde: {detail}",
        "en": "Invalid value: {detail}",
    },
    ErrorCode.REQUIRED: {
        "fi": "Pakollinen tieto puuttuu.",
        "sv": "En obligatorisk uppgift saknas.",
        "en": "A required value is missing.",
    },
    ErrorCode.TOO_LONG: {
        "fi": "Teksti on liian pitkä (enintään {max} merkkiä).",
        "sv": "Texten är för lång (högst {max} tecken).",
        "en": "The text is too long (at most {max} characters).",
    },
    ErrorCode.STALE_VERSION: {
        "fi": "Tietoa on muutettu sillä välin (versio {actual}, odotettiin {expected}). "
        "Lataa tiedot uudelleen.",
        "sv": "Uppgifterna har ändrats under tiden (version {actual}, väntade {expected}). "
        "Ladda om uppgifterna.",
        "en": "The object was changed in the meantime (version {actual}, expected {expected}). "
        "Reload it and try again.",
    },
    ErrorCode.INVALID_STATUS_TRANSITION: {
        "fi": "Tilasiirto {source} → {target} ei ole sallittu.",
        "sv": "Statusövergången {source} → {target} är inte tillåten.",
        "en": "The status change {source} → {target} is not allowed.",
    },
    ErrorCode.INVALID_BUSINESS_ID: {
        "fi": "Y-tunnus {value} ei ole kelvollinen.",
        "sv": "FO-numret {value} är inte giltigt.",
        "en": "Business ID {value} is not valid.",
    },
    ErrorCode.INVALID_MUNICIPALITY: {
        "fi": "Tuntematon kuntakoodi {value}.",
        "sv": "Okänd kommunkod {value}.",
        "en": "Unknown municipality code {value}.",
    },
    ErrorCode.NOT_OFFERED_IN_MUNICIPALITY: {
        "fi": "Lupaa ei voi hakea Luukun kautta kunnassa {municipality}.",
        "sv": "Tillståndet kan inte sökas via Luukku i kommunen {municipality}.",
        "en": "This permit cannot be applied for through Luukku in municipality {municipality}.",
    },
    ErrorCode.SCHEMA_VIOLATION: {
        "fi": "Lomakkeen tieto ei kelpaa: {detail}",
        "sv": "Uppgiften på blanketten är ogiltig: {detail}",
        "en": "Form value is not valid: {detail}",
    },
    ErrorCode.UNKNOWN_QUESTION: {
        "fi": "Tuntematon kysymys {question}.",
        "sv": "Okänd fråga {question}.",
        "en": "Unknown question {question}.",
    },
    ErrorCode.WRONG_ANSWER_TYPE: {
        "fi": "Kysymykseen {question} odotetaan vastausta tyyppiä {expected}.",
        "sv": "Frågan {question} väntar ett svar av typen {expected}.",
        "en": "Question {question} expects an answer of type {expected}.",
    },
    ErrorCode.MISSING_ANSWER: {
        "fi": "Kysymykseen {question} on vastattava.",
        "sv": "Frågan {question} måste besvaras.",
        "en": "Question {question} must be answered.",
    },
    ErrorCode.DUPLICATE: {
        "fi": "Sama tieto on jo olemassa: {detail}",
        "sv": "Samma uppgift finns redan: {detail}",
        "en": "This already exists: {detail}",
    },
    ErrorCode.ALREADY_ASSIGNED: {
        "fi": "Hakemus on jo käsittelijällä {handler}.",
        "sv": "Ansökan handläggs redan av {handler}.",
        "en": "The application is already taken by {handler}.",
    },
    ErrorCode.ALREADY_FINAL: {
        "fi": "Hakemus on jo käsitelty ({status}); tilaa ei voi enää muuttaa.",
        "sv": "Ansökan är redan behandlad ({status}); statusen kan inte längre ändras.",
        "en": "The application is already processed ({status}); its status can no longer change.",
    },
    ErrorCode.NOT_A_HANDLER: {
        "fi": "Henkilö ei ole tämän viranomaisen käsittelijä.",
        "sv": "Personen är inte handläggare hos denna myndighet.",
        "en": "The person is not a handler of this authority.",
    },
    ErrorCode.NOT_SUBMITTED: {
        "fi": "Hakemusta ei ole vielä lähetetty.",
        "sv": "Ansökan har inte skickats ännu.",
        "en": "The application has not been submitted yet.",
    },
    ErrorCode.WRONG_AUTHORITY: {
        "fi": "Hakemus on osoitettu toiselle viranomaiselle.",
        "sv": "Ansökan är riktad till en annan myndighet.",
        "en": "The application is addressed to another authority.",
    },
    ErrorCode.STATEMENT_CLOSED: {
        "fi": "Lausuntopyyntöön on jo vastattu, siitä on kieltäydytty tai se on peruttu.",
        "sv": "Begäran om utlåtande är redan besvarad, avböjd eller återkallad.",
        "en": "The statement request has already been answered, declined or cancelled.",
    },
    ErrorCode.FILE_EMPTY: {
        "fi": "Tiedosto {name} on tyhjä.",
        "sv": "Filen {name} är tom.",
        "en": "The file {name} is empty.",
    },
    ErrorCode.FILE_TOO_LARGE: {
        "fi": "Tiedosto {name} on liian suuri (enintään {max} tavua).",
        "sv": "Filen {name} är för stor (högst {max} byte).",
        "en": "The file {name} is too large (at most {max} bytes).",
    },
    ErrorCode.FILE_TYPE_NOT_ALLOWED: {
        "fi": "Tiedoston {name} tyyppi {type} ei ole sallittu. Sallitut: {allowed}.",
        "sv": "Filtypen {type} för {name} är inte tillåten. Tillåtna: {allowed}.",
        "en": "The type {type} of {name} is not allowed. Allowed: {allowed}.",
    },
    ErrorCode.FILE_TYPE_MISMATCH: {
        "fi": "Tiedoston {name} sisältö ({type}) ei vastaa sen nimeä tai ilmoitettua tyyppiä ({claimed}).",
        "sv": "Innehållet i {name} ({type}) motsvarar inte dess namn eller angivna typ ({claimed}).",
        "en": "The content of {name} ({type}) does not match its name or declared type ({claimed}).",
    },
    ErrorCode.INVALID_FILE_NAME: {
        "fi": "Tiedostonimi ei kelpaa: {detail}.",
        "sv": "Filnamnet är ogiltigt: {detail}.",
        "en": "The file name is not valid: {detail}.",
    },
    ErrorCode.ATTACHMENT_LIMIT: {
        "fi": "Liitteiden raja ylittyy: {detail}.",
        "sv": "Gränsen för bilagor överskrids: {detail}.",
        "en": "The attachment limit is exceeded: {detail}.",
    },
    ErrorCode.ATTACHMENT_REQUIRED: {
        "fi": "Pakollinen liite puuttuu: {name}.",
        "sv": "En obligatorisk bilaga saknas: {name}.",
        "en": "A required attachment is missing: {name}.",
    },
    ErrorCode.NO_MANDATE: {
        "fi": "Sinulla ei ole valtuutta asioida tämän organisaation puolesta.",
        "sv": "Du har inte fullmakt att uträtta ärenden för den här organisationen.",
        "en": "You have no mandate to act for this organisation.",
    },
    ErrorCode.MANDATE_EXPIRED: {
        "fi": "Valtuutuksen tarkistus on vanhentunut. Valitse organisaatio uudelleen.",
        "sv": "Kontrollen av fullmakten har gått ut. Välj organisationen på nytt.",
        "en": "The mandate check has expired. Choose the organisation again.",
    },
    ErrorCode.MANDATE_UNAVAILABLE: {
        "fi": "Valtuutusta ei voitu tarkistaa juuri nyt. Yritä hetken kuluttua uudelleen.",
        "sv": "Fullmakten kunde inte kontrolleras just nu. Försök igen om en stund.",
        "en": "The mandate could not be checked right now. Try again in a moment.",
    },
    ErrorCode.NOT_A_SESSION: {
        "fi": "Organisaation voi valita vain selaimella kirjautuneena.",
        "sv": "Organisationen kan bara väljas när du är inloggad i webbläsaren.",
        "en": "An organisation can be chosen only when signed in with the browser.",
    },
}


class DomainError(Exception):
    """A business rule failed. Carries a code, an optional field path and message params."""

    def __init__(
        self, code: ErrorCode, *, field: Sequence[str | int] | None = None, **params: Any
    ) -> None:
        self.code = code
        self.field = [str(part) for part in field] if field is not None else None
        self.params = params
        super().__init__(self.render("en"))

    def render(self, language: str) -> str:
        texts = MESSAGES[self.code]
        template = texts.get(language) or texts["en"]
        params = {
            name: (value.get(language) or value.get("en", "")) if isinstance(value, dict) else value
            for name, value in self.params.items()
        }
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template


class DomainErrors(Exception):
    """Several rule failures at once (e.g. every schema error of a form)."""

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def raise_all(errors: list[DomainError]) -> None:
    """Raise the collected errors, if any."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)

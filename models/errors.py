"""Domain errors and their texts in fi, sv and en.

Domain code raises `DomainError` (or `DomainErrors` for several at once). One helper in
resolvers/ turns them into GraphQL `UserError` entries in the request's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from models.enums import LANGUAGES


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


#: Shortest user input an error message repeats whole; longer values are cut (`excerpt`).
EXCERPT_LENGTH = 40


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """User input as an error message may quote it: at most `limit` characters."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: What each code means, for client developers (the SDL's descriptions of UserErrorCode).
DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.NOT_FOUND: "The object does not exist or is not visible to the viewer "
    "(the two are indistinguishable); the field names the id.",
    ErrorCode.FORBIDDEN: "The viewer may see the object but not make this change.",
    ErrorCode.INVALID_VALUE: "The value is not acceptable; the message says what is expected.",
    ErrorCode.REQUIRED: "A required value is missing; the field names it.",
    ErrorCode.TOO_LONG: "A text or document is longer than allowed; the message names the limit.",
    ErrorCode.STALE_VERSION: "`expectedVersion` is not the object's current version: someone "
    "else changed it. Reload it, reapply the change and try again.",
    ErrorCode.INVALID_STATUS_TRANSITION: "The application's status does not allow this change; "
    "the message names the current status and the one asked for.",
    ErrorCode.INVALID_BUSINESS_ID: "Not a valid Finnish Business ID (Y-tunnus, 1234567-8, "
    "with its check digit).",
    ErrorCode.INVALID_MUNICIPALITY: "Not a known municipality code (three digits, e.g. 091).",
    ErrorCode.NOT_OFFERED_IN_MUNICIPALITY: "The permit cannot be applied for through Luukku in "
    "the project's municipality.",
    ErrorCode.SCHEMA_VIOLATION: "A form or shared-data value breaks the permit's JSON Schema; "
    "the field is the value's path, the message says what is expected.",
    ErrorCode.UNKNOWN_QUESTION: "The answer is to a question the service bundle's survey does "
    "not have.",
    ErrorCode.WRONG_ANSWER_TYPE: "The answer is of the wrong type for its question (boolean, "
    "number or choice).",
    ErrorCode.MISSING_ANSWER: "A required survey question has no answer; the message quotes "
    "the question.",
    ErrorCode.DUPLICATE: "The same thing already exists (an open application of the permit, an "
    "e-mail address, a Business ID, an answer given twice).",
    ErrorCode.ALREADY_ASSIGNED: "Another handler has already taken the application; the "
    "message names them.",
    ErrorCode.ALREADY_FINAL: "The application already has a final status, which cannot change.",
    ErrorCode.NOT_A_HANDLER: "The person is not a handler of the application's authority.",
    ErrorCode.NOT_SUBMITTED: "The application has not been submitted yet.",
    ErrorCode.WRONG_AUTHORITY: "The application is addressed to another authority.",
    ErrorCode.FILE_EMPTY: "An uploaded file is empty; the message names it.",
    ErrorCode.STATEMENT_CLOSED: "The statement request has already been answered, declined or "
    "cancelled.",
    ErrorCode.FILE_TOO_LARGE: "An uploaded file is larger than allowed; the message names the "
    "file and the limit.",
    ErrorCode.FILE_TYPE_NOT_ALLOWED: "The file's type is not one of those allowed for this "
    "attachment; the message lists them.",
    ErrorCode.FILE_TYPE_MISMATCH: "The file's content is not what its name or declared type says.",
    ErrorCode.INVALID_FILE_NAME: "The file name cannot be used; the message says why.",
    ErrorCode.ATTACHMENT_LIMIT: "Too many attachments, or too much in all; the message names "
    "the limit.",
    ErrorCode.ATTACHMENT_REQUIRED: "The permit needs an attachment that is missing; the "
    "message names it.",
    ErrorCode.NO_MANDATE: "The signed-in person has no mandate to act for the organisation.",
    ErrorCode.MANDATE_EXPIRED: "The mandate check of the session is too old: choose the "
    "organisation again (actingForSelect).",
    ErrorCode.MANDATE_UNAVAILABLE: "The mandate service could not be asked right now; try "
    "again in a moment.",
    ErrorCode.NOT_A_SESSION: "Only a browser session (not a token) chooses an organisation "
    "to act for.",
}

#: The user's message of each code; `{param}`s are filled when the error is rendered.
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
        "fi": "Virheellinen arvo: {detail}.",
        "sv": "Ogiltigt värde: {detail}.",
        "en": "Invalid value: {detail}.",
    },
    ErrorCode.REQUIRED: {
        "fi": "Pakollinen tieto puuttuu.",
        "sv": "En obligatorisk uppgift saknas.",
        "en": "A required value is missing.",
    },
    ErrorCode.TOO_LONG: {
        "fi": "Tieto on liian pitkä (enintään {max}).",
        "sv": "Uppgiften är för lång (högst {max}).",
        "en": "The value is too long (at most {max}).",
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
        "fi": "Lomakkeen tieto ei kelpaa: {detail}.",
        "sv": "Uppgiften på blanketten är ogiltig: {detail}.",
        "en": "Form value is not valid: {detail}.",
    },
    ErrorCode.UNKNOWN_QUESTION: {
        "fi": "Tuntematon kysymys {question}.",
        "sv": "Okänd fråga {question}.",
        "en": "Unknown question {question}.",
    },
    ErrorCode.WRONG_ANSWER_TYPE: {
        "fi": "Kysymykseen ”{question}” odotetaan vastausta: {expected}.",
        "sv": "Frågan ”{question}” väntar ett svar: {expected}.",
        "en": "Question “{question}” expects an answer: {expected}.",
    },
    ErrorCode.MISSING_ANSWER: {
        "fi": "Kysymykseen ”{question}” on vastattava.",
        "sv": "Frågan ”{question}” måste besvaras.",
        "en": "Question “{question}” must be answered.",
    },
    ErrorCode.DUPLICATE: {
        "fi": "Sama tieto on jo olemassa: {value}.",
        "sv": "Samma uppgift finns redan: {value}.",
        "en": "This already exists: {value}.",
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

#: The `detail` of an error: its English text (what the code writes) and the translations.
#: A detail may have `{param}`s of its own, filled from the error's params.
DETAILS: dict[str, dict[str, str]] = {
    "in the past": {"fi": "päivä on jo mennyt", "sv": "dagen har redan passerat"},
    "another authority": {"fi": "toinen viranomainen", "sv": "en annan myndighet"},
    "in the future": {"fi": "päivä on tulevaisuudessa", "sv": "dagen ligger i framtiden"},
    "a JSON object": {"fi": "odotetaan JSON-objektia", "sv": "ett JSON-objekt väntas"},
    "a final status": {"fi": "odotetaan lopullista tilaa", "sv": "en slutlig status väntas"},
    "fi, sv or en": {"fi": "fi, sv tai en", "sv": "fi, sv eller en"},
    "authorities come from the catalogue": {
        "fi": "viranomaiset tulevat luettelosta",
        "sv": "myndigheterna kommer från katalogen",
    },
    "{role} of a {kind}": {
        "fi": "{role} ei sovi kohteeseen {kind}",
        "sv": "{role} passar inte {kind}",
    },
    "not an authority": {"fi": "ei ole viranomainen", "sv": "inte en myndighet"},
    "the answers do not call for this permit": {
        "fi": "vastausten perusteella tätä lupaa ei tarvita",
        "sv": "enligt svaren behövs inte detta tillstånd",
    },
    "the municipality cannot change once applications have been submitted": {
        "fi": "kuntaa ei voi vaihtaa, kun hakemuksia on jo lähetetty",
        "sv": "kommunen kan inte ändras när ansökningar redan har skickats",
    },
    "an http(s) URL": {"fi": "odotetaan http(s)-osoitetta", "sv": "en http(s)-adress väntas"},
    "control character": {
        "fi": "ohjausmerkit eivät ole sallittuja",
        "sv": "styrtecken är inte tillåtna",
        "en": "no control characters",
    },
    "nested too deeply": {"fi": "liian syvälle sisäkkäin", "sv": "för djupt nästlat"},
    "e-mail address": {"fi": "odotetaan sähköpostiosoitetta", "sv": "en e-postadress väntas"},
    "not a number": {"fi": "ei ole luku", "sv": "inte ett tal"},
    "WGS84 point outside Finland ({lat_min}–{lat_max} N, {lon_min}–{lon_max} E)": {
        "fi": "WGS84-piste Suomen ulkopuolella ({lat_min}–{lat_max} N, {lon_min}–{lon_max} E)",
        "sv": "WGS84-punkt utanför Finland ({lat_min}–{lat_max} N, {lon_min}–{lon_max} E)",
    },
    "GeoJSON Polygon or MultiPolygon with closed rings of [longitude, latitude] in Finland": {
        "fi": "odotetaan GeoJSON Polygon- tai MultiPolygon-aluetta, jonka suljetut renkaat "
        "ovat [pituus, leveys] -pisteitä Suomessa",
        "sv": "ett GeoJSON Polygon eller MultiPolygon väntas, med slutna ringar av "
        "[longitud, latitud] i Finland",
    },
    "ends before it starts": {"fi": "päättyy ennen kuin alkaa", "sv": "slutar innan det börjar"},
    "{question}: a whole number": {
        "fi": "”{question}”: odotetaan kokonaislukua",
        "sv": "”{question}”: ett heltal väntas",
        "en": "“{question}”: a whole number",
    },
    "{question}: from {low} to {high}": {
        "fi": "”{question}”: odotetaan lukua väliltä {low}–{high}",
        "sv": "”{question}”: ett tal mellan {low} och {high} väntas",
        "en": "“{question}”: from {low} to {high}",
    },
    "{question}: not one of the choices": {
        "fi": "”{question}”: vastaus ei ole mikään vaihtoehdoista",
        "sv": "”{question}”: svaret är inte något av alternativen",
        "en": "“{question}”: not one of the choices",
    },
}

#: Values a message may name, in each language (e.g. the expected type of an answer).
ANSWER_TYPES: dict[str, dict[str, str]] = {
    "BOOLEAN": {"fi": "kyllä tai ei", "sv": "ja eller nej", "en": "yes or no"},
    "NUMBER": {"fi": "luku", "sv": "ett tal", "en": "a number"},
    "CHOICE": {
        "fi": "yksi vaihtoehdoista",
        "sv": "ett av alternativen",
        "en": "one of the choices",
    },
}

UNITS: dict[str, dict[str, str]] = {
    "characters": {"fi": "merkkiä", "sv": "tecken", "en": "characters"},
    "bytes": {"fi": "tavua", "sv": "byte", "en": "bytes"},
    "points": {"fi": "pistettä", "sv": "punkter", "en": "points"},
}


def size(limit: int, unit: str = "characters") -> dict[str, str]:
    """A limit with its unit in each language, for TOO_LONG's `max`."""
    return {language: f"{limit} {UNITS[unit][language]}" for language in LANGUAGES}


def localized(value: object, language: str) -> object:
    """A param in the message's language: a {fi, sv, en} text picks its language; a detail
    is translated (DETAILS); anything else is used as it is."""
    if isinstance(value, Mapping):
        return value.get(language) or value.get("en") or next(iter(value.values()), "")
    return value


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
        """The message in `language` (fi, sv or en), every param in that language too."""
        texts = MESSAGES[self.code]
        template = texts.get(language) or texts["en"]
        params = {name: localized(value, language) for name, value in self.params.items()}
        detail = params.get("detail")
        if isinstance(detail, str):
            detail_template = DETAILS.get(detail, {}).get(language) or detail
            try:
                params["detail"] = detail_template.format(**params)
            except (KeyError, IndexError, ValueError):
                params["detail"] = detail_template
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
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

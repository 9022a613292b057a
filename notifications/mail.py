"""E-mail notices: texts in fi, sv and en (plain text and HTML), and sending with aiosmtplib.

Notices never carry content: they say what happened and link to the application. Customer
notices do not reveal a decision's outcome; the customer signs in to see it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from models.settings import Settings

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    # topic: language: (subject, body); body paragraphs separated by blank lines
    "authority.submitted": {
        "fi": (
            "Uusi hakemus: {permit} – {project}",
            "Luukkuun on saapunut uusi hakemus, jonka vastaanottaja on {authority}.\n\n"
            "Lupa: {permit}\nHanke: {project}\nKunta: {municipality}\n\n"
            "Avaa hakemus: {link}\n\nHakemus avautuu, kun kirjaudut Luukkuun viranomaisen käsittelijänä.",
        ),
        "sv": (
            "Ny ansökan: {permit} – {project}",
            "En ny ansökan har kommit in till Luukku. Mottagare: {authority}.\n\n"
            "Tillstånd: {permit}\nProjekt: {project}\nKommun: {municipality}\n\n"
            "Öppna ansökan: {link}\n\nAnsökan öppnas när du loggar in i Luukku som handläggare.",
        ),
        "en": (
            "New application: {permit} – {project}",
            "A new application has arrived in Luukku for {authority}.\n\n"
            "Permit: {permit}\nProject: {project}\nMunicipality: {municipality}\n\n"
            "Open the application: {link}\n\nSign in to Luukku as a handler of the authority to open it.",
        ),
    },
    "authority.supplemented": {
        "fi": (
            "Hakemusta on täydennetty: {permit} – {project}",
            "Asiakas on vastannut lisätietopyyntöön.\n\nLupa: {permit}\nHanke: {project}\n\n"
            "Avaa hakemus: {link}",
        ),
        "sv": (
            "Ansökan har kompletterats: {permit} – {project}",
            "Kunden har svarat på begäran om tilläggsuppgifter.\n\nTillstånd: {permit}\n"
            "Projekt: {project}\n\nÖppna ansökan: {link}",
        ),
        "en": (
            "Application supplemented: {permit} – {project}",
            "The customer has answered the request for more information.\n\nPermit: {permit}\n"
            "Project: {project}\n\nOpen the application: {link}",
        ),
    },
    "authority.message": {
        "fi": (
            "Uusi viesti: {permit} – {project}",
            "Asiakas on lähettänyt viestin Luukussa.\n\nLupa: {permit}\nHanke: {project}\n\n"
            "Lue viesti: {link}",
        ),
        "sv": (
            "Nytt meddelande: {permit} – {project}",
            "Kunden har skickat ett meddelande i Luukku.\n\nTillstånd: {permit}\nProjekt: {project}\n\n"
            "Läs meddelandet: {link}",
        ),
        "en": (
            "New message: {permit} – {project}",
            "The customer has sent a message in Luukku.\n\nPermit: {permit}\nProject: {project}\n\n"
            "Read the message: {link}",
        ),
    },
    "authority.withdrawn": {
        "fi": (
            "Hakemus on peruttu: {permit} – {project}",
            "Asiakas on perunut hakemuksen.\n\nLupa: {permit}\nHanke: {project}\n\nAvaa hakemus: {link}",
        ),
        "sv": (
            "Ansökan har återtagits: {permit} – {project}",
            "Kunden har återtagit ansökan.\n\nTillstånd: {permit}\nProjekt: {project}\n\n"
            "Öppna ansökan: {link}",
        ),
        "en": (
            "Application withdrawn: {permit} – {project}",
            "The customer has withdrawn the application.\n\nPermit: {permit}\nProject: {project}\n\n"
            "Open the application: {link}",
        ),
    },
    "authority.statement_requested": {
        "fi": (
            "Lausuntopyyntö: {permit} – {project}",
            "{authority} pyytää lausuntoanne hakemuksesta Luukussa.\n\nLupa: {permit}\n"
            "Hanke: {project}\nKunta: {municipality}\nVastatkaa viimeistään: {due}\n\n"
            "Avaa hakemus ja pyyntö: {link}\n\nNe avautuvat, kun kirjaudutte Luukkuun "
            "viranomaisen käsittelijänä.",
        ),
        "sv": (
            "Begäran om utlåtande: {permit} – {project}",
            "{authority} begär ert utlåtande om en ansökan i Luukku.\n\nTillstånd: {permit}\n"
            "Projekt: {project}\nKommun: {municipality}\nSvara senast: {due}\n\n"
            "Öppna ansökan och begäran: {link}\n\nDe öppnas när ni loggar in i Luukku som "
            "handläggare.",
        ),
        "en": (
            "Request for a statement: {permit} – {project}",
            "{authority} asks for your statement on an application in Luukku.\n\n"
            "Permit: {permit}\nProject: {project}\nMunicipality: {municipality}\n"
            "Answer by: {due}\n\nOpen the application and the request: {link}\n\n"
            "Sign in to Luukku as a handler of your authority to open them.",
        ),
    },
    "authority.statement_answered": {
        "fi": (
            "Lausunto on saapunut: {permit} – {project}",
            "Pyytämänne lausunto on saapunut.\n\nLupa: {permit}\nHanke: {project}\n\n"
            "Avaa hakemus: {link}",
        ),
        "sv": (
            "Utlåtandet har kommit: {permit} – {project}",
            "Utlåtandet ni begärde har kommit.\n\nTillstånd: {permit}\nProjekt: {project}\n\n"
            "Öppna ansökan: {link}",
        ),
        "en": (
            "Statement received: {permit} – {project}",
            "The statement you asked for has arrived.\n\nPermit: {permit}\nProject: {project}"
            "\n\nOpen the application: {link}",
        ),
    },
    "authority.statement_declined": {
        "fi": (
            "Lausunnosta kieltäydyttiin: {permit} – {project}",
            "Viranomainen, jolta pyysitte lausuntoa, ei anna sitä.\n\nLupa: {permit}\n"
            "Hanke: {project}\n\nAvaa hakemus: {link}",
        ),
        "sv": (
            "Utlåtandet avböjdes: {permit} – {project}",
            "Myndigheten ni begärde ett utlåtande av ger inget.\n\nTillstånd: {permit}\n"
            "Projekt: {project}\n\nÖppna ansökan: {link}",
        ),
        "en": (
            "Statement declined: {permit} – {project}",
            "The authority you asked for a statement will not give one.\n\nPermit: {permit}\n"
            "Project: {project}\n\nOpen the application: {link}",
        ),
    },
    "customer.information_requested": {
        "fi": (
            "Hakemukseesi pyydetään lisätietoja: {permit}",
            "{authority} pyytää lisätietoja hakemukseesi.\n\nLupa: {permit}\nHanke: {project}\n"
            "Vastaa viimeistään: {due}\n\nKirjaudu Luukkuun nähdäksesi pyynnön ja vastataksesi: {link}",
        ),
        "sv": (
            "Tilläggsuppgifter begärs till din ansökan: {permit}",
            "{authority} begär tilläggsuppgifter till din ansökan.\n\nTillstånd: {permit}\n"
            "Projekt: {project}\nSvara senast: {due}\n\n"
            "Logga in i Luukku för att se begäran och svara: {link}",
        ),
        "en": (
            "More information is needed for your application: {permit}",
            "{authority} asks for more information about your application.\n\nPermit: {permit}\n"
            "Project: {project}\nAnswer by: {due}\n\nSign in to Luukku to see the request and answer: {link}",
        ),
    },
    "customer.reminder_recommended": {
        "fi": (
            "Muistutus: hae lupaa {due} mennessä – {permit}",
            "Hankkeesi {project} hakemusta ei ole vielä lähetetty. Suosittelemme hakemaan "
            "viimeistään {due}, jotta päätös ehtii ennen kuin sitä tarvitaan.\n\n"
            "Lupa: {permit}\nViranomainen: {authority}\n\nAvaa hakemus Luukussa: {link}",
        ),
        "sv": (
            "Påminnelse: ansök senast {due} – {permit}",
            "Ansökan i ditt projekt {project} har inte skickats ännu. Vi rekommenderar att du "
            "ansöker senast {due}, så att beslutet hinner komma innan det behövs.\n\n"
            "Tillstånd: {permit}\nMyndighet: {authority}\n\nÖppna ansökan i Luukku: {link}",
        ),
        "en": (
            "Reminder: apply by {due} – {permit}",
            "The application of your project {project} has not been submitted yet. We recommend "
            "applying by {due}, so that the decision can come before it is needed.\n\n"
            "Permit: {permit}\nAuthority: {authority}\n\nOpen the application in Luukku: {link}",
        ),
    },
    "customer.reminder_latest": {
        "fi": (
            "Muistutus: viimeinen hakupäivä {due} – {permit}",
            "Hankkeesi {project} hakemusta ei ole vielä lähetetty. Laissa säädetty viimeinen "
            "hakupäivä on {due}.\n\nLupa: {permit}\nViranomainen: {authority}\n\n"
            "Avaa hakemus Luukussa: {link}",
        ),
        "sv": (
            "Påminnelse: sista ansökningsdag {due} – {permit}",
            "Ansökan i ditt projekt {project} har inte skickats ännu. Den lagstadgade sista "
            "ansökningsdagen är {due}.\n\nTillstånd: {permit}\nMyndighet: {authority}\n\n"
            "Öppna ansökan i Luukku: {link}",
        ),
        "en": (
            "Reminder: the latest date to apply is {due} – {permit}",
            "The application of your project {project} has not been submitted yet. The latest "
            "date to apply set by law is {due}.\n\nPermit: {permit}\nAuthority: {authority}\n\n"
            "Open the application in Luukku: {link}",
        ),
    },
    "customer.reminder_supplement": {
        "fi": (
            "Muistutus: lisätiedot {due} mennessä – {permit}",
            "{authority} odottaa yhä lisätietoja hakemukseesi. Vastaa viimeistään {due}.\n\n"
            "Lupa: {permit}\nHanke: {project}\n\nKirjaudu Luukkuun vastataksesi: {link}",
        ),
        "sv": (
            "Påminnelse: tilläggsuppgifter senast {due} – {permit}",
            "{authority} väntar fortfarande på tilläggsuppgifter till din ansökan. Svara senast "
            "{due}.\n\nTillstånd: {permit}\nProjekt: {project}\n\n"
            "Logga in i Luukku för att svara: {link}",
        ),
        "en": (
            "Reminder: more information needed by {due} – {permit}",
            "{authority} is still waiting for more information about your application. Answer "
            "by {due}.\n\nPermit: {permit}\nProject: {project}\n\n"
            "Sign in to Luukku to answer: {link}",
        ),
    },
    "customer.message": {
        "fi": (
            "Uusi viesti hakemukseesi: {permit}",
            "{authority} on lähettänyt sinulle viestin Luukussa.\n\nLupa: {permit}\nHanke: {project}\n\n"
            "Kirjaudu Luukkuun lukeaksesi viestin: {link}",
        ),
        "sv": (
            "Nytt meddelande om din ansökan: {permit}",
            "{authority} har skickat dig ett meddelande i Luukku.\n\nTillstånd: {permit}\n"
            "Projekt: {project}\n\nLogga in i Luukku för att läsa meddelandet: {link}",
        ),
        "en": (
            "New message about your application: {permit}",
            "{authority} has sent you a message in Luukku.\n\nPermit: {permit}\nProject: {project}\n\n"
            "Sign in to Luukku to read the message: {link}",
        ),
    },
    "customer.project_message": {
        "fi": (
            "Uusi viesti hankkeeseesi: {project}",
            "{authority} on lähettänyt viestin hankkeesi keskusteluun Luukussa.\n\nHanke: {project}\n\n"
            "Kirjaudu Luukkuun lukeaksesi viestin: {link}",
        ),
        "sv": (
            "Nytt meddelande i ditt projekt: {project}",
            "{authority} har skrivit ett meddelande i ditt projekts diskussion i Luukku.\n\n"
            "Projekt: {project}\n\nLogga in i Luukku för att läsa meddelandet: {link}",
        ),
        "en": (
            "New message in your project: {project}",
            "{authority} has posted a message in your project's discussion in Luukku.\n\n"
            "Project: {project}\n\nSign in to Luukku to read the message: {link}",
        ),
    },
    "customer.processed": {
        "fi": (
            "Hakemuksesi on käsitelty: {permit}",
            "{authority} on käsitellyt hakemuksesi.\n\nLupa: {permit}\nHanke: {project}\n\n"
            "Kirjaudu Luukkuun nähdäksesi tiedon päätöksestä: {link}",
        ),
        "sv": (
            "Din ansökan har behandlats: {permit}",
            "{authority} har behandlat din ansökan.\n\nTillstånd: {permit}\nProjekt: {project}\n\n"
            "Logga in i Luukku för att se uppgifterna om beslutet: {link}",
        ),
        "en": (
            "Your application has been processed: {permit}",
            "{authority} has processed your application.\n\nPermit: {permit}\nProject: {project}\n\n"
            "Sign in to Luukku to see the information about the decision: {link}",
        ),
    },
    "customer.attachment_infected": {
        "fi": (
            "Lataamasi tiedosto hylättiin: {file}",
            "Virustarkistus löysi Luukkuun lataamastasi tiedostosta haittaohjelman, joten "
            "tiedosto on eristetty eikä sitä näytetä kenellekään.\n\nTiedosto: {file}\n"
            "Hanke: {project}\n\nTarkista tiedosto ja lataa puhdas versio: {link}",
        ),
        "sv": (
            "Filen du laddade upp avvisades: {file}",
            "Viruskontrollen hittade skadlig kod i filen du laddade upp till Luukku. Filen har "
            "satts i karantän och visas inte för någon.\n\nFil: {file}\nProjekt: {project}\n\n"
            "Kontrollera filen och ladda upp en ren version: {link}",
        ),
        "en": (
            "A file you uploaded was refused: {file}",
            "The virus scan found malware in a file you uploaded to Luukku. The file is "
            "quarantined and shown to no one.\n\nFile: {file}\nProject: {project}\n\n"
            "Check the file and upload a clean copy: {link}",
        ),
    },
}

FOOTER = {
    "fi": "Tämä on Luukun automaattinen viesti; älä vastaa siihen.",
    "sv": "Detta är ett automatiskt meddelande från Luukku; svara inte på det.",
    "en": "This is an automatic message from Luukku; please do not reply.",
}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    language: str


def render(topic: str, language: str, to: str, **params: str) -> Mail:
    """The mail of a topic in the recipient's language (fi when unknown)."""
    language = language if language in ("fi", "sv", "en") else "fi"
    subject_template, body_template = TEXTS[topic][language]
    subject = subject_template.format(**params)
    body = body_template.format(**params)
    text = f"{body}\n\n--\n{FOOTER[language]}\n"
    escaped = {k: html.escape(v) for k, v in params.items()}
    html_body = "".join(
        f"<p>{paragraph}</p>"
        for paragraph in body_template.format(**escaped)
        .replace(escaped["link"], f'<a href="{escaped["link"]}">{escaped["link"]}</a>')
        .split("\n\n")
    ).replace("\n", "<br>")
    document = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>{html_body}"
        f"<hr><p><small>{FOOTER[language]}</small></p></body></html>"
    )
    return Mail(to=to, subject=subject[:300], text=text, html=document, language=language)


def message_id(event_id: str) -> str:
    """The mail's Message-ID, derived from the outbox item's event id alone: the same on every
    attempt, so that a mail sent twice (a worker killed mid-send) is recognisably one mail.
    (`email.utils.make_msgid` would add the time, the pid and randomness.)"""
    return f"<{event_id}@luukku.invalid>"


def message_of(payload: dict[str, str], sender: str, event_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(event_id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    message["Content-Language"] = payload.get("language", "fi")  # after: content headers move
    return message


async def send(payload: dict[str, str], settings: Settings, event_id: str) -> None:
    """Send through the configured SMTP server; raises on any failure (the outbox retries)."""
    await aiosmtplib.send(
        message_of(payload, settings.mail_from, event_id),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        start_tls=settings.smtp_tls == "starttls",
        use_tls=settings.smtp_tls == "tls",
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
        timeout=settings.smtp_timeout,
    )

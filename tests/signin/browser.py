"""A scripted browser for the issuer's real login pages (forms, redirects, cookies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self.forms and tag == "input" and a.get("name"):
            if a.get("type") in {"submit", "button"}:
                self.forms[-1].buttons.append((a["name"], a.get("value", "")))
            elif a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif self.forms and tag == "button" and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


async def sign_in_at_issuer(
    browser: httpx.AsyncClient, authorize_url: str, username: str, password: str, stop_at: str
) -> str:
    """Follow the issuer's pages from the authorization request until it redirects to
    `stop_at` (the relying party's callback); returns that URL (with code and state)."""
    response = await browser.get(authorize_url)
    for _ in range(20):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(stop_at):
                return location
            response = await browser.get(location)
            continue
        posts = [f for f in forms(response.text) if f.method == "post"]
        if not posts:
            raise AssertionError(f"no form at {response.url}: {response.status_code}")
        form = posts[0]
        data = dict(form.fields)
        for name in list(data):
            if name in {"login", "username"}:
                data[name] = username
            elif name == "password":
                data[name] = password
        for name, value in form.buttons:
            if name == "answer" and value in {"accept", "logout", ""}:
                data[name] = value or "accept"
        response = await browser.post(
            urljoin(str(response.url), form.action or str(response.url)), data=data
        )
    raise AssertionError("the issuer never redirected back")

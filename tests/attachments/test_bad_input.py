"""Every bad upload of the issue gets a clear, coded error, and nothing is written: no
attachment row, no object in the store."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest

from models import Attachment
from models import settings as app_settings
from tests.attachments.helpers import ADD, add_variables, draft, nothing_written
from tests.factories import GQL, gid, make_customer
from tests.files import pdf, png


async def _add(
    gql: GQL,
    token: str,
    application: str,
    name: str,
    data: bytes,
    ctype: str = "application/pdf",
    kind: str | None = "site-map",
) -> dict[str, Any]:
    result = await gql.upload(
        ADD,
        add_variables(application, kinds=[kind]),
        {"input.files.0.file": (name, data, ctype)},
        token=token,
    )
    return result["data"]["attachmentAdd"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "data", "ctype", "code", "detail"),
    [
        ("kartta.pdf", b"", "application/pdf", "FILE_EMPTY", "empty"),
        ("../../etc/kartta.pdf", pdf(), "application/pdf", "INVALID_FILE_NAME", "path separator"),
        ("kartat\\kartta.pdf", pdf(), "application/pdf", "INVALID_FILE_NAME", "path separator"),
        ("kartta\u202e.pdf", pdf(), "application/pdf", "INVALID_FILE_NAME", "control character"),
        ("k" * 300 + ".pdf", pdf(), "application/pdf", "INVALID_FILE_NAME", "too long"),
        (
            "kartta.pdf",
            b"MZ\x90\x00 not a pdf at all",
            "application/pdf",
            "FILE_TYPE_MISMATCH",
            "application/x-executable",
        ),
        ("kartta.pdf", png(), "image/png", "FILE_TYPE_MISMATCH", "image/png"),
        ("kartta.png", pdf(), "application/pdf", "FILE_TYPE_MISMATCH", "image/png"),
        (
            "kartta.html",
            b"<!doctype html><script>alert(1)</script>",
            "text/html",
            "FILE_TYPE_NOT_ALLOWED",
            "text/html",
        ),
        (
            "kartta",
            b"#!/bin/sh\nrm -rf /\n",
            "application/octet-stream",
            "FILE_TYPE_NOT_ALLOWED",
            "application/x-executable",
        ),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_kept(
    gql: GQL, name: str, data: bytes, ctype: str, code: str, detail: str
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    payload = await _add(gql, customer.token, application, name, data, ctype)
    assert payload["attachments"] is None
    (error,) = payload["userErrors"]
    assert error["code"] == code
    assert error["field"] == ["input", "files", "0", "file"]
    assert detail in error["message"] or code in ("FILE_EMPTY", "INVALID_FILE_NAME")
    assert await nothing_written() == (0, 0)


async def test_an_unknown_kind_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    payload = await _add(gql, customer.token, application, "a.pdf", pdf(), kind="wind-model")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_VALUE", ["input", "files", "0", "kind"])
    ]
    assert await nothing_written() == (0, 0)


async def test_an_upload_to_someone_elses_application_is_not_found(gql: GQL) -> None:
    owner, other = await make_customer(), await make_customer()
    application = gid("Application", await draft(owner))
    payload = await _add(gql, other.token, application, "kartta.pdf", pdf())
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert await nothing_written() == (0, 0)


async def test_over_the_requirements_size_the_file_is_refused(
    gql: GQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    big = pdf() + b"%" * (11 * 1024 * 1024)  # the security staff plan allows 10 MB
    payload = await _add(
        gql, customer.token, application, "plan.pdf", big, kind="safety-staff-plan"
    )
    assert [e["code"] for e in payload["userErrors"]] == ["FILE_TOO_LARGE"]
    assert "10485760" in payload["userErrors"][0]["message"]
    assert await nothing_written() == (0, 0)


async def test_the_applications_limits_leave_nothing_behind(
    gql: GQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    limited = replace(app_settings.get_settings(), attachment_max_application_bytes=3000)
    monkeypatch.setattr(app_settings, "_settings", limited)
    first = await _add(gql, customer.token, application, "a.pdf", pdf(), kind=None)
    assert first["userErrors"] == []
    before = await nothing_written()
    second = await gql.upload(
        ADD,
        add_variables(application, count=2),
        {
            "input.files.0.file": ("b.pdf", pdf(), "application/pdf"),
            "input.files.1.file": ("c.pdf", pdf() + b" " * 2000, "application/pdf"),
        },
        token=customer.token,
    )
    assert [e["code"] for e in second["data"]["attachmentAdd"]["userErrors"]] == [
        "ATTACHMENT_LIMIT"
    ]
    assert await nothing_written() == before

    few = replace(
        limited, attachment_max_application_bytes=10**9, attachment_max_application_files=1
    )
    monkeypatch.setattr(app_settings, "_settings", few)
    third = await _add(gql, customer.token, application, "d.pdf", pdf(), kind=None)
    assert [e["code"] for e in third["userErrors"]] == ["ATTACHMENT_LIMIT"]
    assert await nothing_written() == before


def _multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            body += b"Content-Type: application/pdf\r\n"
        body += b"\r\n" + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


async def _raw(
    client: httpx.AsyncClient, token: str, body: bytes, boundary: str = "b0undary"
) -> httpx.Response:
    return await client.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )


def _operations(application: str, count: int = 1) -> bytes:
    return orjson.dumps({"query": ADD, "variables": add_variables(application, count)})


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("cut off mid-upload", "cut off"),
        ("a name of 10,000 characters", "Maximum header size exceeded"),
        ("map names a missing part", "not in the body"),
        ("part not in the map", "not in the map"),
        ("two uploads to one variable", "two files are mapped"),
        ("path outside the variables", "must start with 'variables.'"),
        ("path that does not exist", "does not exist"),
        ("path to a non-null value", "must be null"),
        ("map is a list", "'map' must be a JSON object"),
        ("map is not JSON", "must be JSON"),
        ("one file to two variables", "exactly one variable path"),
        ("no operations", "are required"),
    ],
)
async def test_malformed_multipart_requests_get_a_coded_400(
    gql: GQL, client: httpx.AsyncClient, case: str, message: str
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    ops = _operations(application)
    good_map = b'{"0": ["variables.input.files.0.file"]}'
    file_part = ("0", "kartta.pdf", pdf())
    parts: list[tuple[str, str | None, bytes]]
    if case == "cut off mid-upload":
        full = _multipart(
            "b0undary", [("operations", None, ops), ("map", None, good_map), file_part]
        )
        body = full[: len(full) - len(pdf()) // 2]  # the connection ends inside the file
        response = await _raw(client, customer.token, body)
    else:
        two = _operations(application, 2)
        if case == "a name of 10,000 characters":
            parts = [
                ("operations", None, ops),
                ("map", None, good_map),
                ("0", "k" * 10_000 + ".pdf", pdf()),
            ]
        elif case == "map names a missing part":
            parts = [("operations", None, ops), ("map", None, good_map)]
        elif case == "part not in the map":
            parts = [
                ("operations", None, ops),
                ("map", None, good_map),
                file_part,
                ("1", "x.pdf", pdf()),
            ]
        elif case == "two uploads to one variable":
            parts = [
                ("operations", None, two),
                (
                    "map",
                    None,
                    b'{"0": ["variables.input.files.0.file"], "1": ["variables.input.files.0.file"]}',
                ),
                file_part,
                ("1", "x.pdf", pdf()),
            ]
        elif case == "path outside the variables":
            parts = [("operations", None, ops), ("map", None, b'{"0": ["query"]}'), file_part]
        elif case == "path that does not exist":
            parts = [
                ("operations", None, ops),
                ("map", None, b'{"0": ["variables.input.files.7.file"]}'),
                file_part,
            ]
        elif case == "path to a non-null value":
            parts = [
                ("operations", None, ops),
                ("map", None, b'{"0": ["variables.input.applicationId"]}'),
                file_part,
            ]
        elif case == "map is a list":
            parts = [
                ("operations", None, ops),
                ("map", None, b'[["variables.input.files.0.file"]]'),
                file_part,
            ]
        elif case == "map is not JSON":
            parts = [("operations", None, ops), ("map", None, b"{nope"), file_part]
        elif case == "one file to two variables":
            parts = [
                ("operations", None, two),
                (
                    "map",
                    None,
                    b'{"0": ["variables.input.files.0.file", "variables.input.files.1.file"]}',
                ),
                file_part,
            ]
        else:
            parts = [("map", None, good_map), file_part]
        response = await _raw(client, customer.token, _multipart("b0undary", parts))
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_MULTIPART"
    assert message in error["message"]
    assert await nothing_written() == (0, 0)


async def test_a_control_character_in_a_raw_file_name_is_a_user_error(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    parts: list[tuple[str, str | None, bytes]] = [
        ("operations", None, _operations(application)),
        ("map", None, b'{"0": ["variables.input.files.0.file"]}'),
        ("0", "kartta\x07.pdf", pdf()),
    ]
    response = await _raw(client, customer.token, _multipart("b0undary", parts))
    errors = response.json()["data"]["attachmentAdd"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_FILE_NAME", ["input", "files", "0", "file"])
    ]
    assert "ohjausmerkki" in errors[0]["message"]  # in the user's language (fi)
    assert await nothing_written() == (0, 0)


async def test_too_many_files_in_one_request(gql: GQL, client: httpx.AsyncClient) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    count = app_settings.get_settings().attachment_max_request_files + 1
    parts: list[tuple[str, str | None, bytes]] = [
        ("operations", None, _operations(application, count)),
        (
            "map",
            None,
            orjson.dumps({str(i): [f"variables.input.files.{i}.file"] for i in range(count)}),
        ),
    ] + [(str(i), f"{i}.pdf", pdf()) for i in range(count)]
    response = await _raw(client, customer.token, _multipart("b0undary", parts))
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_MULTIPART"
    assert await nothing_written() == (0, 0)


async def test_a_body_over_the_request_limit_is_413_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    limit = app_settings.get_settings().attachment_max_request_bytes
    response = await client.post(
        "/graphql",
        content=b"",
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(limit + 1),
        },
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_anonymous_uploads_are_refused_before_the_body_is_read(
    gql: GQL, client: httpx.AsyncClient
) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    body = _multipart(
        "b0undary", [("operations", None, _operations(application)), ("map", None, b"{}")]
    )
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "multipart/form-data; boundary=b0undary"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_file_variable_sent_as_json_is_a_user_error(gql: GQL) -> None:
    customer = await make_customer()
    application = gid("Application", await draft(customer))
    variables = add_variables(application)
    variables["input"]["files"][0]["file"] = "JVBERi0xLjQ="
    result = await gql(ADD, variables, token=customer.token)
    errors = result["data"]["attachmentAdd"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_VALUE", ["input", "files", "0", "file"])
    ]
    assert await Attachment.all().count() == 0


async def test_a_cookie_session_upload_needs_the_csrf_header(client: httpx.AsyncClient) -> None:
    from actions.auth.config import override_auth_config, parse
    from app.signin import session_cookie_name
    from tests.signin.test_acting_for import session_of

    config = parse(
        {
            "providers": [
                {
                    "name": "p",
                    "issuer": "https://idp.example",
                    "client_id": "c",
                    "client_secret": "s",
                }
            ]
        },
        env={},
    )
    override_auth_config(config)
    try:
        customer = await make_customer()
        application = gid("Application", await draft(customer))
        cookie = await session_of(customer.person_id or 0, config)
        body = _multipart(
            "b0undary",
            [
                ("operations", None, _operations(application)),
                ("map", None, b'{"0": ["variables.input.files.0.file"]}'),
                ("0", "kartta.pdf", pdf()),
            ],
        )
        headers = {"Content-Type": "multipart/form-data; boundary=b0undary"}
        client.cookies.set(session_cookie_name(), cookie)
        refused = await client.post("/graphql", content=body, headers=headers)
        assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"
        assert await nothing_written() == (0, 0)
        accepted = await client.post(
            "/graphql", content=body, headers={**headers, "X-Luukku-CSRF": "1"}
        )
        assert accepted.json()["data"]["attachmentAdd"]["userErrors"] == []
    finally:
        override_auth_config(None)
        client.cookies.clear()

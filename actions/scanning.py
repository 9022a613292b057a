"""Virus scanning behind one interface, chosen by ATTACHMENT_SCANNER.

- `none`: no scanner. Files are marked NOT_SCANNED (and served); `make demo` says so.
- `clamd://host:port` or `clamd+unix:///path/to/clamd.sock`: ClamAV's daemon, spoken to
  over its socket protocol (`zINSTREAM`: length-prefixed chunks, then a zero length; the
  reply ends in ` OK`, ` FOUND` or ` ERROR`). Plain non-blocking sockets with the event
  loop's `sock_*` calls: after clamd stops reading an over-long stream its reply can still
  be read, which asyncio streams do not guarantee.

Another scanner implements `Scanner.scan(chunks) -> Verdict` and raises `ScanError` when it
cannot give an answer (the attachment is then SCAN_FAILED and retried).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit


class ScanError(Exception):
    """The scanner gave no verdict (unreachable, timed out, over its limit, an error)."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    #: what was found (e.g. "Eicar-Test-Signature.UNOFFICIAL"), or the scanner's reply
    detail: str


class Scanner(Protocol):
    #: False for the `none` scanner: files are marked NOT_SCANNED instead
    enabled: bool
    name: str

    async def scan(self, chunks: AsyncIterator[bytes]) -> Verdict: ...
    async def ping(self) -> bool: ...


class NoScanner:
    enabled = False
    name = "none"

    async def scan(self, chunks: AsyncIterator[bytes]) -> Verdict:
        raise ScanError("no scanner configured")

    async def ping(self) -> bool:
        return False


class ClamdScanner:
    """clamd over TCP or a Unix socket. `max_bytes` caps a stream on the client side
    (keep it at most clamd's StreamMaxLength)."""

    enabled = True
    name = "clamd"

    def __init__(self, address: str | tuple[str, int], *, timeout: float, max_bytes: int) -> None:
        self.address = address
        self.timeout = timeout
        self.max_bytes = max_bytes

    @classmethod
    def from_url(cls, url: str, *, timeout: float, max_bytes: int) -> ClamdScanner:
        parts = urlsplit(url)
        if parts.scheme == "clamd+unix":
            return cls(parts.path, timeout=timeout, max_bytes=max_bytes)
        return cls(
            (parts.hostname or "127.0.0.1", parts.port or 3310),
            timeout=timeout,
            max_bytes=max_bytes,
        )

    async def _connect(self) -> socket.socket:
        family = socket.AF_UNIX if isinstance(self.address, str) else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(
                asyncio.get_running_loop().sock_connect(sock, self.address), self.timeout
            )
        except BaseException:
            sock.close()
            raise
        return sock

    @staticmethod
    async def _reply(sock: socket.socket) -> str:
        loop, buffer = asyncio.get_running_loop(), b""
        while not buffer.endswith(b"\0"):
            chunk = await loop.sock_recv(sock, 4096)
            if not chunk:
                break
            buffer += chunk
        return buffer.rstrip(b"\0").decode("utf-8", "replace").strip()

    async def command(self, command: str) -> str:
        try:
            with await self._connect() as sock:
                await asyncio.get_running_loop().sock_sendall(sock, b"z%s\0" % command.encode())
                return await asyncio.wait_for(self._reply(sock), self.timeout)
        except (OSError, TimeoutError) as exc:
            raise ScanError(f"clamd {command}: {exc!r}") from exc

    async def ping(self) -> bool:
        try:
            return await self.command("PING") == "PONG"
        except ScanError:
            return False

    async def scan(self, chunks: AsyncIterator[bytes]) -> Verdict:
        loop = asyncio.get_running_loop()
        try:
            with await self._connect() as sock:
                sent = 0
                try:
                    await loop.sock_sendall(sock, b"zINSTREAM\0")
                    async for chunk in chunks:
                        sent += len(chunk)
                        if sent > self.max_bytes:
                            raise ScanError(f"over the scanner's limit of {self.max_bytes} bytes")
                        if chunk:
                            await asyncio.wait_for(
                                loop.sock_sendall(sock, struct.pack("!L", len(chunk)) + chunk),
                                self.timeout,
                            )
                    await loop.sock_sendall(sock, b"\0\0\0\0")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # clamd stopped reading (its limit): its reply is still queued
                reply = await asyncio.wait_for(self._reply(sock), self.timeout)
        except (OSError, TimeoutError) as exc:
            raise ScanError(f"clamd: {exc!r}") from exc
        if reply.endswith(" FOUND"):
            found = reply.removeprefix("stream:").removesuffix(" FOUND").strip()
            return Verdict(True, found[:200])
        if reply.endswith(" OK"):
            return Verdict(False, reply[:200])
        raise ScanError(f"clamd answered {reply[:200]!r}")


def scanner_for(setting: str, *, timeout: float, max_bytes: int) -> Scanner:
    if setting.startswith(("clamd://", "clamd+unix://")):
        return ClamdScanner.from_url(setting, timeout=timeout, max_bytes=max_bytes)
    return NoScanner()


_scanner: Scanner | None = None


def get_scanner() -> Scanner:
    global _scanner
    if _scanner is None:
        from models.settings import get_settings

        settings = get_settings()
        _scanner = scanner_for(
            settings.attachment_scanner,
            timeout=settings.attachment_scan_timeout,
            max_bytes=settings.attachment_max_file_bytes,
        )
    return _scanner


def set_scanner(scanner: Scanner | None) -> None:
    """Use another scanner in this process (tests)."""
    global _scanner
    _scanner = scanner

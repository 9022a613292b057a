from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from models import settings as settings_module
from models.settings import Settings, get_settings


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Override settings for one test: configure(smtp_host=..., outbox_backoff_seconds=...)."""

    def apply(**changes: Any) -> Settings:
        settings = replace(get_settings(), **changes)
        monkeypatch.setattr(settings_module, "_settings", settings)
        return settings

    return apply

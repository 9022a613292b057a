"""LUUKKU_EXECUTOR chooses the executor; the schema's SDL does not depend on it."""

from __future__ import annotations

import pytest

from models.settings import Settings, SettingsError
from schema.root import build_schema, schema
from schema.sharing import GraphQLCoreSharingExecutionContext, SharingExecutionContext


def test_the_compiled_executor_is_the_default() -> None:
    assert Settings.from_env({}).executor == "compiled"
    assert schema.execution_context_class is SharingExecutionContext
    assert SharingExecutionContext.compiled


def test_luukku_executor_graphql_core_turns_it_off() -> None:
    assert Settings.from_env({"LUUKKU_EXECUTOR": "graphql-core"}).executor == "graphql-core"
    reference = build_schema(executor="graphql-core")
    assert reference.execution_context_class is GraphQLCoreSharingExecutionContext
    assert not GraphQLCoreSharingExecutionContext.compiled
    assert reference.as_str() == schema.as_str()


def test_an_unknown_executor_is_refused() -> None:
    with pytest.raises(SettingsError, match="LUUKKU_EXECUTOR"):
        Settings.from_env({"LUUKKU_EXECUTOR": "fast"})

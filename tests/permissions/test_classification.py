"""permissions/classification.py classifies every field of every object type of the schema
(a new field or type without a row fails here), and its gates name real policies."""

from __future__ import annotations

from graphql import GraphQLInterfaceType, GraphQLObjectType

from models.statuses import DECISION_OUTCOMES, ApplicationStatus
from permissions import attachments, classification, policies
from permissions.classification import FIELDS, TYPES, Gate, gate_of, status_comment_gate
from schema.root import schema

ROOTS = {"Query", "Mutation", "Subscription"}


def _object_types() -> dict[str, GraphQLObjectType]:
    return {
        name: kind
        for name, kind in schema._schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__") and name not in ROOTS
    }


def test_every_field_of_every_type_is_classified() -> None:
    missing = [
        f"{name}.{field}"
        for name, kind in _object_types().items()
        for field in kind.fields
        if gate_of(name, field) is None
    ]
    assert not missing, f"classify these in permissions/classification.py: {missing}"


def test_no_row_for_a_field_that_does_not_exist() -> None:
    types = _object_types()
    stale = [
        f"{name}.{field}"
        for name, fields in FIELDS.items()
        for field in fields
        if name not in types or field not in types[name].fields
    ]
    stale += [name for name in TYPES if name not in types]
    assert not stale, stale


def test_interfaces_carry_only() -> None:
    interfaces = [
        n
        for n, k in schema._schema.type_map.items()
        if isinstance(k, GraphQLInterfaceType) and n != "Node"
    ]
    assert all(n.endswith(("Event", "Payload")) for n in interfaces), interfaces


def test_every_gate_names_a_real_rule() -> None:
    modules = {"policies": policies, "attachments": attachments, "classification": classification}
    for gate in Gate:
        if "." not in gate.value:
            continue
        module, function = gate.value.split(".")
        assert callable(getattr(modules[module], function, None)), gate


def test_the_comment_of_a_decision_follows_the_decision() -> None:
    for status in ApplicationStatus:
        expected = Gate.DECISION if status in DECISION_OUTCOMES else Gate.APPLICATION
        assert status_comment_gate(status) is expected
    assert FIELDS["StatusChange"]["comment"] is Gate.STATUS_COMMENT
    assert all(
        gate is Gate.DECISION for f, gate in FIELDS["Decision"].items() if f != "attachments"
    )

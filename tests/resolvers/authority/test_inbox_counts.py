"""The inbox's kept counts (actions/inbox_counts.py) always equal counting the applications."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from actions import applications as app_actions
from actions import authority as authority_actions
from actions.access import access_application
from actions.applications import change_status, save
from actions.base import atomic
from actions.inbox_counts import recount
from models import Application, InboxCount, Organisation
from models.errors import DomainError
from models.statuses import ApplicationStatus, Side, Via
from tests.factories import GQL, gid, make_application, make_customer, make_handler, make_project
from tests.resolvers.authority.operations import INBOX
from tests.sqlcount import count_queries

S = ApplicationStatus


async def _kept() -> dict[tuple[int, str], int]:
    rows = await InboxCount.all().values("authority_id", "status", "total")
    return {(r["authority_id"], S(r["status"]).value): r["total"] for r in rows if r["total"]}


async def _counted() -> dict[tuple[int, str], int]:
    counted: dict[tuple[int, str], int] = {}
    for row in await Application.filter(submitted_at__not_isnull=True).values(
        "authority_id", "status"
    ):
        key = (row["authority_id"], S(row["status"]).value)
        counted[key] = counted.get(key, 0) + 1
    return counted


async def _every_status() -> dict[str, int]:
    customer = await make_customer()
    police = await make_handler("helsinki-police")
    project = await make_project(customer)
    apps = {}
    for status in (
        S.DRAFT,
        S.NOT_STARTED,
        S.IN_PROGRESS,
        S.INFORMATION_REQUESTED,
        S.APPROVED,
        S.REJECTED,
        S.WITHDRAWN,
    ):
        apps[status.value] = await make_application(
            customer, await make_project(customer), status=status, handler=police
        )
    apps["shared"] = await make_application(customer, project, "helsinki-rescue-plan", shared=True)
    return apps


async def test_counts_follow_every_change(db: str) -> None:
    apps = await _every_status()
    assert await _kept() == await _counted()
    police_id = (await Organisation.get(code="helsinki-police")).id
    kept = await _kept()
    assert kept[(police_id, "NOT_STARTED")] == 1
    assert kept[(police_id, "INFORMATION_REQUESTED")] == 1
    assert all(status != "DRAFT" for _, status in kept)  # drafts never count
    # the customer answers the supplement request: INFORMATION_REQUESTED -> IN_PROGRESS
    requested = apps["INFORMATION_REQUESTED"]
    customer = await make_customer()  # not the owner: refused, nothing changes
    with pytest.raises(DomainError):
        await authority_actions.supplement_submit(
            customer.viewer, requested, 5, None, "Kartta liitteenä."
        )
    assert await _kept() == kept == await _counted()


async def test_draft_withdrawn_before_submission_never_counts(db: str) -> None:
    customer = await make_customer()
    draft = await make_application(customer, await make_project(customer))
    await app_actions.application_withdraw(customer.viewer, draft, 2, "ei tarvita")
    assert await Application.get(id=draft).values_list("status", flat=True) == S.WITHDRAWN
    assert await _kept() == await _counted() == {}


async def test_a_rolled_back_change_leaves_the_counts_alone(db: str) -> None:
    customer = await make_customer()
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, await make_project(customer), status=S.NOT_STARTED)
    before = await _kept()
    with pytest.raises(RuntimeError):
        async with atomic() as tx:
            locked = await access_application(tx, police.viewer, app_id)
            await change_status(
                tx, police.viewer, locked, S.IN_PROGRESS, side=Side.AUTHORITY, via=Via.STATUS_UPDATE
            )
            await save(tx, locked)
            raise RuntimeError("something failed after the change")
    assert await _kept() == before == await _counted()


async def test_recount_rebuilds_the_counts(db: str) -> None:
    await _every_status()
    expected = await _counted()
    await InboxCount.all().update(total=999)
    await InboxCount.create(authority_id=123456, status=S.APPROVED, total=5)
    assert await recount() == len(expected)
    assert await _kept() == expected


async def test_total_count_matches_the_nodes_under_every_filter(gql: GQL) -> None:
    apps = await _every_status()
    police = await make_handler("helsinki-police")
    await authority_actions.application_assign(police.viewer, apps["NOT_STARTED"], 3, None)
    filters: list[dict] = [
        {},
        {"statuses": ["NOT_STARTED"]},
        {"statuses": ["NOT_STARTED", "IN_PROGRESS", "INFORMATION_REQUESTED"]},
        {"statuses": ["APPROVED", "REJECTED", "WITHDRAWN"]},
        {"statuses": ["DRAFT"]},
        {"unassigned": True},
        {"assignedToMe": True},
        {"assignedToMe": False, "unassigned": False, "statuses": ["IN_PROGRESS"]},
        {"municipalityCode": "091"},
        {"projectName": "nope"},
        {"authorityId": gid("Authority", (await Organisation.get(code="helsinki-police")).id)},
        {"authorityId": gid("Authority", (await Organisation.get(code="helsinki-rescue")).id)},
    ]
    for filter in filters:
        result = await gql(INBOX, {"filter": filter, "first": 100}, token=police.token)
        inbox = result["data"]["inbox"]
        assert inbox["totalCount"] == len(inbox["nodes"]), filter


async def test_total_count_of_the_plain_inbox_reads_the_counts(gql: GQL) -> None:
    police = await make_handler("helsinki-police")
    customer = await make_customer()
    for status in (S.NOT_STARTED, S.IN_PROGRESS):
        await make_application(customer, await make_project(customer), status=status)
    query = """{ inbox(filter: {statuses: [NOT_STARTED, IN_PROGRESS]}) { totalCount } }"""
    await gql(query, {}, token=police.token)  # warm the viewer cache
    with count_queries() as counter:
        result = await gql(query, {}, token=police.token)
    assert result["data"]["inbox"]["totalCount"] == 2
    assert any("inbox_count" in s for s in counter.statements), counter.statements
    assert not any("COUNT(" in s.upper() for s in counter.statements), counter.statements


async def test_counts_survive_the_whole_processing_path(db: str) -> None:
    customer = await make_customer()
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, await make_project(customer), status=S.NOT_STARTED)
    await authority_actions.application_status_update(
        police.viewer, app_id, 3, S.IN_PROGRESS, "aloitettu"
    )
    await authority_actions.supplement_request(
        police.viewer, app_id, 4, "Lisää kartta.", date.today() + timedelta(days=14)
    )
    assert await _kept() == await _counted()
    await authority_actions.supplement_submit(customer.viewer, app_id, 5, None, "Kartta liitteenä.")
    assert await _kept() == await _counted()
    await authority_actions.decision_record(
        police.viewer, app_id, 6, S.APPROVED, date.today(), "Hyväksytty.", "POL/1/2027", True
    )
    police_id = (await Organisation.get(code="helsinki-police")).id
    assert await _kept() == await _counted() == {(police_id, "APPROVED"): 1}


async def test_concurrent_changes_of_one_authority_keep_exact_counts(db: str) -> None:
    """Many handlers at once, some changing the same application twice (one wins): the
    count rows are locked in one order, so nothing deadlocks and every count is exact."""
    customer = await make_customer()
    handlers = [await make_handler("helsinki-police") for _ in range(3)]
    app_ids = [
        await make_application(customer, await make_project(customer), status=S.NOT_STARTED)
        for _ in range(6)
    ]

    async def start(app_id: int, n: int) -> bool:
        try:
            await authority_actions.application_status_update(
                handlers[n % 3].viewer, app_id, 3, S.IN_PROGRESS, None
            )
        except DomainError:
            return False
        return True

    async def withdraw(app_id: int) -> bool:
        try:
            await app_actions.application_withdraw(customer.viewer, app_id, 3, None)
        except DomainError:
            return False
        return True

    outcomes = await asyncio.gather(
        *(start(a, n) for n, a in enumerate(app_ids)),
        *(start(a, n + 1) for n, a in enumerate(app_ids[:3])),
        *(withdraw(a) for a in app_ids[3:]),
    )
    assert sum(outcomes) == len(app_ids)  # one winner per application
    police_id = (await Organisation.get(code="helsinki-police")).id
    kept = await _kept()
    assert kept == await _counted()
    assert sum(kept.get((police_id, s), 0) for s in ("IN_PROGRESS", "WITHDRAWN")) == 6

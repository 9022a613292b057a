from __future__ import annotations

import json

from actions.catalogue import CATALOGUE_DIR, CatalogueError, read_catalogue
from tests.factories import GQL

PERMIT_TYPES = """
query($filter: PermitTypeFilter, $first: Int, $after: String) {
  permitTypes(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id code name { fi sv en } description { fi sv en } channel notificationEmail processingDays
      leadTimeDays legalBasis { fi } ptvServiceId deepLink formSchema requiredSharedData
      serviceBundleCodes kind { code } authority { code scope municipalities { code } }
    }
  }
}
"""


async def test_catalogue_is_public_and_complete(gql: GQL) -> None:
    result = await gql(PERMIT_TYPES, {"first": 100})
    data = result["data"]["permitTypes"]
    assert data["totalCount"] == len(data["nodes"]) >= 40
    for node in data["nodes"]:
        for text in (node["name"], node["description"]):
            assert all(text[lang] for lang in ("fi", "sv", "en"))
        assert node["channel"] in {"API", "LIGHT"}
        assert node["notificationEmail"].endswith(".example")
        assert node["deepLink"].endswith(node["ptvServiceId"])
        assert node["formSchema"]["type"] == "object"


async def test_permit_types_offered_in_a_municipality(gql: GQL) -> None:
    result = await gql(PERMIT_TYPES, {"filter": {"municipalityCode": "091"}, "first": 100})
    nodes = result["data"]["permitTypes"]["nodes"]
    authorities = {n["authority"]["code"] for n in nodes}
    assert "helsinki-police" in authorities and "lvv" in authorities
    assert "oulu-police" not in authorities
    for node in nodes:
        if node["authority"]["scope"] == "LOCAL":
            assert "091" in [m["code"] for m in node["authority"]["municipalities"]]
    aland = await gql(PERMIT_TYPES, {"filter": {"municipalityCode": "478"}, "first": 100})
    assert aland["data"]["permitTypes"]["totalCount"] == 0


async def test_permit_types_are_paginated_with_a_capped_page_size(gql: GQL) -> None:
    first = await gql(PERMIT_TYPES, {"first": 10})
    page = first["data"]["permitTypes"]
    assert len(page["nodes"]) == 10 and page["pageInfo"]["hasNextPage"]
    second = await gql(PERMIT_TYPES, {"first": 10, "after": page["pageInfo"]["endCursor"]})
    ids = {n["id"] for n in page["nodes"]} | {
        n["id"] for n in second["data"]["permitTypes"]["nodes"]
    }
    assert len(ids) == 20
    too_many = await gql(PERMIT_TYPES, {"first": 101}, errors=True)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_cursor = await gql(PERMIT_TYPES, {"after": "%%%"}, errors=True)
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_deep_link_id_finds_its_permit(gql: GQL) -> None:
    result = await gql(PERMIT_TYPES, {"first": 1})
    node = result["data"]["permitTypes"]["nodes"][0]
    found = await gql(PERMIT_TYPES, {"filter": {"ptvServiceId": node["ptvServiceId"]}})
    assert [n["code"] for n in found["data"]["permitTypes"]["nodes"]] == [node["code"]]


async def test_bundles_municipalities_and_authorities(gql: GQL) -> None:
    result = await gql(
        """{ serviceBundles { code questions { questionId type text { fi sv en } choices { value } askIf } }
             municipalities { code name { sv } isAland }
             authorities(municipalityCode: "208", first: 100) { nodes { code scope } } }"""
    )
    data = result["data"]
    assert {b["code"] for b in data["serviceBundles"]} >= {"renewable-energy", "public-event"}
    assert {"091", "837", "208"} <= {m["code"] for m in data["municipalities"]}
    codes = {a["code"] for a in data["authorities"]["nodes"]}
    assert {"kalajoki-building-control", "oulu-police", "lvv"} <= codes
    assert "helsinki-police" not in codes


def test_catalogue_data_files_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    read_catalogue()  # the committed data is valid
    for path in CATALOGUE_DIR.rglob("*.json"):
        target = tmp_path / path.relative_to(CATALOGUE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    types = json.loads((tmp_path / "permit_types.json").read_text(encoding="utf-8"))
    types[0]["authority"] = "no-such-authority"
    types[1]["name"] = {"fi": "vain suomeksi"}
    (tmp_path / "permit_types.json").write_text(json.dumps(types), encoding="utf-8")
    try:
        read_catalogue(tmp_path)
    except CatalogueError as exc:
        assert any("unknown authority" in p for p in exc.problems)
        assert any("fi, sv and en" in p for p in exc.problems)
    else:
        raise AssertionError("broken catalogue accepted")


async def test_shared_data_schema_is_public_and_the_catalogues(gql: GQL) -> None:
    """The web client renders the shared-data form from it (the catalogue, not code)."""
    result = await gql("{ sharedDataSchema }")
    assert "errors" not in result
    assert result["data"]["sharedDataSchema"] == read_catalogue().shared_data_schema

"""The operations the benchmark sends: three read paths, the write path and live tracking."""

from __future__ import annotations

from models.ids import decode_global_id, global_id

#: (a) An authority's cross-permit overview of one project (tests/resolvers/authority/
#: test_overview.py without `content`, whose reads are audited: one INSERT per request).
OVERVIEW = """query Overview($id: ID!) {
  project(id: $id) {
    id name municipality { code name { fi } } owner { __typename }
    thread { messages { totalCount nodes { body authorName } } }
    applications(first: 100) {
      totalCount
      nodes {
        id status statusLabel { fi } submittedAt
        permitType { code name { fi } } authority { code name { fi } }
        assignedTo { name }
        statusHistory(first: 100) { nodes { fromStatus toStatus actorName actor { name } createdAt } }
        decision { outcome decidedOn summary }
        thread { messages(first: 100) { nodes { body authorName actingForName { fi } } } }
      }
    }
  }
}"""

#: (a) for PostGraphile 4 (simplify inflector, simple lists): the same rows and columns.
OVERVIEW_POSTGRAPHILE = """query Overview($id: Int!) {
  project(id: $id) {
    id name municipality { code name } ownerPersonId ownerOrganisationId
    threads(condition: {applicationId: null}) { messages { body authorLabel } }
    applications {
      id status submittedAt
      permitType { code name } authority { code name }
      assignedTo { name }
      statusChanges { fromStatus toStatus actorLabel actor { name } createdAt }
      decision { outcome decidedOn summary }
      thread { messages { body authorLabel actingFor { name } } }
    }
  }
}"""

#: (b) The customer's projects with their applications and statuses.
PROJECTS = """query Projects {
  projects(first: 50) {
    totalCount
    nodes {
      id name
      applications {
        nodes { id status permitType { code } authority { code } statusHistory { nodes { toStatus } } }
      }
    }
  }
}"""

#: (c) A handler's inbox, first page, open work.
INBOX = """query Inbox {
  inbox(filter: {statuses: [NOT_STARTED, IN_PROGRESS, INFORMATION_REQUESTED]},
        orderBy: SUBMITTED_OLDEST_FIRST, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id status submittedAt authority { code } permitType { code }
      project { name municipality { code } } assignedTo { name }
    }
  }
}"""

APPLICATION_CREATE = """mutation($input: ApplicationCreateInput!) {
  applicationCreate(input: $input) { application { id version status } userErrors { code message field } }
}"""
APPLICATION_UPDATE = """mutation($input: ApplicationUpdateInput!) {
  applicationUpdate(input: $input) { application { id version } userErrors { code message field } }
}"""
APPLICATION_SUBMIT = """mutation($input: ApplicationSubmitInput!) {
  applicationSubmit(input: $input) { application { id version status } userErrors { code message field } }
}"""
STATUS_UPDATE = """mutation($input: ApplicationStatusUpdateInput!) {
  applicationStatusUpdate(input: $input) {
    application { id version status } userErrors { code message field }
  }
}"""
MESSAGE_POST = """mutation($input: MessagePostInput!) {
  messagePost(input: $input) { message { id } userErrors { code message } }
}"""

#: Live tracking: what a customer's UI follows for a project.
PROJECT_ACTIVITY = """subscription($id: ID!) {
  projectActivity(projectId: $id) {
    eventId kind occurredAt
    ... on ApplicationEvent { application { id status version } }
    ... on ApplicationStatusChangedEvent { fromStatus toStatus }
    ... on MessagePostedEvent { message { body authorName } }
  }
}"""


def gid(type_name: str, db_id: int) -> str:
    """A Relay global id, as Luukku makes them (models/ids.py, with the bench's key)."""
    return global_id(type_name, db_id)


def db_id(value: str) -> int:
    decoded = decode_global_id(value)
    if decoded is None:
        raise ValueError(f"not a global id of this key: {value!r}")
    return decoded[1]

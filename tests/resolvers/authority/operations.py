"""Operation texts of the authority tests."""

APP = """ id status version assignedTo { name } noticeEmail
  statusHistory { nodes { fromStatus toStatus comment actorName } }
  supplementRequests { message dueDate isOpen answerMessage answerContent closedAt }
  decision { outcome decidedOn summary documentReference isSharedWithAuthorities recordedByName }
"""
ERRORS = "userErrors { code field message }"

ASSIGN = f"mutation($input: ApplicationAssignInput!) {{ applicationAssign(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
STATUS = f"mutation($input: ApplicationStatusUpdateInput!) {{ applicationStatusUpdate(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
SUPPLEMENT_REQUEST = f"mutation($input: SupplementRequestInput!) {{ supplementRequest(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
SUPPLEMENT_SUBMIT = f"mutation($input: SupplementSubmitInput!) {{ supplementSubmit(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
DECISION = f"mutation($input: DecisionRecordInput!) {{ decisionRecord(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
REDIRECT = f"mutation($input: ApplicationNoticeRedirectInput!) {{ applicationNoticeRedirect(input: $input) {{ application {{ {APP} }} {ERRORS} }} }}"
EXPORT = f"mutation($input: ApplicationExportInput!) {{ applicationExport(input: $input) {{ document application {{ id }} {ERRORS} }} }}"
MESSAGE = f"mutation($input: MessagePostInput!) {{ messagePost(input: $input) {{ message {{ id body authorName actingForName {{ fi }} }} {ERRORS} }} }}"
INBOX = """query($filter: InboxFilter, $order: InboxOrder, $first: Int, $after: String) {
  inbox(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id status submittedAt authority { code } permitType { code } project { name municipality { code } } assignedTo { name } }
  } }"""
AUDIT = """query($id: ID!, $first: Int) { auditLog(authorityId: $id, first: $first) {
  totalCount nodes { action objectId actorName actingForName { fi } xroadClient xroadId xroadUserId details } } }"""
APPLICATION = (
    f"query($id: ID!) {{ application(id: $id) {{ {APP} content {{ formData }} thread {{ id }} }} }}"
)

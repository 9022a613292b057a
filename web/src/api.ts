// The operations the client sends, with the shapes it reads. Ids are opaque strings.
export interface LocalizedText {
  fi: string;
  sv: string;
  en: string;
}
export interface UserError {
  code: string;
  message: string;
  field: string[] | null;
}
export type JsonSchema = {
  type?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  title?: string;
  'x-label'?: LocalizedText;
  'x-enumLabels'?: Record<string, LocalizedText>;
};
export type Json = Record<string, unknown>;

export interface Membership {
  role: 'CUSTOMER_REPRESENTATIVE' | 'AUTHORITY_HANDLER' | 'AUTHORITY_ADMIN';
  organisation: { id: string; name: string; businessId: string | null } | null;
  authority: { id: string; code: string; name: LocalizedText } | null;
}
export interface Viewer {
  isAuthenticated: boolean;
  isOperator: boolean;
  canActPersonally: boolean;
  /** Signed in through the browser (/auth/login) with the session cookie. */
  hasSession: boolean;
  /** The organisation the session acts for (actingForSelect); null: personally. */
  actingFor: { id: string; name: string } | null;
  /** Organisations a session may act for, by mandate (empty for tokens). */
  mayActFor: { organisation: { id: string; name: string }; basis: string }[];
  mandateSelectionUrl: string | null;
  person: { id: string; name: string } | null;
  memberships: Membership[];
}

export const VIEWER = `query Viewer { viewer { isAuthenticated isOperator canActPersonally hasSession
  actingFor { id name } mayActFor { organisation { id name } basis } mandateSelectionUrl
  person { id name }
  memberships { role organisation { id name businessId } authority { id code name { fi sv en } } } } }`;

export const ACTING_FOR_SELECT = `mutation ActingForSelect($input: ActingForSelectInput!) {
  actingForSelect(input: $input) { viewer { actingFor { id name } } userErrors { code message field } } }`;

export interface StatusChange {
  fromStatus: string | null;
  toStatus: string;
  comment: string;
  createdAt: string;
  actorName: string;
}
export interface SupplementRequest {
  message: string;
  dueDate: string;
  requestedAt: string;
  requestedByName: string;
  answeredAt: string | null;
  answerMessage: string | null;
  closedAt: string | null;
  isOpen: boolean;
}
export interface StatementRequest {
  id: string;
  status: 'OPEN' | 'ANSWERED' | 'DECLINED' | 'CANCELLED';
  dueDate: string;
  requestedAt: string;
  requestedByName: string;
  answeredAt: string | null;
  answeredByName: string | null;
  isSharedWithCustomer: boolean;
  question: string | null;
  answer: string | null;
  declineReason: string | null;
  isOverdue: boolean;
  viewerCanReadTexts: boolean;
  viewerCanAnswer: boolean;
  viewerCanShare: boolean;
  askedAuthority: { id: string; name: LocalizedText };
}
export interface Decision {
  outcome: string;
  decidedOn: string;
  summary: string;
  documentReference: string | null;
  isSharedWithAuthorities: boolean;
  recordedAt: string;
  recordedByName: string;
}
export interface Message {
  id: string;
  body: string;
  createdAt: string;
  authorName: string;
  actingForName: LocalizedText | null;
}
export interface Thread {
  id: string;
  viewerCanPost: boolean;
  messages: { nodes: Message[] };
}
export interface PermitTypeRef {
  id: string;
  code: string;
  name: LocalizedText;
  channel: 'API' | 'LIGHT';
  processingDays: number;
  leadTimeDays: number | null;
  requiredSharedData: string[];
}
export interface AuthorityRef {
  id: string;
  code: string;
  name: LocalizedText;
}
export interface ApplicationSummary {
  id: string;
  status: string;
  statusLabel: LocalizedText;
  version: number;
  isSharedWithAuthorities: boolean;
  isProcessed: boolean;
  origin: string;
  certainty: string | null;
  submittedAt: string | null;
  processedAt: string | null;
  updatedAt: string;
  latestApplicationDate: string | null;
  viewerCanEdit: boolean;
  viewerCanHandle: boolean;
  viewerCanReadContent: boolean;
  permitType: PermitTypeRef;
  authority: AuthorityRef;
  assignedTo: { id: string; name: string } | null;
  decision: Decision | null;
  supplementRequests: SupplementRequest[];
}
export interface Project {
  id: string;
  name: string;
  description: string;
  startsOn: string | null;
  endsOn: string | null;
  version: number;
  sharedData: Json;
  viewerIsCustomer: boolean;
  viewerCanEdit: boolean;
  location: { latitude: number; longitude: number } | null;
  serviceBundle: { id: string; code: string; name: LocalizedText };
  municipality: { code: string; name: LocalizedText };
  owner: { __typename: 'Person'; name: string } | { __typename: 'Organisation'; name: string };
  applications: { nodes: ApplicationSummary[] };
  thread: Thread;
}

const APPLICATION_SUMMARY = `id status statusLabel { fi sv en } version isSharedWithAuthorities isProcessed
  origin certainty submittedAt processedAt updatedAt latestApplicationDate
  viewerCanEdit viewerCanHandle viewerCanReadContent
  permitType { id code name { fi sv en } channel processingDays leadTimeDays requiredSharedData }
  authority { id code name { fi sv en } }
  assignedTo { id name }
  decision { outcome decidedOn summary documentReference isSharedWithAuthorities recordedAt recordedByName }
  supplementRequests { message dueDate requestedAt requestedByName answeredAt answerMessage closedAt isOpen }`;

const THREAD = `thread { id viewerCanPost messages(first: 100) { nodes { id body createdAt authorName actingForName { fi sv en } } } }`;

export const PROJECTS = `query Projects { projects(first: 50) { nodes { id name startsOn endsOn
  municipality { code name { fi sv en } } serviceBundle { id code name { fi sv en } }
  owner { __typename ... on Person { name } ... on Organisation { id name } }
  applications(first: 50) { nodes { id status statusLabel { fi sv en } } } } } }`;

export const PROJECT = `query Project($id: ID!) { project(id: $id) { id name description startsOn endsOn version
  sharedData viewerIsCustomer viewerCanEdit location { latitude longitude }
  serviceBundle { id code name { fi sv en } } municipality { code name { fi sv en } }
  owner { __typename ... on Person { name } ... on Organisation { name } }
  applications(first: 50) { nodes { ${APPLICATION_SUMMARY} } }
  ${THREAD} } }`;

export interface AttachmentRequirement {
  kind: string;
  name: LocalizedText;
  description: LocalizedText | null;
  isRequired: boolean;
  allowedTypes: string[];
  maxBytes: number;
}
export type ScanStatus = 'PENDING' | 'CLEAN' | 'INFECTED' | 'SCAN_FAILED' | 'NOT_SCANNED';
export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  kind: string | null;
  scanStatus: ScanStatus;
  uploadedAt: string;
  uploadedByName: string;
  viewerCanDownload: boolean;
  downloadUrl: string | null;
  viewerCanRemove: boolean;
}

const ATTACHMENT = `id name contentType size sha256 kind scanStatus uploadedAt uploadedByName
  viewerCanDownload downloadUrl viewerCanRemove`;

export const APPLICATION = `query Application($id: ID!) { application(id: $id) { ${APPLICATION_SUMMARY}
  noticeEmail
  permitType { formSchema attachmentTypes
    attachmentRequirements { kind name { fi sv en } description { fi sv en } isRequired allowedTypes maxBytes } }
  attachments { ${ATTACHMENT} }
  content { formData sharedData }
  statusHistory(first: 100) { nodes { fromStatus toStatus comment createdAt actorName } }
  supplementRequests { answerContent }
  statementRequests { id status dueDate requestedAt requestedByName answeredAt answeredByName
    isSharedWithCustomer question answer declineReason isOverdue
    viewerCanReadTexts viewerCanAnswer viewerCanShare askedAuthority { id name { fi sv en } } }
  ${THREAD}
  project { id name startsOn endsOn description municipality { code name { fi sv en } }
    owner { __typename ... on Person { name } ... on Organisation { name businessId } } } } }`;

export const CATALOGUE = `query Catalogue { serviceBundles { id code name { fi sv en } description { fi sv en } }
  municipalities { code name { fi sv en } isAland } }`;

export const SURVEY = `query Survey($id: ID!) { node(id: $id) { ... on ServiceBundle { id code name { fi sv en }
  questions { questionId type isRequired text { fi sv en } help { fi sv en } minimum maximum isInteger
    choices { value label { fi sv en } } askIf } } } }`;

export const DEEP_LINK = `query DeepLink($ptv: String!) { permitTypes(filter: { ptvServiceId: $ptv }, first: 1) {
  nodes { id name { fi sv en } serviceBundleCodes authority { name { fi sv en } } } } }`;

export const PERMIT_NEEDS = `query PermitNeeds($input: PermitNeedsInput!) { permitNeeds(input: $input) {
  suggestions { certainty reasons { fi sv en } leadTimeDays latestApplicationDate recommendedApplicationDate
    permitKind { code name { fi sv en } }
    permitType { id code name { fi sv en } } authority { id name { fi sv en } } channel }
  userErrors { code message field } } }`;

export const OFFERED = `query Offered($municipality: String!, $bundle: String!) {
  permitTypes(filter: { municipalityCode: $municipality, serviceBundleCode: $bundle }, first: 100) {
    nodes { id code name { fi sv en } authority { name { fi sv en } } channel } } }`;

export const SHARED_DATA_SCHEMA = `query SharedDataSchema { sharedDataSchema }`;

const ERRORS = 'userErrors { code message field }';

export const PROJECT_CREATE = `mutation ProjectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) {
  project { id version } ${ERRORS} } }`;
export const PROJECT_UPDATE = `mutation ProjectUpdate($input: ProjectUpdateInput!) { projectUpdate(input: $input) {
  project { id version sharedData } ${ERRORS} } }`;
export const APPLICATION_CREATE = `mutation ApplicationCreate($input: ApplicationCreateInput!) { applicationCreate(input: $input) {
  application { id version } ${ERRORS} } }`;

function appMutation(name: string, input: string): string {
  const upper = name[0].toUpperCase() + name.slice(1);
  return `mutation ${upper}($input: ${input}!) { ${name}(input: $input) {
  application { id version status statusLabel { fi sv en } } ${ERRORS} } }`;
}
export const APPLICATION_UPDATE = appMutation('applicationUpdate', 'ApplicationUpdateInput');
export const APPLICATION_SHARE = appMutation('applicationShare', 'ApplicationShareInput');
export const APPLICATION_SUBMIT = appMutation('applicationSubmit', 'ApplicationSubmitInput');
export const APPLICATION_WITHDRAW = appMutation('applicationWithdraw', 'ApplicationWithdrawInput');
export const SUPPLEMENT_SUBMIT = appMutation('supplementSubmit', 'SupplementSubmitInput');
export const APPLICATION_ASSIGN = appMutation('applicationAssign', 'ApplicationAssignInput');
export const STATUS_UPDATE = appMutation('applicationStatusUpdate', 'ApplicationStatusUpdateInput');
export const SUPPLEMENT_REQUEST = appMutation('supplementRequest', 'SupplementRequestInput');
export const DECISION_RECORD = appMutation('decisionRecord', 'DecisionRecordInput');
export const NOTICE_REDIRECT = appMutation('applicationNoticeRedirect', 'ApplicationNoticeRedirectInput');

function statementMutation(name: string, input: string): string {
  const upper = name[0].toUpperCase() + name.slice(1);
  return `mutation ${upper}($input: ${input}!) { ${name}(input: $input) {
  statementRequest { id status } ${ERRORS} } }`;
}
export const STATEMENT_REQUEST = statementMutation('statementRequest', 'StatementRequestInput');
export const STATEMENT_ANSWER = statementMutation('statementAnswer', 'StatementAnswerInput');
export const STATEMENT_DECLINE = statementMutation('statementDecline', 'StatementDeclineInput');
export const STATEMENT_SHARE = statementMutation('statementShare', 'StatementShareInput');
export const AUTHORITIES = `query Authorities($municipality: String) {
  authorities(municipalityCode: $municipality, first: 100) { nodes { id code name { fi sv en } } } }`;

export const APPLICATION_EXPORT = `mutation ApplicationExport($input: ApplicationExportInput!) {
  applicationExport(input: $input) { document ${ERRORS} } }`;
export const MESSAGE_POST = `mutation MessagePost($input: MessagePostInput!) { messagePost(input: $input) {
  message { id } ${ERRORS} } }`;

/** Sent as a GraphQL multipart request (web/src/upload.ts): the file is the part "0". */
export const ATTACHMENT_ADD = `mutation AttachmentAdd($input: AttachmentAddInput!) { attachmentAdd(input: $input) {
  attachments { id } application { id version } ${ERRORS} } }`;
export const ATTACHMENT_REMOVE = `mutation AttachmentRemove($input: AttachmentRemoveInput!) { attachmentRemove(input: $input) {
  application { id version } ${ERRORS} } }`;

export const HANDLERS = `query Handlers($id: ID!) { node(id: $id) { ... on Authority { id handlers { id name } } } }`;

export interface InboxRow {
  id: string;
  status: string;
  statusLabel: LocalizedText;
  submittedAt: string | null;
  updatedAt: string;
  latestApplicationDate: string | null;
  permitType: { name: LocalizedText };
  authority: AuthorityRef;
  assignedTo: { name: string } | null;
  project: { id: string; name: string; startsOn: string | null; municipality: { name: LocalizedText } };
}

export const INBOX = `query Inbox($filter: InboxFilter, $order: InboxOrder!, $counts: InboxFilter, $mine: InboxFilter, $unassigned: InboxFilter) {
  inbox(filter: $filter, orderBy: $order, first: 50) { totalCount nodes { id status statusLabel { fi sv en }
    submittedAt updatedAt latestApplicationDate permitType { name { fi sv en } }
    authority { id code name { fi sv en } } assignedTo { name }
    project { id name startsOn municipality { name { fi sv en } } } } }
  all: inbox(filter: $counts, first: 1) { totalCount }
  mine: inbox(filter: $mine, first: 1) { totalCount }
  unassigned: inbox(filter: $unassigned, first: 1) { totalCount }
  notStarted: inbox(filter: { statuses: [NOT_STARTED] }, first: 1) { totalCount }
  inProgress: inbox(filter: { statuses: [IN_PROGRESS] }, first: 1) { totalCount }
  informationRequested: inbox(filter: { statuses: [INFORMATION_REQUESTED] }, first: 1) { totalCount } }`;

// `listening: true`: the first event is LISTENING, sent once the server listens for the page;
// the page refetches then (on the first subscribe and after every reconnect), so that no change
// committed before it is missed
export const PROJECT_ACTIVITY = `subscription ProjectActivity($id: ID!) { projectActivity(projectId: $id, listening: true) {
  eventId kind occurredAt
  ... on ApplicationEvent { application { id status statusLabel { fi sv en } version permitType { name { fi sv en } } } }
  ... on MessagePostedEvent { message { id authorName } }
  ... on AttachmentEvent { attachmentId attachment { id name scanStatus } attachmentApplication: application { id } } } }`;

export const INBOX_ACTIVITY = `subscription InboxActivity { inboxActivity(listening: true) { eventId kind occurredAt
  ... on ApplicationEvent { application { id status statusLabel { fi sv en } permitType { name { fi sv en } } } } } }`;

/** The kind of the first event of a subscription asked with `listening: true`. */
export const LISTENING = 'LISTENING';

export interface ActivityEvent {
  eventId: string;
  kind: string;
  occurredAt: string;
  application?: { id: string; status: string; statusLabel: LocalizedText; permitType: { name: LocalizedText } } | null;
  message?: { id: string; authorName: string } | null;
  attachmentId?: string;
  attachment?: { id: string; name: string; scanStatus: ScanStatus } | null;
  attachmentApplication?: { id: string } | null;
}

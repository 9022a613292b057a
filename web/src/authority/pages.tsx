// The light-channel handler's side: the inbox (filters, counts, live), one application
// (take, assign, status, supplement request, statements asked and answered, decision, export,
// notice redirect, messages) and the common view of a project's permit bundle.
import { useEffect, useRef, useState } from 'react';
import {
  Button,
  Checkbox,
  Dropdown,
  DropdownItem,
  Heading,
  InlineAlert,
  Modal,
  ModalContent,
  ModalFooter,
  ModalTitle,
  Paragraph,
  RadioButton,
  RadioButtonGroup,
  TextInput,
  Textarea,
} from 'suomifi-ui-components';
import { useMutation, useQuery, useSubscription } from 'urql';
import {
  APPLICATION,
  APPLICATION_ASSIGN,
  APPLICATION_EXPORT,
  DECISION_RECORD,
  HANDLERS,
  INBOX,
  INBOX_ACTIVITY,
  LISTENING,
  NOTICE_REDIRECT,
  PROJECT,
  SHARED_DATA_SCHEMA,
  STATUS_UPDATE,
  SUPPLEMENT_REQUEST,
  type ActivityEvent,
  type InboxRow,
  type JsonSchema,
  type Project,
  type UserError,
} from '../api';
import { AttachmentList, Requirements } from '../attachments';
import { DecisionView, Discussion, LiveAnnouncer, StatusHistory, SupplementList, useEventText, useProjectActivity, useStatusLabel } from '../common';
import type { ApplicationDetail } from '../customer/pages';
import { NotFound } from '../customer/pages';
import { Timeline } from '../customer/Timeline';
import { useI18n } from '../i18n';
import { AppLink, match, type Location } from '../router';
import { SchemaView } from '../SchemaForm';
import { useSession } from '../session';
import { StatementAsk, StatementList } from '../statements';
import {
  Card,
  Dl,
  ErrorNote,
  Loading,
  Muted,
  Row,
  Section,
  StatusTag,
  UserErrorsNote,
  addDays,
  errorsUnder,
  isDate,
  latestVersion,
  todayIso,
  useListboxName,
  usePayloadMutation,
  useSmallScreen,
} from '../ui';

export default function AuthorityPages({ location }: { location: Location }) {
  const { path } = location;
  let params;
  if (path === '/authority' || path === '/authority/') return <Inbox />;
  if ((params = match('/authority/applications/:id', path))) return <HandlerApplication id={params.id} />;
  if ((params = match('/authority/projects/:id', path))) return <CommonView id={params.id} />;
  return <NotFound />;
}

/** The page's heading; `objectId` names the project or application the page shows (the e2e test checks that a notice's link landed on it). */
function H1({ children, objectId }: { children: string; objectId?: string }) {
  const small = useSmallScreen();
  return (
    <div data-object-id={objectId}>
      <Heading variant="h1" smallScreen={small} mb="m">
        {children}
      </Heading>
    </div>
  );
}

// --- the inbox ---------------------------------------------------------------------------

type Who = 'all' | 'unassigned' | 'mine';
const OPEN = ['NOT_STARTED', 'IN_PROGRESS', 'INFORMATION_REQUESTED'];
const ORDERS = ['SUBMITTED_OLDEST_FIRST', 'SUBMITTED_NEWEST_FIRST', 'UPDATED_NEWEST_FIRST'] as const;

interface Count {
  totalCount: number;
}

function Inbox() {
  const { t, lt, date, dateTime } = useI18n();
  const session = useSession();
  const statusLabel = useStatusLabel();
  const authorities = session.viewer.memberships.filter((m) => m.authority).map((m) => m.authority!);
  const [who, setWho] = useState<Who>('all');
  const [status, setStatus] = useState<string>('OPEN');
  const [authority, setAuthority] = useState<string>('ALL');
  const [order, setOrder] = useState<string>('SUBMITTED_OLDEST_FIRST');
  const [name, setName] = useState('');
  const [applied, setApplied] = useState('');
  const [announcement, setAnnouncement] = useState('');
  useListboxName('inbox-status');
  useListboxName('inbox-authority');
  useListboxName('inbox-order');
  const base: Record<string, unknown> = {};
  if (authority !== 'ALL') base.authorityId = authority;
  if (applied) base.projectName = applied;
  const filter: Record<string, unknown> = { ...base, statuses: status === 'OPEN' ? OPEN : status === 'ALL' ? null : [status] };
  if (who === 'mine') filter.assignedToMe = true;
  if (who === 'unassigned') filter.unassigned = true;
  const counts = { ...base, statuses: filter.statuses };
  const [{ data, error, fetching }, refetch] = useQuery<{
    inbox: { totalCount: number; nodes: InboxRow[] };
    all: Count;
    mine: Count;
    unassigned: Count;
    notStarted: Count;
    inProgress: Count;
    informationRequested: Count;
  }>({
    query: INBOX,
    variables: { filter, order, counts, mine: { ...counts, assignedToMe: true }, unassigned: { ...counts, unassigned: true } },
  });
  const eventText = useEventText();
  const [live] = useSubscription<{ inboxActivity: ActivityEvent }>({ query: INBOX_ACTIVITY });
  const last = live.data?.inboxActivity;
  useEffect(() => {
    if (last) {
      // LISTENING (first, and after every reconnect): refetch what the events may not bring
      if (last.kind !== LISTENING) setAnnouncement(eventText(last));
      refetch({ requestPolicy: 'network-only' });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [last?.eventId]);
  return (
    <>
      <H1>{t('inbox.heading')}</H1>
      <LiveAnnouncer text={announcement} />
      {data && (
        <Card aria-label={t('inbox.counts')}>
          <ul className="luukku-counts" data-testid="inbox-counts">
            <li>
              {t('status.NOT_STARTED')}: <strong>{data.notStarted.totalCount}</strong>
            </li>
            <li>
              {t('status.IN_PROGRESS')}: <strong>{data.inProgress.totalCount}</strong>
            </li>
            <li>
              {t('status.INFORMATION_REQUESTED')}: <strong>{data.informationRequested.totalCount}</strong>
            </li>
          </ul>
        </Card>
      )}
      <Card>
        <form
          role="search"
          aria-label={t('inbox.filters')}
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(name.trim());
          }}
        >
          <RadioButtonGroup
            labelText={t('inbox.who')}
            name="inbox-who"
            value={who}
            onChange={(v) => setWho(v as Who)}
          >
            <RadioButton value="all">{t('inbox.all', { n: data?.all.totalCount ?? '…' })}</RadioButton>
            <RadioButton value="unassigned">{t('inbox.unassigned', { n: data?.unassigned.totalCount ?? '…' })}</RadioButton>
            <RadioButton value="mine">{t('inbox.mine', { n: data?.mine.totalCount ?? '…' })}</RadioButton>
          </RadioButtonGroup>
          <Row>
            <Dropdown id="inbox-status" labelText={t('inbox.status')} value={status} onChange={setStatus}>
              {[
                <DropdownItem key="OPEN" value="OPEN">
                  {t('inbox.open')}
                </DropdownItem>,
                <DropdownItem key="ALL" value="ALL">
                  {t('inbox.anyStatus')}
                </DropdownItem>,
                ...[...OPEN, 'APPROVED', 'PARTIALLY_APPROVED', 'REJECTED', 'DISMISSED', 'WITHDRAWN', 'PROCESSED'].map((s) => (
                  <DropdownItem key={s} value={s}>
                    {statusLabel(s)}
                  </DropdownItem>
                )),
              ]}
            </Dropdown>
            {authorities.length > 1 && (
              <Dropdown id="inbox-authority" labelText={t('common.authority')} value={authority} onChange={setAuthority}>
                {[
                  <DropdownItem key="ALL" value="ALL">
                    {t('inbox.allAuthorities')}
                  </DropdownItem>,
                  ...authorities.map((a) => (
                    <DropdownItem key={a.id} value={a.id}>
                      {lt(a.name)}
                    </DropdownItem>
                  )),
                ]}
              </Dropdown>
            )}
            <Dropdown id="inbox-order" labelText={t('inbox.order')} value={order} onChange={setOrder}>
              {ORDERS.map((o) => (
                <DropdownItem key={o} value={o}>
                  {t(`order.${o}`)}
                </DropdownItem>
              ))}
            </Dropdown>
          </Row>
          <Row>
            <TextInput id="inbox-name" labelText={t('inbox.projectName')} value={name} onChange={(v) => setName(String(v ?? ''))} />
            <Button type="submit" variant="secondary">
              {t('inbox.search')}
            </Button>
          </Row>
        </form>
      </Card>
      <ErrorNote error={error} />
      {fetching && !data ? (
        <Loading />
      ) : data && data.inbox.nodes.length === 0 ? (
        <Paragraph>{t('inbox.empty')}</Paragraph>
      ) : (
        data && (
          <Card>
            <p aria-live="polite">{t('inbox.total', { n: data.inbox.totalCount })}</p>
            <div style={{ overflowX: 'auto' }}>
              <table className="luukku-table stacked" data-testid="inbox-table">
                <caption className="luukku-visually-hidden">{t('inbox.heading')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('inbox.application')}</th>
                    <th scope="col">{t('application.status')}</th>
                    <th scope="col">{t('inbox.submitted')}</th>
                    <th scope="col">{t('inbox.assignee')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.inbox.nodes.map((row) => (
                    <tr key={row.id}>
                      <td>
                        <AppLink to={`/authority/applications/${row.id}`}>{lt(row.permitType.name)}</AppLink>
                        <br />
                        {row.project.name} · {lt(row.project.municipality.name)}
                        {authorities.length > 1 && (
                          <>
                            <br />
                            <Muted>{lt(row.authority.name)}</Muted>
                          </>
                        )}
                      </td>
                      <td data-label={t('application.status')}>
                        <StatusTag label={row.statusLabel} />
                      </td>
                      <td data-label={t('inbox.submitted')}>
                        {dateTime(row.submittedAt)}
                        {row.project.startsOn && (
                          <>
                            <br />
                            <Muted>{t('project.starts', { date: date(row.project.startsOn) })}</Muted>
                          </>
                        )}
                      </td>
                      <td data-label={t('inbox.assignee')}>{row.assignedTo?.name ?? t('inbox.nobody')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        )
      )}
    </>
  );
}

// --- one application, for its handler ------------------------------------------------------

const OUTCOMES = ['APPROVED', 'PARTIALLY_APPROVED', 'REJECTED', 'DISMISSED', 'LAPSED', 'TRANSFERRED', 'NOT_REQUIRED', 'PROCESSED'];

type Dialog = null | 'supplement' | 'decision';

function HandlerApplication({ id }: { id: string }) {
  const { t, lt, date, dateTime } = useI18n();
  const session = useSession();
  const small = useSmallScreen();
  const [{ data, error }, refetch] = useQuery<{ application: ApplicationDetail | null }>({ query: APPLICATION, variables: { id } });
  const app = data?.application;
  const [announcement, setAnnouncement] = useState('');
  const [notice, setNotice] = useState('');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [comment, setComment] = useState('');
  const [handler, setHandler] = useState<string | null>(null);
  const [redirect, setRedirect] = useState<string | null>(null);
  const [supplementMessage, setSupplementMessage] = useState('');
  const [supplementDue, setSupplementDue] = useState(addDays(todayIso(), 14));
  const [outcome, setOutcome] = useState<string>('APPROVED');
  const [decidedOn, setDecidedOn] = useState(todayIso());
  const [summary, setSummary] = useState('');
  const [reference, setReference] = useState('');
  const [shareDecision, setShareDecision] = useState(true);
  const eventText = useEventText();
  const [assignState, assign] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_ASSIGN, 'applicationAssign');
  const [statusState, statusUpdate] = usePayloadMutation<{ userErrors: UserError[] }>(STATUS_UPDATE, 'applicationStatusUpdate');
  const [supplementState, requestSupplement, resetSupplement] = usePayloadMutation<{ userErrors: UserError[] }>(SUPPLEMENT_REQUEST, 'supplementRequest');
  const [decisionState, recordDecision, resetDecision] = usePayloadMutation<{ userErrors: UserError[] }>(DECISION_RECORD, 'decisionRecord');
  const [redirectState, redirectNotices] = usePayloadMutation<{ userErrors: UserError[] }>(NOTICE_REDIRECT, 'applicationNoticeRedirect');
  const [exportState, exportApplication] = useMutation<{ applicationExport: { document: unknown; userErrors: UserError[] } }>(APPLICATION_EXPORT);
  const [exportErrors, setExportErrors] = useState<UserError[]>([]);
  const [dateErrors, setDateErrors] = useState<{ supplement: Record<string, string>; decision: Record<string, string> }>({ supplement: {}, decision: {} });
  const supplementButton = useRef<HTMLButtonElement>(null!);
  const decisionButton = useRef<HTMLButtonElement>(null!);
  const [{ data: handlersData }] = useQuery<{ node: { handlers: { id: string; name: string }[] } | null }>({
    query: HANDLERS,
    variables: { id: app?.authority.id },
    pause: !app || !session.isAdminOf(app.authority.id),
  });
  useListboxName('assign-handler');
  useListboxName('decision-outcome');
  const reload = () => refetch({ requestPolicy: 'network-only' });
  useProjectActivity(app?.project.id, (event) => {
    if (event && event.application && event.application.id !== id) return;
    if (event && event.attachmentId && event.attachmentApplication?.id !== id) return;
    if (event) setAnnouncement(eventText(event));
    reload();
  });
  useEffect(() => {
    if (app && redirect === null) setRedirect(app.noticeEmail ?? '');
  }, [app, redirect]);
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  if (!app) return <NotFound />;
  const mineToHandle = app.viewerCanHandle;
  const open = ['NOT_STARTED', 'IN_PROGRESS', 'INFORMATION_REQUESTED'].includes(app.status);
  const takenByMe = app.assignedTo?.id === session.viewer.person?.id;
  const done = (text: string) => {
    setNotice(text);
    reload();
  };
  const supplementErrors = { ...errorsUnder(supplementState.userErrors, ['input']), ...dateErrors.supplement };
  const decisionErrors = { ...errorsUnder(decisionState.userErrors, ['input']), ...dateErrors.decision };
  const download = async () => {
    const r = await exportApplication({ input: { id: app.id } });
    const payload = r.data?.applicationExport;
    setExportErrors(payload?.userErrors ?? []);
    if (!payload?.document) return;
    const blob = new Blob([JSON.stringify(payload.document, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `luukku-${app.permitType.code}-${app.id.replace(/[^A-Za-z0-9_-]/g, '')}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    done(t('handler.exported'));
  };
  return (
    <>
      <p>
        <AppLink to="/authority">{t('handler.back')}</AppLink> · <AppLink to={`/authority/projects/${app.project.id}`}>{t('handler.commonView')}</AppLink>
      </p>
      <H1 objectId={app.id}>{lt(app.permitType.name)}</H1>
      <LiveAnnouncer text={announcement} />
      <Card>
        <Row>
          <span>{t('application.status')}:</span>
          <span data-testid="application-status">
            <StatusTag label={app.statusLabel} />
          </span>
        </Row>
        <Dl>
          <dt>{t('handler.project')}</dt>
          <dd>
            {app.project.name} · {lt(app.project.municipality.name)}
          </dd>
          <dt>{t('handler.customer')}</dt>
          <dd>
            {app.project.owner.name}
            {app.project.owner.businessId ? ` (${app.project.owner.businessId})` : ''}
          </dd>
          <dt>{t('project.dates')}</dt>
          <dd>
            {date(app.project.startsOn)} – {date(app.project.endsOn)}
          </dd>
          <dt>{t('common.authority')}</dt>
          <dd>{lt(app.authority.name)}</dd>
          <dt>{t('application.submittedAt')}</dt>
          <dd>{dateTime(app.submittedAt)}</dd>
          {app.latestApplicationDate && (
            <>
              <dt>{t('survey.latest')}</dt>
              <dd>{date(app.latestApplicationDate)}</dd>
            </>
          )}
          <dt>{t('inbox.assignee')}</dt>
          <dd data-testid="assignee">{app.assignedTo?.name ?? t('inbox.nobody')}</dd>
        </Dl>
        {notice && <InlineAlert role="status">{notice}</InlineAlert>}
      </Card>
      {mineToHandle && (
        <Section title={t('handler.actions')} id="handling">
          {open && !takenByMe && (
            <Row>
              <Button
                onClick={() => void assign({ id: app.id, expectedVersion: latestVersion(app.id, app.version) }).then((r) => r.ok && done(t('handler.taken')))}
                disabled={assignState.fetching}
              >
                {t('handler.take')}
              </Button>
            </Row>
          )}
          {open && session.isAdminOf(app.authority.id) && handlersData?.node && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (handler)
                  void assign({ id: app.id, expectedVersion: latestVersion(app.id, app.version), handlerId: handler }).then((r) => r.ok && done(t('handler.assigned')));
              }}
            >
              <Row>
                <Dropdown id="assign-handler" labelText={t('handler.assignTo')} visualPlaceholder={t('form.choose')} value={handler} onChange={setHandler}>
                  {handlersData.node.handlers.map((h) => (
                    <DropdownItem key={h.id} value={h.id}>
                      {h.name}
                    </DropdownItem>
                  ))}
                </Dropdown>
                <Button type="submit" variant="secondary" disabled={!handler}>
                  {t('handler.assign')}
                </Button>
              </Row>
            </form>
          )}
          <UserErrorsNote errors={assignState.userErrors} />
          {(app.status === 'NOT_STARTED' || app.status === 'INFORMATION_REQUESTED') && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void statusUpdate({ id: app.id, expectedVersion: latestVersion(app.id, app.version), status: 'IN_PROGRESS', comment: comment || null }).then((r) => {
                  if (r.ok) {
                    setComment('');
                    done(t('handler.statusChanged'));
                  }
                });
              }}
            >
              <h3 className="luukku-h3">{t('handler.statusHeading')}</h3>
              <Textarea id="status-comment" labelText={t('handler.comment')} optionalText={t('form.optional')} value={comment} onChange={(e) => setComment(e.target.value)} fullWidth />
              <UserErrorsNote errors={statusState.userErrors} />
              <Row>
                <Button type="submit" variant="secondary" disabled={statusState.fetching}>
                  {t('handler.toInProgress')}
                </Button>
              </Row>
            </form>
          )}
          <Row>
            {app.status === 'IN_PROGRESS' && (
              <Button
                variant="secondary"
                forwardedRef={supplementButton}
                onClick={() => {
                  resetSupplement();
                  setDialog('supplement');
                }}
              >
                {t('handler.requestSupplement')}
              </Button>
            )}
            {open && (
              <Button
                variant="secondary"
                forwardedRef={decisionButton}
                onClick={() => {
                  resetDecision();
                  setDialog('decision');
                }}
              >
                {t('handler.recordDecision')}
              </Button>
            )}
            <Button variant="secondary" onClick={() => void download()} disabled={exportState.fetching}>
              {t('handler.export')}
            </Button>
          </Row>
          <UserErrorsNote errors={exportErrors} />
          <ErrorNote error={exportState.error} />
          {takenByMe && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void redirectNotices({ id: app.id, expectedVersion: latestVersion(app.id, app.version), email: redirect ? redirect : null }).then(
                  (r) => r.ok && done(t('handler.redirected')),
                );
              }}
            >
              <h3 className="luukku-h3">{t('handler.noticesHeading')}</h3>
              <Row>
                <TextInput
                  id="notice-email"
                  type="email"
                  labelText={t('handler.noticeEmail')}
                  hintText={t('handler.noticeHint')}
                  value={redirect ?? ''}
                  onChange={(v) => setRedirect(String(v ?? ''))}
                  status={errorsUnder(redirectState.userErrors, ['input']).email ? 'error' : 'default'}
                  statusText={errorsUnder(redirectState.userErrors, ['input']).email}
                />
                <Button type="submit" variant="secondary" disabled={redirectState.fetching}>
                  {t('handler.redirect')}
                </Button>
              </Row>
              <UserErrorsNote errors={redirectState.userErrors} shown={['input.email']} />
            </form>
          )}
        </Section>
      )}
      {app.decision && (
        <Section title={t('decision.heading')} id="decision">
          <DecisionView decision={app.decision} />
        </Section>
      )}
      <Section title={t('handler.content')} id="content">
        {app.content ? (
          <>
            <h3 className="luukku-h3">{t('application.form')}</h3>
            <SchemaView schema={app.permitType.formSchema} value={app.content.formData} />
            <h3 className="luukku-h3">{t('handler.sharedData')}</h3>
            <SharedDataView data={app.content.sharedData} />
          </>
        ) : (
          <Paragraph>{t('handler.noContent')}</Paragraph>
        )}
      </Section>
      {app.content && (
        <Section title={t('attachments.heading')} id="attachments">
          <Requirements requirements={app.permitType.attachmentRequirements} attachments={app.attachments} />
          <h3 className="luukku-h3">{t('attachments.files')}</h3>
          <AttachmentList applicationId={app.id} requirements={app.permitType.attachmentRequirements} attachments={app.attachments} editable={false} idPrefix="handler" />
        </Section>
      )}
      <Section title={t('supplement.heading')} id="supplements">
        <SupplementList requests={app.supplementRequests} />
      </Section>
      <Section title={t('statement.heading')} id="statements">
        <StatementList requests={app.statementRequests} onChanged={done} />
        {mineToHandle && open && <StatementAsk applicationId={app.id} municipality={app.project.municipality.code} ownAuthority={app.authority.id} onAsked={done} />}
      </Section>
      <Section title={t('history.heading')} id="history">
        <StatusHistory changes={app.statusHistory.nodes} />
      </Section>
      {app.thread && (
        <Section title={t('handler.thread')} id="thread">
          <Discussion thread={app.thread} idPrefix="handler" onPosted={reload} />
        </Section>
      )}
      <Modal
        appElementId="root"
        visible={dialog === 'supplement'}
        onEscKeyDown={() => setDialog(null)}
        focusOnCloseRef={supplementButton}
        variant={small ? 'smallScreen' : 'default'}
        ariaLabelledBy="supplement-title"
      >
        <ModalContent>
          <ModalTitle id="supplement-title">{t('handler.requestSupplement')}</ModalTitle>
          <Textarea
            id="supplement-message"
            labelText={t('handler.supplementMessage')}
            value={supplementMessage}
            onChange={(e) => setSupplementMessage(e.target.value)}
            status={supplementErrors.message ? 'error' : 'default'}
            statusText={supplementErrors.message}
            fullWidth
          />
          <TextInput
            id="supplement-due"
            labelText={t('supplement.due')}
            hintText={t('form.dateHint')}
            value={supplementDue}
            onChange={(v) => setSupplementDue(String(v ?? ''))}
            status={supplementErrors.dueDate ? 'error' : 'default'}
            statusText={supplementErrors.dueDate}
          />
          <UserErrorsNote errors={supplementState.userErrors} shown={['input.message', 'input.dueDate']} />
          <ErrorNote error={supplementState.error} />
        </ModalContent>
        <ModalFooter>
          <Button
            onClick={() => {
              if (!isDate(supplementDue)) {
                setDateErrors((d) => ({ ...d, supplement: { dueDate: t('form.dateInvalid') } }));
                return;
              }
              setDateErrors((d) => ({ ...d, supplement: {} }));
              void requestSupplement({ id: app.id, expectedVersion: latestVersion(app.id, app.version), message: supplementMessage, dueDate: supplementDue }).then((r) => {
                if (r.ok) {
                  setDialog(null);
                  setSupplementMessage('');
                  done(t('handler.supplementSent'));
                }
              });
            }}
            disabled={supplementState.fetching}
          >
            {t('handler.sendRequest')}
          </Button>
          <Button variant="secondary" onClick={() => setDialog(null)}>
            {t('common.cancel')}
          </Button>
        </ModalFooter>
      </Modal>
      <Modal
        appElementId="root"
        visible={dialog === 'decision'}
        onEscKeyDown={() => setDialog(null)}
        focusOnCloseRef={decisionButton}
        variant={small ? 'smallScreen' : 'default'}
        scrollable
        ariaLabelledBy="decision-title"
      >
        <ModalContent>
          <ModalTitle id="decision-title">{t('handler.recordDecision')}</ModalTitle>
          <Dropdown id="decision-outcome" labelText={t('decision.outcome')} value={outcome} onChange={setOutcome}>
            {OUTCOMES.map((o) => (
              <DropdownItem key={o} value={o}>
                {t(`status.${o}` as 'status.APPROVED')}
              </DropdownItem>
            ))}
          </Dropdown>
          <TextInput
            id="decision-date"
            labelText={t('decision.decidedOn')}
            hintText={t('form.dateHint')}
            value={decidedOn}
            onChange={(v) => setDecidedOn(String(v ?? ''))}
            status={decisionErrors.decidedOn ? 'error' : 'default'}
            statusText={decisionErrors.decidedOn}
          />
          <Textarea
            id="decision-summary"
            labelText={t('decision.summary')}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            status={decisionErrors.summary ? 'error' : 'default'}
            statusText={decisionErrors.summary}
            fullWidth
          />
          <TextInput
            id="decision-reference"
            labelText={t('decision.reference')}
            optionalText={t('form.optional')}
            value={reference}
            onChange={(v) => setReference(String(v ?? ''))}
            status={decisionErrors.documentReference ? 'error' : 'default'}
            statusText={decisionErrors.documentReference}
          />
          <Checkbox id="decision-share" checked={shareDecision} onClick={({ checkboxState }) => setShareDecision(checkboxState)} hintText={t('decision.shareHint')}>
            {t('decision.share')}
          </Checkbox>
          <UserErrorsNote errors={decisionState.userErrors} shown={['input.decidedOn', 'input.summary', 'input.documentReference']} />
          <ErrorNote error={decisionState.error} />
        </ModalContent>
        <ModalFooter>
          <Button
            onClick={() => {
              if (!isDate(decidedOn)) {
                setDateErrors((d) => ({ ...d, decision: { decidedOn: t('form.dateInvalid') } }));
                return;
              }
              setDateErrors((d) => ({ ...d, decision: {} }));
              void recordDecision({
                id: app.id,
                expectedVersion: latestVersion(app.id, app.version),
                outcome,
                decidedOn,
                summary,
                documentReference: reference || null,
                shareWithAuthorities: shareDecision,
              }).then((r) => {
                if (r.ok) {
                  setDialog(null);
                  done(t('handler.decided'));
                }
              });
            }}
            disabled={decisionState.fetching}
          >
            {t('handler.saveDecision')}
          </Button>
          <Button variant="secondary" onClick={() => setDialog(null)}>
            {t('common.cancel')}
          </Button>
        </ModalFooter>
      </Modal>
    </>
  );
}

function SharedDataView({ data }: { data: Record<string, unknown> }) {
  const [{ data: sd }] = useQuery<{ sharedDataSchema: JsonSchema }>({ query: SHARED_DATA_SCHEMA });
  if (!sd) return <Loading />;
  return <SchemaView schema={sd.sharedDataSchema} value={data} sections={Object.keys(data)} />;
}

// --- the common view of a project -----------------------------------------------------------

function CommonView({ id }: { id: string }) {
  const { t, lt, date } = useI18n();
  const statusLabel = useStatusLabel();
  const [{ data, error }, refetch] = useQuery<{ project: Project | null }>({ query: PROJECT, variables: { id } });
  const [announcement, setAnnouncement] = useState('');
  const eventText = useEventText();
  useProjectActivity(id, (event) => {
    if (event) setAnnouncement(eventText(event));
    refetch({ requestPolicy: 'network-only' });
  });
  const project = data?.project;
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  if (!project) return <NotFound />;
  return (
    <>
      <p>
        <AppLink to="/authority">{t('handler.back')}</AppLink>
      </p>
      <H1 objectId={project.id}>{t('common.heading', { project: project.name })}</H1>
      <LiveAnnouncer text={announcement} />
      <Paragraph mb="m">{t('common.intro')}</Paragraph>
      <Card>
        <Dl>
          <dt>{t('project.owner')}</dt>
          <dd>{project.owner.name}</dd>
          <dt>{t('project.municipality')}</dt>
          <dd>{lt(project.municipality.name)}</dd>
          <dt>{t('project.dates')}</dt>
          <dd>
            {date(project.startsOn)} – {date(project.endsOn)}
          </dd>
          <dt>{t('project.description')}</dt>
          <dd>{project.description || '–'}</dd>
        </Dl>
      </Card>
      <Section title={t('project.applications')} id="bundle">
        <Timeline project={project} linkTo={(a) => `/authority/applications/${a.id}`} />
        <h3 className="luukku-h3">{t('common.whatYouSee')}</h3>
        <ul>
          {project.applications.nodes.map((a) => (
            <li key={a.id}>
              <strong>{lt(a.permitType.name)}</strong> ({lt(a.authority.name)}): {statusLabel(a.status)}.{' '}
              {a.viewerCanReadContent ? t('common.contentVisible') : t('common.contentHidden')}{' '}
              {a.decision ? t('common.decisionVisible', { outcome: statusLabel(a.decision.outcome) }) : a.isProcessed ? t('common.decisionHidden') : ''}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t('project.thread')} id="project-thread">
        <Discussion thread={project.thread} idPrefix="common" onPosted={() => refetch({ requestPolicy: 'network-only' })} />
      </Section>
    </>
  );
}

// Statement requests (lausuntopyynnöt) of one application: the handling authority asks other
// authorities and decides whether the customer sees the texts; the asked authority answers or
// declines; the customer and the involved authorities follow them. Who sees and may do what
// is the API's to say (question/answer null when unreadable, viewerCanAnswer, viewerCanShare).
import { useState } from 'react';
import { Button, Checkbox, Dropdown, DropdownItem, TextInput, Textarea } from 'suomifi-ui-components';
import { useQuery } from 'urql';
import {
  AUTHORITIES,
  STATEMENT_ANSWER,
  STATEMENT_DECLINE,
  STATEMENT_REQUEST,
  STATEMENT_SHARE,
  type LocalizedText,
  type StatementRequest,
  type UserError,
} from './api';
import { useI18n } from './i18n';
import { Dl, ErrorNote, Muted, Row, UserErrorsNote, addDays, errorsUnder, isDate, todayIso, useListboxName, usePayloadMutation } from './ui';

type Done = (text: string) => void;
type Payload = { userErrors: UserError[] };

/** A DOM id part from a global id (base64: `=`, `+` and `/` are not welcome in selectors). */
const domId = (id: string) => id.replace(/[^A-Za-z0-9]/g, '');

export function StatementList({ requests, onChanged }: { requests: StatementRequest[]; onChanged: Done }) {
  const { t } = useI18n();
  if (requests.length === 0) return <p>{t('statement.none')}</p>;
  return (
    <>
      {requests.map((r) => (
        <StatementItem key={r.id} request={r} onChanged={onChanged} />
      ))}
    </>
  );
}

function StatementItem({ request: r, onChanged }: { request: StatementRequest; onChanged: Done }) {
  const { t, lt, date, dateTime } = useI18n();
  const [answer, setAnswer] = useState('');
  const [reason, setReason] = useState('');
  const [answerState, sendAnswer] = usePayloadMutation<Payload>(STATEMENT_ANSWER, 'statementAnswer');
  const [declineState, sendDecline] = usePayloadMutation<Payload>(STATEMENT_DECLINE, 'statementDecline');
  const [shareState, share] = usePayloadMutation<Payload>(STATEMENT_SHARE, 'statementShare');
  const prefix = `statement-${domId(r.id)}`;
  const when = r.answeredAt ? dateTime(r.answeredAt) : '';
  const state =
    r.status === 'OPEN'
      ? t(r.isOverdue ? 'statement.overdue' : 'statement.OPEN')
      : t(`statement.${r.status}`, { when });
  const answerErrors = errorsUnder(answerState.userErrors, ['input']);
  return (
    <div className="luukku-supplement" data-testid="statement" data-status={r.status}>
      <Dl>
        <dt>{t('statement.askedOf')}</dt>
        <dd>
          {lt(r.askedAuthority.name)}{' '}
          <Muted>
            ({r.requestedByName}, {dateTime(r.requestedAt)})
          </Muted>
        </dd>
        <dt>{t('statement.due')}</dt>
        <dd>{date(r.dueDate)}</dd>
        <dt>{t('statement.state')}</dt>
        <dd data-testid="statement-state">
          {state}
          {r.answeredByName ? ` (${r.answeredByName})` : ''}
        </dd>
        {r.question !== null && (
          <>
            <dt>{t('statement.question')}</dt>
            <dd>{r.question}</dd>
          </>
        )}
        {r.answer !== null && (
          <>
            <dt>{t('statement.answer')}</dt>
            <dd data-testid="statement-answer">{r.answer}</dd>
          </>
        )}
        {r.declineReason !== null && (
          <>
            <dt>{t('statement.declineReason')}</dt>
            <dd>{r.declineReason}</dd>
          </>
        )}
      </Dl>
      {!r.viewerCanReadTexts && <p>{t('statement.textsHidden')}</p>}
      {r.viewerCanAnswer && r.status === 'OPEN' && (
        <>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void sendAnswer({ id: r.id, answer }).then((result) => result.ok && onChanged(t('statement.sent')));
            }}
          >
            <h3 className="luukku-h3">{t('statement.answerHeading')}</h3>
            <Textarea
              id={`${prefix}-answer`}
              labelText={t('statement.answer')}
              value={answer}
              onChange={(e) => setAnswer(e.target.value)}
              status={answerErrors.answer ? 'error' : 'default'}
              statusText={answerErrors.answer}
              fullWidth
            />
            <UserErrorsNote errors={answerState.userErrors} shown={['input.answer']} />
            <ErrorNote error={answerState.error} />
            <Row>
              <Button type="submit" disabled={answerState.fetching}>
                {t('statement.send')}
              </Button>
            </Row>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void sendDecline({ id: r.id, reason: reason || null }).then((result) => result.ok && onChanged(t('statement.declined')));
            }}
          >
            <Textarea
              id={`${prefix}-reason`}
              labelText={t('statement.declineReason')}
              optionalText={t('form.optional')}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              fullWidth
            />
            <UserErrorsNote errors={declineState.userErrors} />
            <Row>
              <Button type="submit" variant="secondary" disabled={declineState.fetching}>
                {t('statement.decline')}
              </Button>
            </Row>
          </form>
        </>
      )}
      {r.viewerCanShare && (
        <>
          <Checkbox
            id={`${prefix}-share`}
            checked={r.isSharedWithCustomer}
            disabled={shareState.fetching}
            onClick={({ checkboxState }) =>
              void share({ id: r.id, shared: checkboxState }).then(
                (result) => result.ok && onChanged(t(checkboxState ? 'statement.shared' : 'statement.unshared')),
              )
            }
          >
            {t('statement.share')}
          </Checkbox>
          <UserErrorsNote errors={shareState.userErrors} />
        </>
      )}
    </div>
  );
}

/** The handling authority asks another authority of the project's municipality for a statement. */
export function StatementAsk({
  applicationId,
  municipality,
  ownAuthority,
  onAsked,
}: {
  applicationId: string;
  municipality: string;
  ownAuthority: string;
  onAsked: Done;
}) {
  const { t, lt } = useI18n();
  const [{ data }] = useQuery<{ authorities: { nodes: { id: string; code: string; name: LocalizedText }[] } }>({
    query: AUTHORITIES,
    variables: { municipality },
  });
  const [asked, setAsked] = useState<string | null>(null);
  const [question, setQuestion] = useState('');
  const [due, setDue] = useState(addDays(todayIso(), 14));
  const [dueError, setDueError] = useState('');
  const [state, ask] = usePayloadMutation<Payload>(STATEMENT_REQUEST, 'statementRequest');
  useListboxName('statement-authority');
  const errors: Record<string, string | undefined> = { ...errorsUnder(state.userErrors, ['input']) };
  if (dueError) errors.dueDate = dueError;
  const others = (data?.authorities.nodes ?? []).filter((a) => a.id !== ownAuthority);
  if (others.length === 0) return null; // loading, or no other authority to ask (a Dropdown needs items)
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!isDate(due)) {
          setDueError(t('form.dateInvalid'));
          return;
        }
        setDueError('');
        void ask({ id: applicationId, askedAuthorityId: asked ?? '', question, dueDate: due }).then((result) => {
          if (result.ok) {
            setQuestion('');
            onAsked(t('statement.requestSent'));
          }
        });
      }}
    >
      <h3 className="luukku-h3">{t('statement.askHeading')}</h3>
      <Dropdown
        id="statement-authority"
        labelText={t('statement.askedOf')}
        visualPlaceholder={t('form.choose')}
        value={asked}
        onChange={setAsked}
        status={errors.askedAuthorityId ? 'error' : 'default'}
        statusText={errors.askedAuthorityId}
      >
        {others.map((a) => (
          <DropdownItem key={a.id} value={a.id}>
            {lt(a.name)}
          </DropdownItem>
        ))}
      </Dropdown>
      <Textarea
        id="statement-question"
        labelText={t('statement.askQuestion')}
        value={question}
        onChange={(e) => setQuestion(e.target.value)}
        status={errors.question ? 'error' : 'default'}
        statusText={errors.question}
        fullWidth
      />
      <TextInput
        id="statement-due"
        labelText={t('statement.due')}
        hintText={t('form.dateHint')}
        value={due}
        onChange={(v) => setDue(String(v ?? ''))}
        status={errors.dueDate ? 'error' : 'default'}
        statusText={errors.dueDate}
      />
      <UserErrorsNote errors={state.userErrors} shown={['input.askedAuthorityId', 'input.question', 'input.dueDate']} />
      <ErrorNote error={state.error} />
      <Row>
        <Button type="submit" variant="secondary" disabled={state.fetching}>
          {t('statement.ask')}
        </Button>
      </Row>
    </form>
  );
}

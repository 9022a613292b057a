// Pieces both sides show: live project events, status history, supplement requests,
// decisions and discussion threads.
import { useEffect, useRef, useState } from 'react';
import { Button, Textarea } from 'suomifi-ui-components';
import { useSubscription } from 'urql';
import { LISTENING, MESSAGE_POST, PROJECT_ACTIVITY, type ActivityEvent, type Decision, type StatusChange, type SupplementRequest, type Thread, type UserError } from './api';
import { useI18n } from './i18n';
import type { Key } from './texts';
import { Dl, Muted, UserErrorsNote, errorsUnder, usePayloadMutation } from './ui';

/** Follow a project's live events; `onEvent` runs for each, and with null when the
 * subscription listens (LISTENING: on the first subscribe and after every reconnect), when the
 * page refetches what it shows: every change committed after that comes as an event. */
export function useProjectActivity(projectId: string | undefined, onEvent: (event: ActivityEvent | null) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [result] = useSubscription<{ projectActivity: ActivityEvent }>({
    query: PROJECT_ACTIVITY,
    variables: { id: projectId },
    pause: !projectId,
  });
  const last = result.data?.projectActivity;
  useEffect(() => {
    if (last) handler.current(last.kind === LISTENING ? null : last);
  }, [last]);
}

/** The live region that reads out what just happened. */
export function LiveAnnouncer({ text }: { text: string }) {
  return (
    <div role="status" aria-live="polite" className="luukku-live" data-testid="live-announcement">
      {text}
    </div>
  );
}

export function useEventText(): (event: ActivityEvent) => string {
  const { t, lt } = useI18n();
  return (event) => {
    const app = event.application;
    if (event.kind === 'MESSAGE_POSTED') return t('live.message', { author: event.message?.authorName ?? '' });
    if (event.attachment) return t('live.attachment', { name: event.attachment.name, status: t(`scan.${event.attachment.scanStatus}` as Key) });
    if (!app) return t('live.changed');
    return t('live.application', { permit: lt(app.permitType.name), status: lt(app.statusLabel) });
  };
}

export function StatusHistory({ changes }: { changes: StatusChange[] }) {
  const { t, dateTime } = useI18n();
  const label = useStatusLabel();
  return (
    <ol className="luukku-history">
      {changes.map((c, i) => (
        <li key={i}>
          <strong>{label(c.toStatus)}</strong> <Muted>{dateTime(c.createdAt)}</Muted> – {c.actorName}
          {c.comment && (
            <>
              <br />
              <span>
                {t('history.comment')}: {c.comment}
              </span>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

export function useStatusLabel(): (status: string) => string {
  const { t } = useI18n();
  return (status) => t(`status.${status}` as Parameters<typeof t>[0]);
}

export function SupplementList({ requests }: { requests: SupplementRequest[] }) {
  const { t, date, dateTime } = useI18n();
  if (requests.length === 0) return <p>{t('supplement.none')}</p>;
  return (
    <>
      {requests.map((r, i) => (
        <div key={i} className="luukku-supplement" data-open={r.isOpen ? 'true' : 'false'}>
          <Dl>
            <dt>{t('supplement.asked')}</dt>
            <dd>
              {r.message} <Muted>({r.requestedByName}, {dateTime(r.requestedAt)})</Muted>
            </dd>
            <dt>{t('supplement.due')}</dt>
            <dd>{date(r.dueDate)}</dd>
            <dt>{t('supplement.state')}</dt>
            <dd>
              {r.isOpen
                ? t('supplement.open')
                : r.answeredAt
                  ? t('supplement.answered', { when: dateTime(r.answeredAt) })
                  : t('supplement.closed')}
            </dd>
            {r.answerMessage && (
              <>
                <dt>{t('supplement.answer')}</dt>
                <dd>{r.answerMessage}</dd>
              </>
            )}
          </Dl>
        </div>
      ))}
    </>
  );
}

export function DecisionView({ decision }: { decision: Decision }) {
  const { t, date } = useI18n();
  const label = useStatusLabel();
  return (
    <Dl data-testid="decision">
      <dt>{t('decision.outcome')}</dt>
      <dd>{label(decision.outcome)}</dd>
      <dt>{t('decision.decidedOn')}</dt>
      <dd>{date(decision.decidedOn)}</dd>
      <dt>{t('decision.summary')}</dt>
      <dd>{decision.summary}</dd>
      {decision.documentReference && (
        <>
          <dt>{t('decision.reference')}</dt>
          <dd>{decision.documentReference}</dd>
        </>
      )}
      <dt>{t('decision.by')}</dt>
      <dd>{decision.recordedByName}</dd>
      <dt>{t('decision.shared')}</dt>
      <dd>{decision.isSharedWithAuthorities ? t('common.yes') : t('common.no')}</dd>
    </Dl>
  );
}

export function Discussion({ thread, idPrefix, onPosted }: { thread: Thread; idPrefix: string; onPosted(): void }) {
  const { t, lt, dateTime } = useI18n();
  const [body, setBody] = useState('');
  const [state, post] = usePayloadMutation<{ userErrors: UserError[] }>(MESSAGE_POST, 'messagePost');
  const errors = errorsUnder(state.userErrors, ['input']);
  return (
    <>
      {thread.messages.nodes.length === 0 ? (
        <p>{t('thread.empty')}</p>
      ) : (
        <ul className="luukku-messages">
          {thread.messages.nodes.map((m) => (
            <li key={m.id}>
              <strong>{m.authorName}</strong>
              {m.actingForName && <> ({lt(m.actingForName)})</>} <Muted>{dateTime(m.createdAt)}</Muted>
              <p>{m.body}</p>
            </li>
          ))}
        </ul>
      )}
      {thread.viewerCanPost && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void post({ threadId: thread.id, body }).then((r) => {
              if (r.ok) {
                setBody('');
                onPosted();
              }
            });
          }}
        >
          <Textarea
            id={`${idPrefix}-message`}
            labelText={t('thread.new')}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            status={errors.body ? 'error' : 'default'}
            statusText={errors.body}
            fullWidth
          />
          <UserErrorsNote errors={state.userErrors} shown={['input.body']} />
          <p>
            <Button type="submit" variant="secondary" disabled={state.fetching}>
              {t('thread.send')}
            </Button>
          </p>
        </form>
      )}
    </>
  );
}

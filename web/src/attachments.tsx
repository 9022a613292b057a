// An application's attachments: what its permit type asks for (required ones marked), the
// files with their virus scan's state and download links, and, on a draft the viewer may
// edit, the upload control (suomifi FileInput; GraphQL multipart, web/src/upload.ts) and
// removing a file. Both sides show it; only the customer's draft has the controls.
import { useState } from 'react';
import { Button, FileInput, InlineAlert, Paragraph, RadioButton, RadioButtonGroup } from 'suomifi-ui-components';
import { useClient } from 'urql';
import { APPLICATION, ATTACHMENT_REMOVE, type Attachment, type AttachmentRequirement, type ScanStatus, type UserError } from './api';
import { useI18n } from './i18n';
import type { Key } from './texts';
import { Muted, UserErrorsNote, usePayloadMutation } from './ui';
import { linkExpiry, uploadAttachment } from './upload';

// the radio value of "another file" (not a requirement's kind: those are lower-case codes)
const OTHER = '_OTHER';

export function typeLabel(contentType: string): string {
  const sub = contentType.split('/')[1] ?? contentType;
  return sub.replace(/^vnd\.|^x-/, '').toUpperCase();
}

export function useSize(): (bytes: number) => string {
  const { lang } = useI18n();
  const locale = lang === 'sv' ? 'sv-FI' : lang === 'en' ? 'en-GB' : 'fi-FI';
  return (bytes) => {
    const [value, unit] =
      bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'byte' ? 0 : 1 }).format(value);
  };
}

export interface AttachmentsProps {
  applicationId: string;
  requirements: AttachmentRequirement[];
  attachments: Attachment[];
  /** Content types for files that meet no requirement. */
  otherTypes: string[];
  /** The viewer may add and remove files (a draft of their own). */
  editable: boolean;
  /** Submission errors (ATTACHMENT_REQUIRED at ["input", "attachments", <kind>]), by kind. */
  missing?: Record<string, string>;
  idPrefix: string;
  onChanged(): void;
}

/** A download link; one about to expire (ATTACHMENT_LINK_SECONDS) is fetched again first. */
function DownloadLink({ applicationId, attachment }: { applicationId: string; attachment: Attachment }) {
  const { t } = useI18n();
  const client = useClient();
  if (!attachment.downloadUrl) return null;
  return (
    <a
      href={attachment.downloadUrl}
      download={attachment.name}
      onClick={(e) => {
        const exp = linkExpiry(attachment.downloadUrl ?? '');
        if (exp === null || exp - Date.now() / 1000 > 15) return;
        e.preventDefault();
        void client
          .query<{ application: { attachments: Attachment[] } | null }>(APPLICATION, { id: applicationId }, { requestPolicy: 'network-only' })
          .toPromise()
          .then((r) => {
            const fresh = r.data?.application?.attachments.find((a) => a.id === attachment.id)?.downloadUrl;
            if (fresh) window.location.assign(fresh);
          });
      }}
    >
      {t('attachments.download', { name: attachment.name })}
    </a>
  );
}

export function ScanState({ status }: { status: ScanStatus }) {
  const { t } = useI18n();
  const text = t(`scan.${status}` as Key);
  return status === 'INFECTED' || status === 'SCAN_FAILED' ? <span className="luukku-error">{text}</span> : <span>{text}</span>;
}

export function AttachmentList({ applicationId, requirements, attachments, editable, onRemove, removing, idPrefix }: {
  applicationId: string;
  requirements: AttachmentRequirement[];
  attachments: Attachment[];
  editable: boolean;
  onRemove?(a: Attachment): void;
  removing?: boolean;
  idPrefix: string;
}) {
  const { t, lt, dateTime } = useI18n();
  const size = useSize();
  if (attachments.length === 0) return <Paragraph>{t('attachments.none')}</Paragraph>;
  const kindName = (kind: string | null) => {
    const r = requirements.find((x) => x.kind === kind);
    return r ? lt(r.name) : t('attachments.other');
  };
  return (
    <table className="luukku-table stacked" data-testid={`${idPrefix}-attachments`}>
      <caption className="luukku-visually-hidden">{t('attachments.heading')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('attachments.file')}</th>
          <th scope="col">{t('attachments.kind')}</th>
          <th scope="col">{t('attachments.scan')}</th>
          <th scope="col">{t('attachments.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {attachments.map((a) => (
          <tr key={a.id} data-attachment={a.name} data-scan={a.scanStatus}>
            <td data-label={t('attachments.file')}>
              <strong>{a.name}</strong>
              <br />
              <Muted>
                {typeLabel(a.contentType)}, {size(a.size)} · {a.uploadedByName}, {dateTime(a.uploadedAt)}
              </Muted>
              <br />
              <Muted>
                <span className="luukku-hash">SHA-256 {a.sha256}</span>
              </Muted>
            </td>
            <td data-label={t('attachments.kind')}>{kindName(a.kind)}</td>
            <td data-label={t('attachments.scan')} data-testid="scan-status">
              <ScanState status={a.scanStatus} />
            </td>
            <td data-label={t('attachments.actions')}>
              <DownloadLink applicationId={applicationId} attachment={a} />
              {editable && a.viewerCanRemove && onRemove && (
                <div>
                  <Button variant="secondaryNoBorder" disabled={removing} onClick={() => onRemove(a)} aria-label={t('attachments.removeNamed', { name: a.name })}>
                    {t('attachments.remove')}
                  </Button>
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Requirements({ requirements, attachments, missing = {} }: { requirements: AttachmentRequirement[]; attachments: Attachment[]; missing?: Record<string, string> }) {
  const { t, lt } = useI18n();
  const size = useSize();
  if (requirements.length === 0) return null;
  return (
    <>
      <h3 className="luukku-h3">{t('attachments.needed')}</h3>
      <ul className="luukku-requirements">
        {requirements.map((r) => {
          const given = attachments.filter((a) => a.kind === r.kind && a.scanStatus !== 'INFECTED');
          return (
            <li key={r.kind} data-requirement={r.kind}>
              <strong>{lt(r.name)}</strong> ({r.isRequired ? t('attachments.required') : t('form.optional')}){' – '}
              {given.length > 0 ? t('attachments.given', { count: given.length }) : r.isRequired ? <span className="luukku-error">{t('attachments.missing')}</span> : t('attachments.notGiven')}
              {r.description && (
                <>
                  <br />
                  <Muted>{lt(r.description)}</Muted>
                </>
              )}
              <br />
              <Muted>{t('attachments.allowed', { types: r.allowedTypes.map(typeLabel).join(', '), max: size(r.maxBytes) })}</Muted>
              {missing[r.kind] && (
                <InlineAlert status="error" role="alert">
                  {missing[r.kind]}
                </InlineAlert>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** The customer's side: requirements, files, upload and removal. */
export function Attachments(props: AttachmentsProps) {
  const { t, lt, lang } = useI18n();
  const { applicationId, requirements, attachments, otherTypes, editable, missing, idPrefix, onChanged } = props;
  const size = useSize();
  const given = (r: AttachmentRequirement) => attachments.some((a) => a.kind === r.kind && a.scanStatus !== 'INFECTED');
  // by default the first required attachment still missing, then the first optional one
  const firstMissing = requirements.find((r) => r.isRequired && !given(r)) ?? requirements.find((r) => !given(r));
  const [kind, setKind] = useState<string | null>(null);
  const chosenKind = kind ?? firstMissing?.kind ?? OTHER;
  const requirement = requirements.find((r) => r.kind === chosenKind);
  const allowed = requirement ? requirement.allowedTypes : otherTypes;
  const maxBytes = requirement?.maxBytes ?? null;
  const [chosen, setChosen] = useState<File | null>(null);
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const [removeState, remove] = usePayloadMutation<{ userErrors: UserError[] }>(ATTACHMENT_REMOVE, 'attachmentRemove');

  const upload = async (file: File) => {
    setDone('');
    setProblem(null);
    setChosen(file);
    if (file.size === 0) return setProblem(t('attachments.empty', { name: file.name }));
    if (maxBytes !== null && file.size > maxBytes) return setProblem(t('attachments.tooLarge', { name: file.name, max: size(maxBytes) }));
    setUploading(true);
    const result = await uploadAttachment(applicationId, file, chosenKind === OTHER ? null : chosenKind, lang);
    setUploading(false);
    setChosen(null);
    if (result.ok) {
      setKind(null);
      setDone(t('attachments.added', { name: file.name }));
      onChanged();
    } else {
      setProblem(result.error ? t(result.error) : result.userErrors.map((e) => e.message).join(' '));
    }
  };

  // the control shows the file only while it is sent; afterwards it is listed above, or the
  // error says what was wrong with it (and the control is free for the next choice)
  const fileItems = chosen && uploading ? [{ file: chosen, status: 'loading' as const, ariaLoadingText: t('attachments.uploading') }] : [];

  return (
    <>
      <Requirements requirements={requirements} attachments={attachments} missing={missing} />
      <h3 className="luukku-h3">{t('attachments.files')}</h3>
      <AttachmentList
        applicationId={applicationId}
        requirements={requirements}
        attachments={attachments}
        editable={editable}
        removing={removeState.fetching}
        idPrefix={idPrefix}
        onRemove={(a) =>
          void remove({ id: a.id }).then((r) => {
            if (r.ok) {
              setDone(t('attachments.removed', { name: a.name }));
              onChanged();
            }
          })
        }
      />
      <UserErrorsNote errors={removeState.userErrors} />
      {done && (
        <div role="status" className="luukku-done">
          <Paragraph mt="s">{done}</Paragraph>
        </div>
      )}
      {editable && (
        <>
          <h3 className="luukku-h3">{t('attachments.add')}</h3>
          {requirements.length > 0 && (
            <RadioButtonGroup
              labelText={t('attachments.which')}
              name={`${idPrefix}-attachment-kind`}
              value={chosenKind}
              onChange={(v) => {
                setKind(v);
                setProblem(null);
              }}
            >
              {[
                ...requirements.map((r) => (
                  <RadioButton key={r.kind} value={r.kind}>
                    {`${lt(r.name)} (${r.isRequired ? t('attachments.required') : t('form.optional')})`}
                  </RadioButton>
                )),
                <RadioButton key={OTHER} value={OTHER}>
                  {t('attachments.other')}
                </RadioButton>,
              ]}
            </RadioButtonGroup>
          )}
          <FileInput
            id={`${idPrefix}-attachment-file`}
            mt="m"
            labelText={t('attachments.fileLabel')}
            hintText={
              maxBytes === null
                ? t('attachments.allowedTypes', { types: allowed.map(typeLabel).join(', ') })
                : t('attachments.allowed', { types: allowed.map(typeLabel).join(', '), max: size(maxBytes) })
            }
            inputButtonText={t('attachments.choose')}
            dragAreaText={t('attachments.drag')}
            removeFileText={t('attachments.clear')}
            addedFileAriaText={t('attachments.chosen')}
            accept={allowed.join(',')}
            value={fileItems}
            status={problem ? 'error' : 'default'}
            statusText={problem ?? undefined}
            onChange={(files) => {
              // a controlled FileInput passes its shown files first, then the new one
              const file = files[files.length - 1];
              if (file) void upload(file);
            }}
          />
        </>
      )}
    </>
  );
}

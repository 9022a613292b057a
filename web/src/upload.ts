// Uploads by the GraphQL multipart request spec (operations + map + the file part), with
// fetch and FormData: the same origin, the session cookie or the tab's token, and the
// CSRF header every GraphQL request carries. urql's fetchExchange does not send files.
import { ATTACHMENT_ADD, type UserError } from './api';
import { authHeaders } from './auth';
import { apiUrl } from './config';
import type { Key } from './texts';

export interface UploadResult {
  ok: boolean;
  /** The payload's user errors (FILE_TYPE_NOT_ALLOWED, FILE_TOO_LARGE, …), in the user's language. */
  userErrors: UserError[];
  /** A refused request (no payload), as one of the client's texts. */
  error: Key | null;
}

/** Top-level codes of a refused request, as the client's texts. */
function refusal(status: number, code: string | undefined): Key {
  if (status === 401 || code === 'UNAUTHENTICATED') return 'error.unauthenticated';
  if (status === 413 || code === 'PAYLOAD_TOO_LARGE') return 'attachments.requestTooLarge';
  if (status === 429 || code === 'TOO_MANY_REQUESTS') return 'error.tooMany';
  if (code === 'FORBIDDEN') return 'error.forbidden';
  if (code === 'BAD_MULTIPART') return 'attachments.badUpload';
  return 'error.unexpected';
}

export async function uploadAttachment(applicationId: string, file: File, kind: string | null, language: string): Promise<UploadResult> {
  const body = new FormData();
  body.append(
    'operations',
    JSON.stringify({ query: ATTACHMENT_ADD, variables: { input: { applicationId, files: [{ file: null, kind }] } } }),
  );
  body.append('map', JSON.stringify({ 0: ['variables.input.files.0.file'] }));
  body.append('0', file, file.name);
  let response: Response;
  try {
    response = await fetch(apiUrl('/graphql'), {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { ...authHeaders(), 'Accept-Language': language, Accept: 'application/graphql-response+json, application/json' },
    });
  } catch {
    return { ok: false, userErrors: [], error: 'error.network' };
  }
  let result: { data?: { attachmentAdd?: { userErrors: UserError[] } | null } | null; errors?: { extensions?: { code?: string } }[] } | null = null;
  try {
    result = await response.json();
  } catch {
    result = null;
  }
  const payload = result?.data?.attachmentAdd;
  if (!payload) return { ok: false, userErrors: [], error: refusal(response.status, result?.errors?.[0]?.extensions?.code) };
  return { ok: payload.userErrors.length === 0, userErrors: payload.userErrors, error: null };
}

/** The expiry (Unix seconds) of a signed download link (`?exp=`), if it has one. */
export function linkExpiry(url: string): number | null {
  try {
    const exp = new URL(url, window.location.href).searchParams.get('exp');
    return exp && /^\d+$/.test(exp) ? Number(exp) : null;
  } catch {
    return null;
  }
}

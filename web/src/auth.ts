// The client's sign-in state, in one place so that the switch to the server's session
// (OpenID Connect, /auth/*) is small:
// - a demo token pasted on the sign-in page is kept in sessionStorage and sent as
//   `Authorization: Bearer …` on HTTP and in graphql-ws's connection_init;
// - without a token, requests rely on the session cookie (credentials: 'same-origin');
//   every GraphQL request carries `X-Luukku-CSRF: 1`, which the cookie session requires
//   and which is harmless with a token;
// - `viewer.isAuthenticated` tells whether either way signed the user in.
import { apiUrl } from './config';

const TOKEN_KEY = 'luukku.token';

export function getToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  window.sessionStorage.setItem(TOKEN_KEY, token.trim().replace(/^Bearer\s+/i, ''));
}

export function clearToken(): void {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

/** Headers of every GraphQL HTTP request. */
export function authHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'X-Luukku-CSRF': '1' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** graphql-ws connection_init payload: the token, or nothing (the cookie then). */
export function connectionParams(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

let serverLogin: Promise<boolean> | null = null;
const PROBE_KEY = 'luukku.serverLogin';

/**
 * True when the server offers its own sign-in: `/auth/login` redirects to an issuer; a 404
 * (SIGN_IN_NOT_CONFIGURED) says it does not. Asked once per tab.
 */
export function serverOffersLogin(): Promise<boolean> {
  if (!serverLogin) {
    const known = window.sessionStorage.getItem(PROBE_KEY);
    serverLogin =
      known !== null
        ? Promise.resolve(known === 'yes')
        : fetch(apiUrl('/auth/login?returnTo=%2Fui%2F'), { method: 'HEAD', redirect: 'manual', credentials: 'same-origin' })
            .then((r) => r.type === 'opaqueredirect' || (r.status >= 300 && r.status < 400))
            .catch(() => false)
            .then((offered) => {
              window.sessionStorage.setItem(PROBE_KEY, offered ? 'yes' : 'no');
              return offered;
            });
  }
  return serverLogin;
}

export function loginUrl(returnTo: string): string {
  return apiUrl(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
}

/**
 * Sign out: forget the token, or end the server session (`POST /auth/logout`). Returns the
 * issuer's end-session address to go to, if it has one.
 */
export async function signOut(hasSession: boolean): Promise<string | null> {
  clearToken();
  if (!hasSession) return null;
  const answer = await fetch(apiUrl('/auth/logout'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-Luukku-CSRF': '1', Accept: 'application/json' },
  })
    .then((r) => r.json() as Promise<{ endSessionUrl?: string | null }>)
    .catch(() => null);
  return answer?.endSessionUrl ?? null;
}

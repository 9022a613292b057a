// Where the API is: the same origin (served by Luukku under /ui), or VITE_LUUKKU_API for
// the Vite dev server (e.g. http://127.0.0.1:8000; the API must list the dev server's
// origin in ALLOWED_ORIGINS).
const base = (import.meta.env.VITE_LUUKKU_API as string | undefined)?.replace(/\/$/, '') ?? '';

export function apiUrl(path: string): string {
  return `${base}${path}`;
}

export function wsUrl(): string {
  const origin = base || window.location.origin;
  return origin.replace(/^http/, 'ws') + '/graphql';
}

/** The client's own paths are under /ui. */
export const UI_BASE = '/ui';

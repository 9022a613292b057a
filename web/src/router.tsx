// A small router over the History API: the client's pages are few, and a router library
// would cost more than this file.
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { UI_BASE } from './config';

const listeners = new Set<() => void>();

function notify(): void {
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', notify);

/** Go to a path under /ui (e.g. `/projects/…`). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = path.startsWith(UI_BASE) ? path : UI_BASE + path;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  /** The path below /ui, starting with "/". */
  path: string;
  query: URLSearchParams;
  /** The whole path and query, for returnTo. */
  href: string;
}

function current(): Location {
  const { pathname, search } = window.location;
  const below = pathname.startsWith(UI_BASE) ? pathname.slice(UI_BASE.length) : pathname;
  return {
    path: below === '' ? '/' : below,
    query: new URLSearchParams(search),
    href: pathname + search,
  };
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

/** Match `/projects/:id` style patterns; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/$/, '').split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i += 1) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** Props for an <a> (or suomifi Link) that navigates inside the client. */
export function linkProps(path: string): { href: string; onClick: (e: MouseEvent) => void } {
  return {
    href: UI_BASE + path,
    onClick: (e: MouseEvent) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
      e.preventDefault();
      navigate(path);
    },
  };
}

export function AppLink({ to, children }: { to: string; children: ReactNode }) {
  return <a {...linkProps(to)}>{children}</a>;
}

// Who is signed in (the `viewer` query) and for whom the customer acts now.
import { createContext, useContext } from 'react';
import type { Viewer } from './api';
import type { LiveStatus } from './gql';

export type ActingFor = { kind: 'self' } | { kind: 'organisation'; id: string; name: string };

export interface Session {
  viewer: Viewer;
  live: LiveStatus;
  actingFor: ActingFor;
  /** Choose for whom to act; a session asks the server (actingForSelect), which checks the mandate. */
  setActingFor(value: ActingFor): Promise<string | null>;
  signOut(): void;
  isAuthority: boolean;
  isAdminOf(authorityId: string): boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

const ACTING_KEY = 'luukku.actingFor';

export function storedActingFor(viewer: Viewer): ActingFor {
  if (viewer.hasSession) {
    // the server keeps a session's choice (actingForSelect), checked against its mandates
    return viewer.actingFor ? { kind: 'organisation', id: viewer.actingFor.id, name: viewer.actingFor.name } : { kind: 'self' };
  }
  const raw = window.sessionStorage.getItem(ACTING_KEY);
  const orgs = representedOrganisations(viewer);
  if (raw) {
    const found = orgs.find((o) => o.id === raw);
    if (found) return { kind: 'organisation', id: found.id, name: found.name };
  }
  if (!viewer.canActPersonally && orgs.length > 0) return { kind: 'organisation', id: orgs[0].id, name: orgs[0].name };
  return { kind: 'self' };
}

export function storeActingFor(value: ActingFor): void {
  if (value.kind === 'self') window.sessionStorage.removeItem(ACTING_KEY);
  else window.sessionStorage.setItem(ACTING_KEY, value.id);
}

export function representedOrganisations(viewer: Viewer): { id: string; name: string }[] {
  if (viewer.hasSession) return viewer.mayActFor.map((m) => ({ id: m.organisation.id, name: m.organisation.name }));
  return viewer.memberships
    .filter((m) => m.role === 'CUSTOMER_REPRESENTATIVE' && m.organisation)
    .map((m) => ({ id: m.organisation!.id, name: m.organisation!.name }));
}

import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Provider, useClient, useQuery } from 'urql';
import type { Viewer } from './api';
import { ACTING_FOR_SELECT, VIEWER } from './api';
import { clearToken, signOut as endSession } from './auth';
import { createApi, type Api } from './gql';
import { currentLang } from './i18n';
import { Layout } from './Layout';
import { match, navigate, useLocation, type Location } from './router';
import { representedOrganisations, SessionContext, storeActingFor, storedActingFor, type ActingFor, type Session } from './session';
import { SignIn } from './SignIn';
import { ErrorNote, Loading } from './ui';

const Customer = lazy(() => import('./customer/pages'));
const Authority = lazy(() => import('./authority/pages'));

export function App() {
  const [generation, setGeneration] = useState(0);
  const [expired, setExpired] = useState(false);
  // A new client (and socket) per sign-in; the previous one is closed when it is replaced
  // (not in an effect's cleanup, which React's StrictMode runs once on mount).
  const current = useRef<{ generation: number; api: Api } | null>(null);
  if (!current.current || current.current.generation !== generation) {
    current.current?.api.dispose();
    current.current = {
      generation,
      // a token or session that stopped working: back to the sign-in page, saying why
      api: createApi(currentLang, () => {
        clearToken();
        setExpired(true);
        setGeneration((g) => g + 1);
      }),
    };
  }
  const api = current.current.api;
  const restart = useCallback(() => setGeneration((g) => g + 1), []);
  return (
    <Provider value={api.client}>
      <Shell key={generation} live={api.live} restart={restart} expired={expired} clearExpired={() => setExpired(false)} />
    </Provider>
  );
}

function Shell({
  live,
  restart,
  expired,
  clearExpired,
}: {
  live: Session['live'];
  restart(): void;
  expired: boolean;
  clearExpired(): void;
}) {
  const location = useLocation();
  const client = useClient();
  const [{ data, fetching, error }] = useQuery<{ viewer: Viewer }>({ query: VIEWER, requestPolicy: 'network-only' });
  const viewer = data?.viewer;
  const [actingFor, setActingForState] = useState<ActingFor>({ kind: 'self' });
  useEffect(() => {
    if (viewer?.isAuthenticated) setActingForState(storedActingFor(viewer));
  }, [viewer]);
  const session = useMemo<Session | null>(() => {
    if (!viewer?.isAuthenticated) return null;
    const authorityRoles = viewer.memberships.filter((m) => m.authority);
    return {
      viewer,
      live,
      actingFor,
      async setActingFor(value) {
        if (viewer.hasSession) {
          const result = await client
            .mutation<{ actingForSelect: { userErrors: { message: string }[] } }>(ACTING_FOR_SELECT, {
              input: { organisationId: value.kind === 'organisation' ? value.id : null },
            })
            .toPromise();
          const problem = result.data?.actingForSelect.userErrors[0]?.message ?? (result.error ? result.error.message : null);
          if (problem) return problem;
        }
        storeActingFor(value);
        setActingForState(value);
        return null;
      },
      signOut() {
        void endSession(viewer.hasSession).then((endSessionUrl) => {
          if (endSessionUrl) {
            window.location.assign(endSessionUrl);
            return;
          }
          restart();
          navigate('/signin');
        });
      },
      isAuthority: authorityRoles.length > 0,
      isAdminOf: (id) => authorityRoles.some((m) => m.role === 'AUTHORITY_ADMIN' && m.authority?.id === id),
    };
  }, [viewer, live, actingFor, restart, client]);

  const signedIn = (
    <SignIn
      returnTo={safeReturnTo(location.query.get('returnTo'))}
      expired={expired}
      onSignedIn={(returnTo) => {
        clearExpired();
        restart();
        navigate(returnTo, { replace: true });
      }}
    />
  );
  let content;
  if (fetching && !data) content = <Loading />;
  else if (error && !data) content = <ErrorNote error={error} />;
  else if (!session) {
    content =
      location.path === '/signin' ? (
        signedIn
      ) : (
        <Redirect to={`/signin?returnTo=${encodeURIComponent(location.href)}`} />
      );
  } else if (location.path === '/signin') {
    content = <Redirect to={safeReturnTo(location.query.get('returnTo'))} />;
  } else if (location.path === '/' && session.isAuthority && !session.viewer.memberships.some((m) => m.role === 'CUSTOMER_REPRESENTATIVE')) {
    content = <Redirect to="/authority" />;
  } else if (location.query.has('actingFor')) {
    content = <ActFor session={session} location={location} />;
  } else if (match('/authority', location.path) || location.path.startsWith('/authority/')) {
    content = <Authority location={location} />;
  } else {
    content = <Customer location={location} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout session={session}>
        <Suspense fallback={<Loading />}>{content}</Suspense>
      </Layout>
    </SessionContext.Provider>
  );
}

/**
 * A notice about an organisation's project links with `?actingFor=<organisation>`: act for
 * it (a session acts for one organisation at a time, and the server shows an organisation's
 * projects only to whoever acts for it), then open the page without the parameter.
 */
function ActFor({ session, location }: { session: Session; location: Location }) {
  const id = location.query.get('actingFor');
  useEffect(() => {
    const query = new URLSearchParams(location.query);
    query.delete('actingFor');
    const rest = query.toString();
    const to = location.path + (rest ? `?${rest}` : '');
    const organisation = representedOrganisations(session.viewer).find((o) => o.id === id);
    const already = session.actingFor.kind === 'organisation' && session.actingFor.id === id;
    if (!organisation || already) {
      navigate(to, { replace: true });
      return;
    }
    void session.setActingFor({ kind: 'organisation', id: organisation.id, name: organisation.name }).then(() => navigate(to, { replace: true }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  return <Loading />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <Loading />;
}

/** Only the client's own paths (a returnTo from the address bar is not trusted). */
export function safeReturnTo(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/';
  return raw.startsWith('/ui/') || raw === '/ui' ? raw.slice(3) || '/' : raw;
}

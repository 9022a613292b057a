import { useEffect, useState, type ReactNode } from 'react';
import styled from 'styled-components';
import { Button, LanguageMenu, LanguageMenuItem, Notification, SkipLink } from 'suomifi-ui-components';
import type { LiveState } from './gql';
import { LANGS, LANGUAGE_NAMES, useI18n } from './i18n';
import { linkProps, useLocation } from './router';
import type { Session } from './session';
import { colors, spacing, useSmallScreen } from './ui';

const Header = styled.header`
  background: ${colors.whiteBase};
  border-bottom: 4px solid ${colors.brandBase};
`;

const HeaderInner = styled.div`
  max-width: 1100px;
  margin: 0 auto;
  padding: ${spacing.s} ${spacing.m};
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  justify-content: space-between;
  gap: ${spacing.s};
`;

const Brand = styled.a`
  text-decoration: none;
  color: ${colors.brandBase};
  display: flex;
  flex-direction: column;
  .name {
    font-size: 28px;
    font-weight: 600;
    line-height: 1.1;
  }
  .tagline {
    font-size: 16px;
    color: ${colors.blackBase};
  }
`;

const Tools = styled.div`
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: ${spacing.s};
`;

const Nav = styled.nav`
  background: ${colors.whiteBase};
  border-bottom: 1px solid ${colors.depthLight1};
  ul {
    max-width: 1100px;
    margin: 0 auto;
    padding: 0 ${spacing.m};
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: ${spacing.l};
  }
  a {
    display: inline-block;
    padding: ${spacing.xs} 0;
    color: ${colors.blackBase};
    text-decoration: none;
    font-weight: 600;
    border-bottom: 3px solid transparent;
  }
  a[aria-current='page'] {
    border-bottom-color: ${colors.highlightBase};
    color: ${colors.highlightDark1};
  }
`;

const Main = styled.main`
  max-width: 1100px;
  margin: 0 auto;
  padding: ${spacing.m};
  @media (max-width: 600px) {
    padding: ${spacing.s};
  }
`;

const Footer = styled.footer`
  max-width: 1100px;
  margin: ${spacing.xl} auto 0;
  padding: ${spacing.m};
  color: ${colors.blackLight1};
  font-size: 16px;
`;

const Banner = styled.div`
  max-width: 1100px;
  margin: ${spacing.s} auto 0;
  padding: 0 ${spacing.m};
`;

export function Layout({ session, children }: { session: Session | null; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const location = useLocation();
  const small = useSmallScreen();
  const nav: { to: string; label: string }[] = [];
  if (session) {
    const customer = session.viewer.memberships.some((m) => m.role === 'CUSTOMER_REPRESENTATIVE') || (session.viewer.canActPersonally && !session.isAuthority);
    if (customer) {
      nav.push({ to: '/', label: t('nav.projects') }, { to: '/start', label: t('nav.start') });
    }
    if (session.isAuthority) nav.push({ to: '/authority', label: t('nav.inbox') });
  }
  const currentNav = (to: string) =>
    to === '/' ? location.path === '/' || location.path.startsWith('/projects') || location.path.startsWith('/applications') : location.path.startsWith(to);
  return (
    <>
      <SkipLink href="#main">{t('nav.skip')}</SkipLink>
      <Header>
        <HeaderInner>
          <Brand {...linkProps('/')}>
            <span className="name">Luukku</span>
            <span className="tagline">{t('app.tagline')}</span>
          </Brand>
          <Tools>
            <LanguageMenu
              buttonText={LANGUAGE_NAMES[lang]}
              aria-label={t('lang.change', { current: LANGUAGE_NAMES[lang] })}
            >
              {LANGS.map((l) => (
                <LanguageMenuItem key={l} lang={l} selected={l === lang} onSelect={() => setLang(l)}>
                  {LANGUAGE_NAMES[l]}
                </LanguageMenuItem>
              ))}
            </LanguageMenu>
            {session && (
              <>
                <span>{session.viewer.person?.name ?? t('viewer.system')}</span>
                <Button variant="secondaryNoBorder" onClick={() => session.signOut()}>
                  {t('signin.signOut')}
                </Button>
              </>
            )}
          </Tools>
        </HeaderInner>
      </Header>
      {nav.length > 0 && (
        <Nav aria-label={t('nav.label')}>
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <a {...linkProps(n.to)} aria-current={currentNav(n.to) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </Nav>
      )}
      {session && <LiveBanner live={session.live} small={small} />}
      <Main id="main" tabIndex={-1}>
        {children}
      </Main>
      <Footer>{t('app.footer')}</Footer>
    </>
  );
}

/** "Connection lost" while the socket is down, "restored" for a while after it is back. */
function LiveBanner({ live, small }: { live: Session['live']; small: boolean }) {
  const { t } = useI18n();
  const [state, setState] = useState<LiveState>(live.state);
  useEffect(() => live.subscribe(setState), [live]);
  useEffect(() => {
    if (state !== 'restored') return undefined;
    const timer = setTimeout(() => setState('connected'), 8000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <Banner role="status" aria-live="polite" data-live-state={state}>
      {state === 'lost' && (
        <Notification
          status="error"
          headingText={t('live.lostHeading')}
          showCloseButton={false}
          smallScreen={small}
          regionAriaLabel={t('live.region')}
        >
          {t('live.lost')}
        </Notification>
      )}
      {state === 'restored' && (
        <Notification
          headingText={t('live.restoredHeading')}
          closeText={t('common.close')}
          onCloseButtonClick={() => setState('connected')}
          smallScreen={small}
          regionAriaLabel={t('live.region')}
        >
          {t('live.restored')}
        </Notification>
      )}
    </Banner>
  );
}

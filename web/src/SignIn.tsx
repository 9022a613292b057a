import { useEffect, useState } from 'react';
import { Button, Heading, InlineAlert, Paragraph, TextInput } from 'suomifi-ui-components';
import { VIEWER, type Viewer } from './api';
import { loginUrl, serverOffersLogin, setToken } from './auth';
import { apiUrl, UI_BASE } from './config';
import { useI18n } from './i18n';
import { Card, Stack, useSmallScreen } from './ui';

/** Sign in: with the server's login when it offers one, or with a demo token. */
export function SignIn({ returnTo, expired, onSignedIn }: { returnTo: string; expired: boolean; onSignedIn(returnTo: string): void }) {
  const { t } = useI18n();
  const small = useSmallScreen();
  const [token, setTokenValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offersLogin, setOffersLogin] = useState(false);
  useEffect(() => {
    void serverOffersLogin().then(setOffersLogin);
  }, []);

  async function submit() {
    if (!token.trim()) {
      setError(t('signin.tokenMissing'));
      return;
    }
    setBusy(true);
    const value = token.trim().replace(/^Bearer\s+/i, '');
    const ok = await fetch(apiUrl('/graphql'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${value}` },
      body: JSON.stringify({ query: VIEWER }),
    })
      .then(async (r) => r.ok && ((await r.json()) as { data?: { viewer: Viewer } }).data?.viewer.isAuthenticated === true)
      .catch(() => false);
    setBusy(false);
    if (ok) {
      setToken(value);
      onSignedIn(returnTo);
    } else {
      setError(t('signin.tokenInvalid'));
    }
  }

  return (
    <Stack>
      <Heading variant="h1" smallScreen={small}>
        {t('signin.heading')}
      </Heading>
      {expired && (
        <InlineAlert status="warning" role="alert">
          {t('signin.expired')}
        </InlineAlert>
      )}
      {offersLogin && (
        <Card>
          <Paragraph>{t('signin.serverIntro')}</Paragraph>
          <Button onClick={() => window.location.assign(loginUrl(UI_BASE + returnTo))}>{t('signin.withServer')}</Button>
        </Card>
      )}
      <Card>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Paragraph>{t('signin.tokenIntro')}</Paragraph>
            <TextInput
              id="token"
              labelText={t('signin.token')}
              hintText={t('signin.tokenHint')}
              type="password"
              autoComplete="off"
              value={token}
              onChange={(v) => {
                setTokenValue(String(v ?? ''));
                setError(null);
              }}
              status={error ? 'error' : 'default'}
              statusText={error ?? undefined}
              fullWidth
            />
            <div>
              <Button type="submit" disabled={busy}>
                {t('signin.submit')}
              </Button>
            </div>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}

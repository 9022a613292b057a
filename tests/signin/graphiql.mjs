// A demo person in Debian's Chromium: opens GraphiQL, signs in on the issuer's own login
// page, and then works in GraphiQL with the session cookie alone: a query, a mutation, a
// subscription over WebSocket that shows a change made in a second GraphiQL tab, and
// signs out (at Luukku and at the issuer).
// tests/signin/test_graphiql_in_chromium.py starts `luukku demo` and runs this script.
//
// Environment: LUUKKU_URL, LUUKKU_ISSUER, LUUKKU_LOGIN / LUUKKU_PASSWORD (the demo person),
// LUUKKU_BUNDLE / LUUKKU_PERMIT_TYPE (ids for projectCreate), LUUKKU_NAME (the person's
// name), ARTIFACTS (screenshots and results.json), CHROMIUM (default /usr/bin/chromium).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// playwright-core is the web client's dev dependency (web/node_modules, `make web`)
const { chromium } = createRequire(join(root, 'web', 'package.json'))('playwright-core');

const base = process.env.LUUKKU_URL ?? 'http://127.0.0.1:8000';
const origin = new URL(base).origin;
const issuer = new URL(process.env.LUUKKU_ISSUER).origin;
const artifacts = process.env.ARTIFACTS ?? join(here, 'artifacts');
const TIMEOUT = 20_000;
mkdirSync(artifacts, { recursive: true });

const results = { steps: [], requests: [], socketFrames: [], offOrigin: [], issuerPages: [], consoleErrors: [] };
let shot = 0;

function log(message) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

async function screenshot(page, name) {
  shot += 1;
  await page.screenshot({ path: join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`) });
  results.steps.push(name);
}

/** Wait until `check()` returns a truthy value (polling; no fixed sleeps). */
async function until(what, check, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last).slice(0, 300)})`);
}

/** GraphiQL's result pane (a CodeMirror editor), as text. */
async function resultText(page) {
  return page.evaluate(() => {
    const cm = document.querySelector('.result-window .CodeMirror');
    return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
  });
}

async function resultJson(page) {
  const text = await resultText(page);
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Open GraphiQL with an operation (and variables) in its editors (its `q`/`variables` link). */
async function openGraphiQL(page, query, variables) {
  // the page decodes its parameters with decodeURIComponent (so no `+` for spaces)
  let params = `q=${encodeURIComponent(query)}`;
  if (variables) params += `&variables=${encodeURIComponent(JSON.stringify(variables))}`;
  await page.goto(`${base}/graphql?${params}`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: TIMEOUT });
  // the editor shows the operation of the link
  await until('the query editor', () =>
    page.evaluate((q) => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() === q, query),
  );
}

async function run(page) {
  await page.locator('.graphiql-execute-button').click();
}

async function runAndWait(page, field) {
  const before = await resultText(page);
  await run(page);
  return until(`the result of ${field}`, async () => {
    const text = await resultText(page);
    if (text === before) return null;
    const json = await resultJson(page);
    return json && (json.data || json.errors) ? json : null;
  });
}

/** The issuer's own pages: Canaille asks for the login, then the password. */
async function signInAtIssuer(page, login, password) {
  await until('the issuer login page', () => page.url().startsWith(issuer));
  await until('GraphiQL after the issuer', async () => {
    if (page.url().startsWith(`${origin}/graphql`)) return true;
    if (!page.url().startsWith(issuer)) return false;
    if (!results.issuerPages.includes(new URL(page.url()).pathname)) results.issuerPages.push(new URL(page.url()).pathname);
    const passwordField = page.locator('input[name="password"]');
    const loginField = page.locator('input[name="login"], input[name="username"]').first();
    if (await passwordField.isVisible()) {
      await screenshot(page, 'issuer-password');
      await passwordField.fill(password);
      await passwordField.press('Enter');
      await page.waitForLoadState('domcontentloaded');
    } else if (await loginField.isVisible()) {
      await screenshot(page, 'issuer-login');
      await loginField.fill(login);
      await loginField.press('Enter');
      await page.waitForLoadState('domcontentloaded');
    }
    return false;
  }, 40_000);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const started = Date.now();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB' });
  // nothing but Luukku and the sign-in service (GraphiQL's assets are Luukku's own)
  await context.route(
    (url) => !url.href.startsWith(origin),
    (route) => {
      if (route.request().url().startsWith(issuer)) return route.continue();
      results.offOrigin.push(route.request().url());
      return route.abort();
    },
  );
  context.on('request', async (request) => {
    if (!request.url().startsWith(`${origin}/graphql`) || request.method() !== 'POST') return;
    const headers = await request.allHeaders();
    const body = request.postDataJSON() ?? {};
    results.requests.push({
      operation: String(body.query ?? '').trim().split(/[\s({]/)[0] || 'query',
      authorization: 'authorization' in headers,
      csrf: headers['x-luukku-csrf'] ?? null,
      sessionCookie: /(^|;\s*)luukku=/.test(headers.cookie ?? ''),
    });
  });
  context.on('page', (page) => {
    page.on('console', (m) => m.type() === 'error' && results.consoleErrors.push(m.text()));
    page.on('pageerror', (e) => results.consoleErrors.push(String(e)));
    page.on('websocket', (ws) => {
      const frames = { url: ws.url(), sent: [], received: [] };
      results.socketFrames.push(frames);
      ws.on('framesent', (f) => frames.sent.push(JSON.parse(f.payload)));
      ws.on('framereceived', (f) => frames.received.push(JSON.parse(f.payload)));
      ws.on('close', () => (frames.closed = true));
    });
  });

  // 1. GraphiQL, not signed in: its logo offers "Sign in"; the issuer's login page; back
  const page = await context.newPage();
  await page.goto(`${base}/graphql`);
  const signIn = page.locator('a.luukku-sign-in');
  await signIn.waitFor({ timeout: TIMEOUT });
  await screenshot(page, 'graphiql-signed-out');
  await signIn.click();
  await signInAtIssuer(page, process.env.LUUKKU_LOGIN, process.env.LUUKKU_PASSWORD);
  await page.locator('.luukku-session').waitFor({ timeout: TIMEOUT });
  results.logo = (await page.locator('.luukku-session').innerText()).trim();
  log(`signed in: ${results.logo}`);
  await screenshot(page, 'graphiql-signed-in');

  // 2. A query with the session alone
  await openGraphiQL(page, '{ viewer { isAuthenticated hasSession person { name } } }');
  results.viewer = (await runAndWait(page, 'viewer')).data?.viewer ?? null;
  log(`viewer: ${JSON.stringify(results.viewer)}`);
  await screenshot(page, 'viewer');

  // 3. A mutation with the session alone (GraphiQL's page sends X-Luukku-CSRF: 1)
  const create = `mutation($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    project { id name applications { nodes { id version isSharedWithAuthorities } } }
    userErrors { code message }
  }
}`;
  await openGraphiQL(page, create, {
    input: { serviceBundleId: process.env.LUUKKU_BUNDLE, name: 'GraphiQL-juhla', municipalityCode: '091', permitTypeIds: [process.env.LUUKKU_PERMIT_TYPE] },
  });
  const created = (await runAndWait(page, 'projectCreate')).data?.projectCreate ?? null;
  results.projectCreate = created;
  log(`projectCreate: ${JSON.stringify(created)}`);
  if (!created?.project) throw new Error(`projectCreate failed: ${await resultText(page)}`);
  await screenshot(page, 'project-created');
  const projectId = created.project.id;
  let application = created.project.applications.nodes[0];

  // 4. A subscription over WebSocket with the session alone
  const activity = `subscription($id: ID!) {
  projectActivity(projectId: $id) {
    kind
    ... on ApplicationEvent { application { id version isSharedWithAuthorities } }
  }
}`;
  await openGraphiQL(page, activity, { id: projectId });
  await run(page);
  await until('the subscription on the socket', () =>
    results.socketFrames.some((s) => s.received.some((m) => m.type === 'connection_ack') && s.sent.some((m) => m.type === 'subscribe')),
  );
  log('subscribed');

  // 5. A change made in a second GraphiQL tab (same browser, same session) reaches the first
  //    tab live. The socket's subscription may still be registering on the server when the
  //    first change commits, so the change is repeated (shared, unshared, ...) until one
  //    shows; each attempt waits generously.
  const other = await context.newPage();
  const share = `mutation($id: ID!, $version: Int!, $shared: Boolean!) {
  applicationShare(input: {id: $id, expectedVersion: $version, shared: $shared}) {
    application { id version isSharedWithAuthorities }
    userErrors { code message }
  }
}`;
  results.shareAttempts = 0;
  let event = null;
  for (let attempt = 0; attempt < 5 && !event; attempt += 1) {
    results.shareAttempts += 1;
    const shared = !application.isSharedWithAuthorities;
    await openGraphiQL(other, share, { id: application.id, version: application.version, shared });
    const answer = (await runAndWait(other, 'applicationShare')).data?.applicationShare;
    if (!answer?.application || answer.userErrors.length) throw new Error(`applicationShare: ${await resultText(other)}`);
    application = answer.application;
    const kind = shared ? 'APPLICATION_SHARED' : 'APPLICATION_UNSHARED';
    event = await until(`${kind} in the first tab`, async () => {
      const ev = (await resultJson(page))?.data?.projectActivity;
      return ev && ev.kind === kind && ev.application?.version === application.version ? ev : null;
    }, 8_000).catch(() => null);
  }
  results.event = event;
  log(`live event: ${JSON.stringify(event)} after ${results.shareAttempts} change(s)`);
  await page.bringToFront();
  await screenshot(page, 'live-event');
  await other.close();

  // 6. Sign out from the logo: Luukku ends the session, the browser goes on to the issuer's
  //    end-session page; back in GraphiQL the logo offers sign-in again
  await page.locator('button.luukku-sign-out').click();
  await until('the sign-out', () => !page.url().startsWith(`${origin}/graphql`));
  results.afterSignOut = page.url();
  // Canaille asks to confirm (Luukku keeps no ID token for id_token_hint), then comes back
  await page.locator('button[name="answer"][value="logout"]').waitFor({ timeout: TIMEOUT });
  await screenshot(page, 'issuer-sign-out');
  await page.locator('button[name="answer"][value="logout"]').click();
  await until('Luukku\'s signed-out page', () => page.url().startsWith(`${origin}/auth/logged-out`));
  results.signedOutPage = (await page.locator('body').innerText()).trim();
  await screenshot(page, 'signed-out');
  await page.goto(`${base}/graphql`);
  await page.locator('a.luukku-sign-in').waitFor({ timeout: TIMEOUT });
  results.signedOut = true;
  log(`signed out: ${results.afterSignOut}`);
} catch (error) {
  results.error = String(error.stack ?? error);
  log(`error: ${results.error}`);
  process.exitCode = 1;
} finally {
  results.seconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(join(artifacts, 'results.json'), JSON.stringify(results, null, 1));
  await browser.close();
}

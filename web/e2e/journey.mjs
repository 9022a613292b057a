// End-to-end journeys of the web client in Debian's Chromium against a real `luukku`
// server (tests/web/test_browser.py starts `luukku demo` and runs this script):
// a customer creates a project, answers the survey, fills and submits two applications;
// a handler in a second browser context takes one and asks for a supplement; the
// customer's open page shows it live and answers; the handler approves; the customer
// sees the final status live. On every view and state axe-core checks WCAG 2.0/2.1 A and
// AA; no request may leave the server's origin; the first view's JavaScript is measured.
//
// Environment: LUUKKU_URL, LUUKKU_TOKENS (JSON: name -> token), ARTIFACTS (folder for
// screenshots and results.json), CHROMIUM (default /usr/bin/chromium).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const base = process.env.LUUKKU_URL ?? 'http://127.0.0.1:8000';
const origin = new URL(base).origin;
const tokens = JSON.parse(process.env.LUUKKU_TOKENS ?? '{}');
const artifacts = process.env.ARTIFACTS ?? join(here, 'artifacts');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TIMEOUT = 20_000;
mkdirSync(artifacts, { recursive: true });

const results = { states: [], violations: [], offOrigin: [], consoleErrors: [], firstViewJsGzip: 0, steps: [] };
let shot = 0;

function log(message) {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** A small PNG "site map" (a framed plan with four exits), made here so that no fixture file is needed. */
function siteMapPng(width = 160, height = 100) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3, 255);
    row[0] = 0;
    for (let x = 0; x < width; x += 1) {
      const frame = x < 3 || y < 3 || x >= width - 3 || y >= height - 3;
      const exit = frame && ((x > 70 && x < 90) || (y > 40 && y < 60));
      const stage = x > 60 && x < 100 && y > 10 && y < 30;
      const rgb = exit ? [0, 150, 0] : frame ? [40, 40, 40] : stage ? [200, 60, 60] : [255, 255, 255];
      row.set(rgb, 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function isoDay(offset) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

async function screenshot(page, name) {
  shot += 1;
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  results.steps.push(name);
  return file;
}

/** axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays strict). */
async function audit(page, state) {
  await page.waitForTimeout(150);
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  results.states.push({ state, violations: found.length });
  for (const v of found) results.violations.push({ state, ...v });
  log(`axe ${state}: ${found.length} violation(s)${found.length ? ' ' + found.map((v) => v.id).join(', ') : ''}`);
  await screenshot(page, state);
}

const issuer = process.env.LUUKKU_ISSUER ? new URL(process.env.LUUKKU_ISSUER).origin : null;
const logins = JSON.parse(process.env.LUUKKU_LOGINS ?? '{}');

async function newContext(browser, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fi-FI' });
  await context.route(
    (url) => !url.href.startsWith(origin),
    (route) => {
      // the sign-in service is its own site: the browser goes there and comes back
      if (issuer && route.request().url().startsWith(issuer)) {
        results.issuerRequests = (results.issuerRequests ?? 0) + 1;
        return route.continue();
      }
      results.offOrigin.push({ context: name, url: route.request().url() });
      return route.abort();
    },
  );
  return context;
}

/**
 * The context's live sockets go through a switch, so that the test can drop the
 * connection (both ends see it go, as when a network path breaks) and restore it.
 */
async function switchableSockets(context) {
  const control = { dropped: false, sockets: new Set() };
  await context.routeWebSocket(/\/graphql$/, (ws) => {
    if (control.dropped) {
      ws.close({ code: 1012, reason: 'test: connection dropped' });
      return;
    }
    const server = ws.connectToServer();
    if (process.env.E2E_DEBUG) {
      ws.onMessage((m) => {
        log(`page→server ${String(m).slice(0, 160)}`);
        server.send(m);
      });
      server.onMessage((m) => {
        log(`server→page ${String(m).slice(0, 160)}`);
        ws.send(m);
      });
    }
    const pair = { ws, server };
    control.sockets.add(pair);
    ws.onClose(() => control.sockets.delete(pair));
  });
  control.drop = async () => {
    control.dropped = true;
    for (const { ws, server } of [...control.sockets]) {
      await server.close({ code: 1001, reason: 'test: connection dropped' });
      await ws.close({ code: 1012, reason: 'test: connection dropped' });
    }
  };
  control.restore = () => {
    control.dropped = false;
  };
  return control;
}

/** Sign in at the server's OpenID Connect issuer (the demo's Canaille), through its own pages. */
async function issuerSignIn(page, login, password) {
  for (let i = 0; i < 40; i += 1) {
    await page.waitForTimeout(250);
    if (page.url().startsWith(`${origin}/ui`)) return;
    try {
      const passwordField = page.locator('input[name="password"]');
      const loginField = page.locator('input[name="login"], input[name="username"]').first();
      const accept = page.locator('button[name="answer"][value="accept"]');
      if (await passwordField.count()) {
        await passwordField.fill(password);
        await passwordField.press('Enter');
      } else if (await loginField.count()) {
        await loginField.fill(login);
        await loginField.press('Enter');
      } else if (await accept.count()) {
        await accept.click();
      }
      await page.waitForLoadState('domcontentloaded');
    } catch {
      // the page navigated while we looked at it: look again
    }
  }
  throw new Error(`signing in at the issuer did not come back: ${page.url()}`);
}

const openPages = new Map();

function watch(page, name) {
  openPages.set(name, page);
  page.on('console', (m) => {
    if (m.type() === 'error') results.consoleErrors.push({ page: name, text: m.text(), url: m.location()?.url ?? '', afterStep: results.steps.at(-1) ?? null });
  });
  page.on('pageerror', (e) => results.consoleErrors.push({ page: name, text: String(e) }));
  // a refused request's answer, in the log: what a failed step's console error was about
  page.on('response', (r) => {
    if (r.status() < 400) return;
    void r
      .text()
      .catch(() => '')
      .then((body) => log(`${name}: ${r.request().method()} ${r.url()} answered ${r.status()}: ${body.slice(0, 500)}`));
  });
}

/** Press Tab until `locator` has the focus, then Enter: the keyboard-only way to use a control. */
async function keyboardActivate(page, locator, key = 'Enter') {
  const handle = await locator.elementHandle({ timeout: TIMEOUT });
  for (let i = 0; i < 120; i += 1) {
    if (await handle.evaluate((el) => el === document.activeElement)) {
      await page.keyboard.press(key);
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${locator} with Tab`);
}

async function keyboardFill(page, locator, text) {
  const handle = await locator.elementHandle({ timeout: TIMEOUT });
  for (let i = 0; i < 120; i += 1) {
    if (await handle.evaluate((el) => el === document.activeElement)) {
      await page.keyboard.insertText(text);
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${locator} with Tab`);
}

async function choose(page, id, option) {
  await page.locator(`#${id}_button`).click();
  await page.locator(`#${id}-popover`).getByRole('option', { name: option, exact: true }).click();
}

async function signIn(page, token, returnTo) {
  await page.goto(`${base}/ui${returnTo}`);
  await page.locator('#token').waitFor({ timeout: TIMEOUT });
  await keyboardFill(page, page.locator('#token'), token);
  await page.keyboard.press('Enter');
  await page.locator('#token').waitFor({ state: 'detached', timeout: TIMEOUT });
}

async function statusIs(locator, text) {
  await locator.getByText(text, { exact: true }).waitFor({ timeout: TIMEOUT });
}

/** The link in the newest kept notice mail to `to` that leads to `path` (read as the operator). */
async function mailLink(to, path) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens['Olli Operaattori']}` },
      body: JSON.stringify({ query: '{ keptMails(first: 50) { nodes { to subject text } } }' }),
    });
    const answer = await response.json();
    if (answer.errors) log(`keptMails: ${JSON.stringify(answer.errors)}`);
    const mails = answer.data?.keptMails?.nodes ?? [];
    for (const mail of mails) {
      if (!mail.to.includes(to)) continue;
      const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).find((l) => l.includes(path));
      if (link) {
        results.mailLinks = [...(results.mailLinks ?? []), { to: mail.to, subject: mail.subject, link }];
        return link;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seen = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens['Olli Operaattori']}` },
    body: JSON.stringify({ query: '{ keptMails(first: 50) { nodes { to subject text } } }' }),
  }).then((r) => r.json());
  const summary = (seen.data?.keptMails?.nodes ?? []).map((m) => `${m.to}: ${m.subject} ${(m.text.match(/https?:\/\/\S+/g) ?? []).join(' ')}`);
  throw new Error(`no kept mail to ${to} links to ${path}; kept: ${JSON.stringify(summary)} ${JSON.stringify(seen.errors ?? [])}`);
}

/** A GraphQL request with a demo token (the operator's kept mails: the client has no page for them). */
async function gql(token, query, variables = {}) {
  const answer = await (
    await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
  ).json();
  const payload = answer.data && Object.values(answer.data)[0];
  if (answer.errors || payload?.userErrors?.length) throw new Error(`GraphQL: ${JSON.stringify(answer.errors ?? payload.userErrors)}`);
  return answer.data;
}

async function keptMails() {
  const data = await gql(tokens['Olli Operaattori'], '{ keptMails(first: 100) { nodes { to subject text keptAt } } }');
  return data.keptMails.nodes;
}

// Who reads the mails to each address: a person's own address is theirs (LUUKKU_PEOPLE: e-mail
// -> name, token, login); an authority's notification and registry (kirjaamo.) addresses are
// read by its handlers (the police's by its admin, who also assigns).
const people = JSON.parse(process.env.LUUKKU_PEOPLE ?? '{}');
const AUTHORITY_READERS = {
  'helsinki-police': 'hanna.heikkinen@poliisi.demo.luukku.example',
  'helsinki-rescue': 'sanna.saarinen@pelastus.demo.luukku.example',
  'helsinki-environmental-services': 'liisa.lahtinen@hel.demo.luukku.example',
  'helsinki-public-areas': 'liisa.lahtinen@hel.demo.luukku.example',
  traficom: 'tuomas.toivonen@traficom.demo.luukku.example',
};

function reader(address) {
  if (people[address]) return { email: address, ...people[address] };
  const code = address.split('@')[0].replace(/^kirjaamo\./, ''); // the registry's address too
  const email = AUTHORITY_READERS[code];
  if (!email || !people[email]) throw new Error(`nobody reads the mails to ${address}`);
  return { email, ...people[email] };
}

/**
 * Every link in every kept notice mail, each (address, link) once: opened in a fresh tab with
 * no sign-in, signed in as the mail's reader (Aino, who represents two companies, at the
 * issuer with a session; the others with their token), it must land on the page of the
 * object the link names. `onLanded(page, entry)` may do more on a page.
 */
async function openEveryNoticeLink(browser, onLanded) {
  const context = await newContext(browser, 'links');
  const seen = new Map();
  for (const mail of await keptMails()) {
    for (const link of mail.text.match(/https?:\/\/\S+/g) ?? []) {
      const key = `${mail.to} ${link}`;
      if (!seen.has(key)) seen.set(key, { to: mail.to, link, subjects: [] });
      seen.get(key).subjects.push(mail.subject);
    }
  }
  results.noticeLinks = [];
  for (const entry of seen.values()) {
    const started = Date.now();
    const who = reader(entry.to);
    const url = new URL(entry.link);
    if (url.origin !== origin) throw new Error(`a notice links off the server: ${entry.link}`);
    await context.clearCookies();
    const page = await context.newPage();
    watch(page, 'links');
    await page.goto(entry.link);
    if (url.pathname.startsWith('/ui/start')) {
      await page.getByText('Aloitat luvasta').waitFor({ timeout: TIMEOUT });
    } else {
      if (who.login === 'aino' && issuer && !results.noticeLinks.some((n) => n.reader === who.name)) {
        // once through the issuer: a session acts for one company at a time
        await page.getByRole('button', { name: 'Kirjaudu sisään', exact: true }).click();
        await issuerSignIn(page, 'aino', logins.aino);
      } else {
        await page.locator('#token').waitFor({ timeout: TIMEOUT });
        await page.locator('#token').fill(who.token);
        await page.keyboard.press('Enter');
      }
      const id = decodeURIComponent(url.pathname.split('/').at(-1));
      const shown = page.locator(`[data-object-id="${id}"]`);
      await shown.waitFor({ timeout: TIMEOUT }).catch(async () => {
        await screenshot(page, 'failure-notice-link');
        throw new Error(`${entry.link} (for ${who.name}) did not land on ${id}: ${page.url()} ${await page.locator('h1').first().innerText().catch(() => '')}`);
      });
      const landed = new URL(page.url());
      if (landed.pathname !== url.pathname || landed.searchParams.has('actingFor')) throw new Error(`${entry.link} landed on ${page.url()}`);
    }
    const record = { ...entry, reader: who.name, landed: page.url(), heading: await page.locator('h1').first().innerText(), ms: Date.now() - started };
    results.noticeLinks.push(record);
    log(`notice link for ${who.name}: ${url.pathname}${url.search} -> ${record.heading} (${record.ms} ms)`);
    if (onLanded) await onLanded(page, record);
    await page.close();
  }
  return context;
}

/** The README's pictures (README_SHOTS=web/docs): the top of a page at 1100 × 760. */
async function readmeShot(page, name) {
  if (!process.env.README_SHOTS) return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1100, height: 760 });
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(process.env.README_SHOTS, `${name}.png`) });
  await page.setViewportSize(size);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // playwright-core starts Chromium with a fresh temporary --user-data-dir of its own
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  try {
    // ---------------------------------------------------------------- customer: Maija
    const customerContext = await newContext(browser, 'customer');
    const customer = await customerContext.newPage();
    watch(customer, 'customer');
    const jsLoaded = new Set();
    customer.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/ui/assets/') && u.pathname.endsWith('.js')) jsLoaded.add(u.pathname.slice('/ui/'.length));
    });
    await customer.goto(`${base}/ui/`);
    await customer.locator('#token').waitFor({ timeout: TIMEOUT });
    await customer.waitForLoadState('networkidle');
    results.firstViewJsGzip = [...jsLoaded].reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
    log(`first view: ${jsLoaded.size} JS file(s), ${(results.firstViewJsGzip / 1024).toFixed(1)} KiB gzip`);
    await audit(customer, 'signin');
    await customer.locator('#token').fill('lk_not-a-token');
    await customer.getByRole('button', { name: 'Kirjaudu tunnisteella' }).click();
    await customer.getByText('Tunniste ei kelpaa', { exact: false }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'signin-error');
    await customer.locator('#token').fill('');
    if (issuer) {
      // the customer signs in at the server's issuer and then works with the session cookie
      await customer.getByRole('button', { name: 'Kirjaudu sisään', exact: true }).click();
      await issuerSignIn(customer, 'maija', logins.maija);
      const token = await customer.evaluate(() => window.sessionStorage.getItem('luukku.token'));
      if (token !== null) throw new Error('a session sign-in must not keep a token');
      results.customerSignIn = 'session';
    } else {
      await signIn(customer, tokens['Maija Meikäläinen'], '/');
      results.customerSignIn = 'token';
    }
    await customer.getByRole('heading', { name: 'Omat hankkeet' }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'customer-home');

    // a PTV deep link (PermitType.deepLink, CUSTOMER_UI_URL/start?service=<ptvServiceId>)
    const catalogue = await (
      await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ permitTypes(first: 1, filter: {municipalityCode: "091", serviceBundleCode: "public-event"}) { nodes { deepLink } } }' }),
      })
    ).json();
    await customer.goto(catalogue.data.permitTypes.nodes[0].deepLink);
    await customer.getByText('Aloitat luvasta').waitFor({ timeout: TIMEOUT });
    await customer.locator('input[name="bundle"]:checked').waitFor({ state: 'attached', timeout: TIMEOUT });
    await audit(customer, 'start-deep-link');
    await customer.goto(`${base}/ui/`);

    await customer.getByRole('button', { name: 'Aloita uusi hanke' }).click();
    await customer.locator('#project-name').waitFor({ timeout: TIMEOUT });
    await customer.getByRole('button', { name: 'Jatka lupatarveselvitykseen' }).click();
    await customer.getByText('Valitse hankkeen tyyppi.').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'start-errors');
    await customer.getByRole('radio', { name: 'Yleisötilaisuus' }).check({ force: true });
    await customer.getByRole('button', { name: 'Jatka lupatarveselvitykseen' }).click();
    await customer.locator('#project-name[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'start-server-errors');
    await customer.locator('#project-name').fill('Kaisaniemen kesäkonsertti');
    await choose(customer, 'municipality', 'Helsinki');
    await audit(customer, 'start-dropdown-open-closed');
    await customer.locator('#project-description').fill('Ulkoilmakonsertti Kaisaniemen puistossa.');
    await customer.locator('#starts-on').fill(isoDay(60));
    await customer.locator('#ends-on').fill(isoDay(61));
    await customer.getByRole('button', { name: 'Jatka lupatarveselvitykseen' }).click();

    await customer.locator('#q-attendees').waitFor({ timeout: TIMEOUT });
    await customer.locator('#q-attendees').fill('800');
    for (const q of ['fireworks', 'alcohol_served', 'food_sold', 'amplified_sound_outdoors', 'uses_public_area', 'traffic_arrangements', 'security_staff', 'temporary_structures']) {
      await customer.locator(`input[name="q-${q}"][value="false"]`).check({ force: true });
    }
    await audit(customer, 'survey');
    await customer.getByRole('button', { name: 'Näytä tarvittavat luvat' }).click();
    await customer.getByRole('heading', { name: 'Ehdotetut luvat' }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'survey-suggestions');
    await customer.getByRole('button', { name: 'Lisää valitut hakemukset' }).click();

    await customer.locator('#shared-contact-name').waitFor({ timeout: TIMEOUT });
    await customer.locator('#shared-contact-name').fill('Maija Meikäläinen');
    await customer.locator('#shared-contact-email').fill('maija@demo.luukku.example');
    await customer.locator('#shared-contact-phone').fill('soita minulle');
    await customer.locator('#shared-organiser-name').fill('Maija Meikäläinen');
    await choose(customer, 'shared-organiser-organiserType', 'Yksityishenkilö');
    await customer.locator('#shared-address-street').fill('Kaisaniemenkatu 1');
    await customer.locator('#shared-address-postalCode').fill('00100');
    await customer.locator('#shared-address-city').fill('Helsinki');
    await customer.getByRole('button', { name: 'Tallenna yhteiset tiedot' }).click();
    await customer.locator('#shared-contact-phone[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'shared-data-errors');
    await customer.locator('#shared-contact-phone').fill('+358 40 123 4567');
    await customer.getByRole('button', { name: 'Tallenna yhteiset tiedot' }).click();

    await customer.getByRole('heading', { name: 'Hakemukset' }).waitFor({ timeout: TIMEOUT });
    const projectUrl = customer.url();
    await audit(customer, 'project');

    // the police notification: a server field error first, then filled and submitted
    await customer.locator('tr[data-application="helsinki-police-event-notification"] a').click();
    await customer.locator('#form-event_name').waitFor({ timeout: TIMEOUT });
    const policeId = decodeURIComponent(customer.url().split('/applications/')[1]);
    await customer.locator('#form-event_name').fill('Kaisaniemen kesäkonsertti');
    await choose(customer, 'form-event_type', 'Konsertti');
    await customer.locator('#form-expected_attendees').fill('-5');
    await customer.locator('#form-responsible_person').fill('Maija Meikäläinen');
    await customer.getByRole('button', { name: 'Tallenna luonnos' }).click();
    await customer.locator('#form-expected_attendees[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'application-field-errors');
    await customer.locator('#form-expected_attendees').fill('800');
    await customer.getByRole('button', { name: 'Lähetä hakemus' }).click();
    await customer.getByText('Hakemus on lähetetty viranomaiselle.').waitFor({ timeout: TIMEOUT });
    await statusIs(customer.getByTestId('application-status'), 'Aloittamatta');
    await audit(customer, 'application-submitted');

    // the rescue plan
    await customer.goto(projectUrl);
    await customer.locator('tr[data-application="helsinki-rescue-plan"] a').click();
    await customer.locator('#form-max_people_at_once').waitFor({ timeout: TIMEOUT });
    const rescueId = decodeURIComponent(customer.url().split('/applications/')[1]);
    await customer.locator('#form-max_people_at_once').fill('800');
    await customer.locator('#form-safety_officer_name').fill('Maija Meikäläinen');
    await customer.locator('#form-safety_officer_phone').fill('+358 40 123 4567');
    await customer.locator('#form-hazards').fill('Tungos lavan edessä; helle.');
    await customer.locator('#form-evacuation_routes').fill('Neljä uloskäyntiä puiston laidoilla.');
    // the draft shown to the authorities (with the keyboard), and hidden again
    await customer.getByText('Luonnos näkyy vain sinulle').waitFor({ timeout: TIMEOUT });
    await keyboardActivate(customer, customer.locator('#share'), 'Space');
    await customer.getByText('Luonnos näkyy viranomaisille').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'draft-shared');
    await customer.getByText('Näytä luonnos viranomaisille').click();
    await customer.getByText('Luonnos näkyy vain sinulle').waitFor({ timeout: TIMEOUT });
    await customer.getByRole('button', { name: 'Peru hakemus' }).click();
    await customer.getByRole('heading', { name: 'Perutaanko hakemus?' }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'withdraw-dialog-open');
    await customer.keyboard.press('Escape');
    await customer.getByRole('heading', { name: 'Perutaanko hakemus?' }).waitFor({ state: 'detached', timeout: TIMEOUT });
    // the rescue plan needs its site map (PermitType.attachmentRequirements): refused without it
    await customer.getByRole('button', { name: 'Lähetä hakemus' }).click();
    await customer.getByText('Pakollinen liite puuttuu: Tapahtuma-alueen kartta.').first().waitFor({ timeout: TIMEOUT });
    await audit(customer, 'application-attachment-missing');
    // a file of a type the requirement does not allow: the server's coded error at the control
    const fileInput = customer.locator('#customer-attachment-file');
    await fileInput.setInputFiles({ name: 'kartta.txt', mimeType: 'text/plain', buffer: Buffer.from('Kartta tulossa.\n') });
    await customer.locator('.fi-file-input--error').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'attachment-type-error');
    // the site map: uploaded (GraphQL multipart), scanned by clamd, then the plan is submitted
    const siteMap = siteMapPng();
    await fileInput.setInputFiles({ name: 'asemapiirros.png', mimeType: 'image/png', buffer: siteMap });
    const siteMapRow = customer.locator('tr[data-attachment="asemapiirros.png"]');
    await siteMapRow.waitFor({ timeout: TIMEOUT });
    await customer.getByText('Liite asemapiirros.png lisätty.', { exact: false }).waitFor({ timeout: TIMEOUT });
    // CLEAN from clamd (the test's server scans); NOT_SCANNED against `make demo` (scanning off)
    await customer.locator('tr[data-attachment="asemapiirros.png"]:is([data-scan="CLEAN"], [data-scan="NOT_SCANNED"])').waitFor({ timeout: 30_000 });
    const siteMapScan = await siteMapRow.getAttribute('data-scan');
    await siteMapRow.getByText(createHash('sha256').update(siteMap).digest('hex'), { exact: false }).waitFor({ timeout: TIMEOUT });
    await siteMapRow.getByRole('link', { name: 'Lataa asemapiirros.png' }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'attachment-clean');
    if (siteMapScan === 'CLEAN') {
      // the EICAR test file: clamd finds it, the file is quarantined, its uploader is told by mail
      const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
      await customer.getByRole('radio', { name: 'Muu liite' }).check({ force: true });
      await fileInput.setInputFiles({ name: 'muistio.txt', mimeType: 'text/plain', buffer: Buffer.from(eicar) });
      const infected = customer.locator('tr[data-attachment="muistio.txt"]');
      await customer.locator('tr[data-attachment="muistio.txt"][data-scan="INFECTED"]').waitFor({ timeout: 30_000 });
      await audit(customer, 'attachment-infected');
      await infected.getByRole('button', { name: 'Poista muistio.txt' }).click();
      await infected.waitFor({ state: 'detached', timeout: TIMEOUT });
    }
    // another file, removed again
    await customer.getByRole('radio', { name: 'Muu liite' }).check({ force: true });
    await fileInput.setInputFiles({ name: 'ylimaarainen.png', mimeType: 'image/png', buffer: siteMapPng(40, 30) });
    await customer.locator('tr[data-attachment="ylimaarainen.png"]').waitFor({ timeout: TIMEOUT });
    await customer.getByRole('button', { name: 'Poista ylimaarainen.png' }).click();
    await customer.locator('tr[data-attachment="ylimaarainen.png"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    await customer.getByText('Liite ylimaarainen.png poistettu.').waitFor({ timeout: TIMEOUT });
    await customer.getByRole('button', { name: 'Lähetä hakemus' }).click();
    await customer.getByText('Hakemus on lähetetty viranomaiselle.').waitFor({ timeout: TIMEOUT });
    results.siteMap = { bytes: siteMap.length, sha256: createHash('sha256').update(siteMap).digest('hex'), scan: siteMapScan };

    // the project page stays open from here on
    await customer.goto(projectUrl);
    const policeRow = customer.getByTestId('status-helsinki-police-event-notification');
    await statusIs(policeRow, 'Aloittamatta');
    await statusIs(customer.getByTestId('status-helsinki-rescue-plan'), 'Aloittamatta');
    await screenshot(customer, 'customer-project-submitted');

    // ---------------------------------------------------------------- handler: Ville
    const handlerContext = await newContext(browser, 'handler');
    const handlerSockets = await switchableSockets(handlerContext);
    const handler = await handlerContext.newPage();
    watch(handler, 'handler');
    // the notice e-mail's link (AUTHORITY_UI_URL/applications/<id>) lands on the application after sign-in
    const authorityLink = await mailLink('helsinki-police', `/ui/authority/applications/${policeId}`);
    await handler.goto(authorityLink);
    await handler.locator('#token').waitFor({ timeout: TIMEOUT });
    await keyboardFill(handler, handler.locator('#token'), tokens['Ville Virtanen']);
    await handler.keyboard.press('Enter');
    await handler.getByRole('heading', { name: 'Käsittely', exact: true }).waitFor({ timeout: TIMEOUT });
    if (!handler.url().includes('/ui/authority/applications/')) throw new Error(`the mail link did not land on the application: ${handler.url()}`);
    await audit(handler, 'handler-application');
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Ota käsittelyyn' }));
    await handler.getByText('Otit hakemuksen käsittelyyn.').waitFor({ timeout: TIMEOUT });
    await keyboardFill(handler, handler.locator('#status-comment'), 'Käsittely aloitettu.');
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Merkitse käsittelyssä olevaksi' }));
    await statusIs(handler.getByTestId('application-status'), 'Käsittelyssä');
    await statusIs(policeRow, 'Käsittelyssä'); // live on the customer's open page
    await readmeShot(handler, 'handler');
    // the handler's notices of this application go to his own address from now on
    await handler.locator('#notice-email').fill('ville.virtanen@poliisi.demo.luukku.example');
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Tallenna osoite' }));
    await handler.getByText('Ilmoitusten osoite tallennettu.').waitFor({ timeout: TIMEOUT });
    // statements, in the client: Ville asks the rescue department twice; Sanna, its handler,
    // answers the first on the application's page and declines the second; Ville shows the
    // answer to the customer. Each step is a notice with a link (opened at the end).
    {
      const ask = async (question) => {
        await choose(handler, 'statement-authority', 'Helsingin kaupungin pelastuslaitos');
        await handler.locator('#statement-question').fill(question);
        await handler.locator('#statement-due').fill(isoDay(10));
        await keyboardActivate(handler, handler.getByRole('button', { name: 'Lähetä lausuntopyyntö' }));
        await handler.getByText('Lausuntopyyntö lähetetty.').waitFor({ timeout: TIMEOUT });
      };
      // a question left empty is the API's error, shown at the field
      await choose(handler, 'statement-authority', 'Helsingin kaupungin pelastuslaitos');
      await handler.getByRole('button', { name: 'Lähetä lausuntopyyntö' }).click();
      await handler.locator('#statement-question[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
      await audit(handler, 'statement-ask-error');
      await ask('Riittävätkö poistumistiet?');
      const rescueContext = await newContext(browser, 'rescue');
      const rescue = await rescueContext.newPage();
      watch(rescue, 'rescue');
      await signIn(rescue, tokens['Sanna Saarinen'], `/authority/applications/${policeId}`);
      const openRequest = rescue.locator('[data-testid="statement"][data-status="OPEN"]');
      await openRequest.getByText('Riittävätkö poistumistiet?').waitFor({ timeout: TIMEOUT });
      await audit(rescue, 'statement-asked');
      await openRequest.locator('textarea').first().fill('Poistumistiet riittävät.');
      await keyboardActivate(rescue, openRequest.getByRole('button', { name: 'Lähetä lausunto' }));
      await rescue.getByText('Lausunto lähetetty.').waitFor({ timeout: TIMEOUT });
      await ask('Tarvitaanko paloturvallisuustarkastus?');
      await rescue.reload();
      await openRequest.getByText('Tarvitaanko paloturvallisuustarkastus?').waitFor({ timeout: TIMEOUT });
      await openRequest.locator('textarea').nth(1).fill('Ei pelastuslaitoksen asia.');
      await keyboardActivate(rescue, openRequest.getByRole('button', { name: 'Kieltäydy lausunnosta' }));
      await rescue.getByText('Kieltäydyit antamasta lausuntoa.').waitFor({ timeout: TIMEOUT });
      await rescueContext.close();
      await handler.reload();
      const answered = handler.locator('[data-testid="statement"][data-status="ANSWERED"]');
      await answered.getByTestId('statement-answer').getByText('Poistumistiet riittävät.').waitFor({ timeout: TIMEOUT });
      await handler.locator('[data-testid="statement"][data-status="DECLINED"]').getByText('Ei pelastuslaitoksen asia.').waitFor({ timeout: TIMEOUT });
      await answered.getByText('Näytä pyyntö ja lausunto asiakkaalle').click();
      await handler.getByText('Lausunto näkyy nyt asiakkaalle.').waitFor({ timeout: TIMEOUT });
      await audit(handler, 'statements');
      results.statements = 'answered, declined and shared in the client';
    }
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Pyydä lisätietoja' }));
    await handler.getByRole('heading', { name: 'Pyydä lisätietoja' }).waitFor({ timeout: TIMEOUT });
    await handler.locator('#supplement-message').fill('');
    await handler.locator('#supplement-due').fill('2027-02-30');
    await handler.getByRole('button', { name: 'Lähetä pyyntö' }).click();
    await handler.locator('#supplement-due[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
    await audit(handler, 'supplement-dialog-date-error');
    await handler.locator('#supplement-due').fill(isoDay(14));
    await handler.getByRole('button', { name: 'Lähetä pyyntö' }).click();
    await handler.locator('#supplement-message[aria-invalid="true"]').waitFor({ timeout: TIMEOUT });
    await audit(handler, 'supplement-dialog-server-error');
    await handler.locator('#supplement-message').fill('Toimittakaa järjestyksenvalvontasuunnitelma.');
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Lähetä pyyntö' }));
    await handler.getByText('Lisätietopyyntö lähetetty asiakkaalle.').waitFor({ timeout: TIMEOUT });
    await statusIs(handler.getByTestId('application-status'), 'Lisätietoja tarvitaan');

    // ---------------------------------------------------------------- the handler's inbox, open while the customer answers
    await handler.getByRole('link', { name: '← Saapuneet hakemukset' }).click();
    const inboxRow = handler.locator(`[data-testid="inbox-table"] tr:has(a[href="/ui/authority/applications/${policeId}"])`);
    await statusIs(inboxRow, 'Lisätietoja tarvitaan');

    // ---------------------------------------------------------------- the customer sees it live
    await statusIs(policeRow, 'Lisätietoja tarvitaan');
    if (!customer.url().startsWith(projectUrl)) throw new Error('the customer page was left');
    await audit(customer, 'customer-live-supplement');
    // the customer's notice mail links to the application (CUSTOMER_UI_URL/applications/<id>)
    await customer.goto(await mailLink('maija.meikalainen', `/ui/applications/${policeId}`));
    await customer.locator('#supplement-answer').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'supplement-answer');
    // the statements: the one shown to the customer with its texts, the other without
    await customer.locator('[data-testid="statement"][data-status="ANSWERED"]').getByText('Poistumistiet riittävät.').waitFor({ timeout: TIMEOUT });
    const declined = customer.locator('[data-testid="statement"][data-status="DECLINED"]');
    await declined.getByText('Pyynnön ja lausunnon tekstit näkyvät vain viranomaisille', { exact: false }).waitFor({ timeout: TIMEOUT });
    if ((await declined.getByText('Ei pelastuslaitoksen asia.').count()) !== 0) throw new Error('the customer reads a statement not shown to them');
    await keyboardFill(customer, customer.locator('#supplement-answer'), 'Järjestyksenvalvontasuunnitelma: kuusi järjestyksenvalvojaa.');
    await keyboardActivate(customer, customer.getByRole('button', { name: 'Lähetä lisätiedot' }));
    await customer.getByText('Lisätiedot on lähetetty.').waitFor({ timeout: TIMEOUT });
    await statusIs(customer.getByTestId('application-status'), 'Käsittelyssä');

    // ---------------------------------------------------------------- the handler's inbox, live
    await statusIs(inboxRow, 'Käsittelyssä');
    await audit(handler, 'inbox');
    await handler.locator('#inbox-status_button').click();
    await handler.locator('#inbox-status-popover').waitFor({ timeout: TIMEOUT });
    await audit(handler, 'inbox-dropdown-open');
    await handler.keyboard.press('Escape');
    await inboxRow.locator('a').click();
    await handler.getByRole('button', { name: 'Kirjaa päätös' }).waitFor({ timeout: TIMEOUT });
    // a message to the handler (told at his redirected address), shown on his open page live
    await keyboardFill(customer, customer.locator('#application-message'), 'Lisäsin järjestyksenvalvojien määrän.');
    await keyboardActivate(customer, customer.getByRole('button', { name: 'Lähetä viesti' }));
    await handler.locator('.luukku-messages p', { hasText: 'Lisäsin järjestyksenvalvojien määrän.' }).waitFor({ timeout: TIMEOUT });
    await handler.getByRole('link', { name: 'Hankkeen yhteinen näkymä' }).click();
    await handler.getByRole('heading', { name: 'Mitä näet' }).waitFor({ timeout: TIMEOUT });
    await audit(handler, 'common-view');
    // a message in the project's discussion: the customer is told (a link to the project page)
    await handler.locator('#common-message').fill('Poliisi: muistakaa ilmoittaa järjestyksenvalvojien nimet.');
    await handler.getByRole('button', { name: 'Lähetä viesti' }).click();
    await handler.locator('.luukku-messages p', { hasText: 'Poliisi: muistakaa ilmoittaa järjestyksenvalvojien nimet.' }).waitFor({ timeout: TIMEOUT });
    // the submitted rescue plan's site map, downloaded by a co-authority of the project
    await handler.locator('tr[data-application="helsinki-rescue-plan"] a').click();
    const handlerSiteMap = handler.locator('[data-testid="handler-attachments"] tr[data-attachment="asemapiirros.png"]');
    await handlerSiteMap.waitFor({ timeout: TIMEOUT });
    await audit(handler, 'handler-attachments');
    const [fileDownload] = await Promise.all([
      handler.waitForEvent('download', { timeout: TIMEOUT }),
      handlerSiteMap.getByRole('link', { name: 'Lataa asemapiirros.png' }).click(),
    ]);
    const downloaded = readFileSync(await fileDownload.path());
    if (createHash('sha256').update(downloaded).digest('hex') !== results.siteMap.sha256) throw new Error('the downloaded site map differs from the upload');
    results.siteMap.downloadedAs = fileDownload.suggestedFilename();
    await handler.goBack();
    await handler.getByRole('heading', { name: 'Mitä näet' }).waitFor({ timeout: TIMEOUT });
    await handler.goBack();
    await handler.getByRole('button', { name: 'Kirjaa päätös' }).waitFor({ timeout: TIMEOUT });

    // ---------------------------------------------------------------- connection drop on the handler's page
    await handlerSockets.drop();
    await handler.getByText('Yhteys katkesi').waitFor({ timeout: TIMEOUT });
    await audit(handler, 'connection-lost');
    // a change the handler's page misses while it is offline: back online, its subscription
    // listens again (LISTENING, once the server has joined the project's channel) and the page
    // refetches then, not at connection_ack
    await keyboardFill(customer, customer.locator('#application-message'), 'Nimilista tulee huomenna.');
    await keyboardActivate(customer, customer.getByRole('button', { name: 'Lähetä viesti' }));
    await customer.locator('.luukku-messages p', { hasText: 'Nimilista tulee huomenna.' }).waitFor({ timeout: TIMEOUT });
    handlerSockets.restore();
    await handler.getByText('Yhteys palasi').waitFor({ timeout: 30_000 });
    await handler.locator('.luukku-messages p', { hasText: 'Nimilista tulee huomenna.' }).waitFor({ timeout: TIMEOUT });
    await audit(handler, 'connection-restored');

    // ---------------------------------------------------------------- export and a message, live to the customer
    const [download] = await Promise.all([
      handler.waitForEvent('download', { timeout: TIMEOUT }),
      handler.getByRole('button', { name: 'Vie asianhallintaan (JSON)' }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    if (!download.suggestedFilename().endsWith('.json') || typeof exported !== 'object') throw new Error('the export is not a JSON document');
    results.export = { file: download.suggestedFilename(), keys: Object.keys(exported) };
    await handler.locator('#handler-message').fill('Kiitos, suunnitelma on kunnossa.');
    await handler.getByRole('button', { name: 'Lähetä viesti' }).click();
    await customer.locator('.luukku-messages p', { hasText: 'Kiitos, suunnitelma on kunnossa.' }).waitFor({ timeout: TIMEOUT });

    // ---------------------------------------------------------------- the decision, live to the customer
    await keyboardActivate(handler, handler.getByRole('button', { name: 'Kirjaa päätös' }));
    await handler.getByRole('heading', { name: 'Kirjaa päätös' }).waitFor({ timeout: TIMEOUT });
    await audit(handler, 'decision-dialog-open');
    await handler.locator('#decision-summary').fill('Ilmoitus käsitelty; järjestyksenvalvonta riittävä.');
    await handler.locator('#decision-reference').fill('POL/123/2027');
    await handler.getByRole('button', { name: 'Kirjaa päätös' }).last().click();
    await handler.getByText('Päätös kirjattu.').waitFor({ timeout: TIMEOUT });
    await statusIs(handler.getByTestId('application-status'), 'Hyväksytty');
    await statusIs(customer.getByTestId('application-status'), 'Hyväksytty');
    await customer.getByTestId('decision').waitFor({ timeout: TIMEOUT });
    await audit(customer, 'customer-live-decision');
    const processedLink = await mailLink('maija.meikalainen', `/ui/applications/${policeId}`);
    if (!processedLink.includes(policeId)) throw new Error('no processed notice link');
    if (process.env.README_SHOTS) {
      await customer.goto(projectUrl);
      await statusIs(customer.getByTestId('status-helsinki-police-event-notification'), 'Hyväksytty');
      await readmeShot(customer, 'customer');
      await customer.goto(processedLink);
      await statusIs(customer.getByTestId('application-status'), 'Hyväksytty');
    }

    // ---------------------------------------------------------------- the customer withdraws the rescue plan
    await customer.goto(`${base}/ui/applications/${rescueId}`);
    await keyboardActivate(customer, customer.getByRole('button', { name: 'Peru hakemus' }));
    await customer.getByRole('heading', { name: 'Perutaanko hakemus?' }).waitFor({ timeout: TIMEOUT });
    await keyboardFill(customer, customer.locator('#withdraw-comment'), 'Suunnitelma tehdään uudelleen.');
    await keyboardActivate(customer, customer.getByRole('button', { name: 'Peru hakemus' }).last());
    await statusIs(customer.getByTestId('application-status'), 'Peruttu');
    await audit(customer, 'application-withdrawn');
    await customer.goto(processedLink);
    await statusIs(customer.getByTestId('application-status'), 'Hyväksytty');

    // ---------------------------------------------------------------- Swedish, 375 px, language menu
    await customer.getByRole('button', { name: /Vaihda kieli/ }).click();
    await customer.getByRole('menuitem', { name: 'På svenska (SV)' }).waitFor({ timeout: TIMEOUT }).catch(() => undefined);
    await audit(customer, 'language-menu-open');
    await customer.getByText('På svenska (SV)', { exact: true }).last().click();
    await statusIs(customer.getByTestId('application-status'), 'Godkänd');
    const lang = await customer.evaluate(() => document.documentElement.lang);
    if (lang !== 'sv') throw new Error(`html lang is ${lang}, not sv`);
    await audit(customer, 'customer-sv');
    await customer.setViewportSize({ width: 375, height: 800 });
    await audit(customer, 'customer-sv-375px');
    await customer.goto(projectUrl);
    await statusIs(customer.getByTestId('status-helsinki-police-event-notification'), 'Godkänd');
    await audit(customer, 'project-sv-375px');
    await customer.locator('tr[data-application="helsinki-rescue-plan"] a').click();
    await customer.locator('tr[data-attachment="asemapiirros.png"]').getByText('Kontrollerad', { exact: false }).waitFor({ timeout: TIMEOUT });
    await audit(customer, 'attachments-sv-375px');
    await handler.setViewportSize({ width: 375, height: 800 });
    await handler.getByRole('link', { name: '← Saapuneet hakemukset' }).click();
    await handler.getByTestId('inbox-table').waitFor({ timeout: TIMEOUT });
    await audit(handler, 'inbox-375px');
    await handler.setViewportSize({ width: 1280, height: 900 });

    // ---------------------------------------------------------------- every notice mail's link
    // Each link, opened signed out, signs its reader in and lands on its object. The police's
    // admin, opening the seeded festival's notification, gives it to Ville (assign, admin).
    let assigned = false;
    const linksContext = await openEveryNoticeLink(browser, async (page, record) => {
      if (assigned || record.reader !== 'Hanna Heikkinen' || !record.subjects.some((s) => s.includes('Suvisoitto'))) return;
      await page.locator('#assign-handler_button').click();
      await page.locator('#assign-handler-popover').waitFor({ timeout: TIMEOUT });
      await audit(page, 'assign-dropdown-open');
      await page.locator('#assign-handler-popover').getByRole('option', { name: 'Ville Virtanen' }).click();
      await keyboardActivate(page, page.getByRole('button', { name: 'Anna käsittelyyn' }));
      await page.getByText('Käsittelijä vaihdettu.').waitFor({ timeout: TIMEOUT });
      await page.getByTestId('assignee').getByText('Ville Virtanen').waitFor({ timeout: TIMEOUT });
      await audit(page, 'assigned-by-admin');
      assigned = true;
    });
    if (!assigned) throw new Error('the admin did not assign the seeded notification');
    await linksContext.close();
    await customerContext.close();
    await handlerContext.close();
  } catch (error) {
    for (const [name, page] of openPages) {
      await screenshot(page, `failure-${name}`).catch(() => undefined);
      // what the page said when the step failed (an error note, a notice), in the log
      const text = await page.locator('main').innerText({ timeout: 2_000 }).catch(() => '');
      log(`${name} showed at the failure: ${text.replace(/\s+/g, ' ').slice(0, 1500)}`);
    }
    throw error;
  } finally {
    await browser.close();
  }
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  results.error = String(error?.stack ?? error);
  log(`FAILED: ${results.error}`);
}
writeFileSync(join(artifacts, 'results.json'), JSON.stringify(results, null, 2));
for (const e of results.consoleErrors) log(`console error on ${e.page}${e.afterStep ? ` after ${JSON.stringify(e.afterStep)}` : ''}: ${e.text} ${e.url ?? ''}`);
log(`${results.states.length} states checked, ${results.violations.length} violation(s), ${results.offOrigin.length} off-origin request(s), ${results.consoleErrors.length} console error(s)`);
if (failed || results.violations.length || results.offOrigin.length) process.exitCode = 1;

// Browser smoke test: Debian's Chromium, driven by playwright-core, against a running `boj demo`.
// Usage: node smoke.mjs URL PASSWORD [nasta-ar]
// Signs in as a municipal official, checks the pages a person sees, and runs axe-core (WCAG 2.1 A/AA)
// on each. With `nasta-ar` (a demo dated in the following year) the coordinator instead issues the
// last quarter, the second half-year and the year, and corrects a case into a new edition.
// Prints "N passed, M failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const [url, password, fas] = process.argv.slice(2);
if (!url || !password) {
  console.error('usage: node smoke.mjs URL PASSWORD');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.BOJ_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// axe-core is injected as a script; the app's CSP (rightly) forbids that, so the test context bypasses it.
const context = await browser.newContext({ bypassCSP: true, locale: 'sv-SE' });
const page = await context.newPage();
// A case page the volunteer registered, which a municipal official must be refused.
let caseUrl = null;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}

// Screenshots of every page checked, numbered in the order visited, when BOJ_SKARMBILDER names a
// folder (browser/demo-smoke.sh says how).
const shots = process.env.BOJ_SKARMBILDER;
if (shots) mkdirSync(shots, { recursive: true });
let shot = 0;
async function screenshot(label, p = page) {
  if (!shots) return;
  shot += 1;
  const name = `${String(shot).padStart(2, '0')}-${fas || 'forsta-aret'}-${label.replace(/[^a-z0-9åäö]+/gi, '-')}.png`;
  await p.screenshot({ path: join(shots, name), fullPage: true });
}

async function axe(label, p = page) {
  await screenshot(label, p);
  await p.addScriptTag({ path: axePath });
  const result = await p.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  if (result.violations.length > 0) {
    const list = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`).join('; ');
    throw new Error(`axe on ${label}: ${list}`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// The demo accounts' second-factor keys, as `run` read them from the demo's output:
// "name=KEY;name=KEY".
const keys = Object.fromEntries((process.env.BOJ_DEMO_NYCKLAR || '').split(';')
  .filter((x) => x.includes('=')).map((x) => x.split('=')));

// A TOTP code (RFC 6238: HMAC-SHA-1, 30-second steps, six digits) of a base32 key, computed here
// apart from boj's own, as an authenticator app would.
// A code is accepted once: an account signing in again within the same 30 seconds uses the next
// step's code, which boj accepts as an authenticator app's clock running one step ahead.
const senasteSteg = {};
function totp(key, name) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  const steg = Math.max(Math.floor(Date.now() / 30000), (senasteSteg[name] ?? 0) + 1);
  senasteSteg[name] = steg;
  counter.writeBigUInt64BE(BigInt(steg));
  const h = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// After the password: the second step, for the accounts that have one.
async function secondStep(name) {
  await page.waitForLoadState();
  if (new URL(page.url()).pathname !== '/logga-in/kod') return;
  expect(keys[name], `no second-factor key for ${name}`);
  await page.getByLabel('Kod').fill(totp(keys[name], name));
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForLoadState();
  expect(new URL(page.url()).pathname === '/', `second step of ${name} landed on ${page.url()}`);
}

async function signIn(name) {
  if (await page.getByRole('button', { name: 'Logga ut' }).count() > 0) {
    await page.getByRole('button', { name: 'Logga ut' }).click();
  }
  await page.goto(`${url}logga-in`);
  await page.getByLabel('Användarnamn').fill(name);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await secondStep(name);
}

// The cases referred to a women's shelter in 2026-Q3, as a table of the report page reads them
// ('..' when hidden): the table of referrals per kind of partner, row "Kvinnojour".
const KVINNOJOUR = 'Kvinnojouren i länet (exempel) (kvinnojour)';
async function kvinnojourensHanvisningar() {
  const table = page.locator('table', { has: page.locator('caption', { hasText: 'Ärenden med hänvisning, per samverkanspartens slag' }) });
  const cell = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Kvinnojour', exact: true }) }).locator('td').first();
  return (await cell.innerText()).replace(/[\s\u00a0*]/g, '');
}

async function issuePeriod(period) {
  await page.goto(url);
  await page.getByRole('link', { name: /Uppföljningsrapporter/ }).first().click();
  await page.getByRole('heading', { name: 'Uppföljningsrapporter' }).waitFor();
  await page.getByLabel('Period').fill(period);
  await page.getByRole('button', { name: 'Utfärda' }).click();
  await page.getByRole('heading', { name: `Uppföljning ${period} – utgåva 1` }).waitFor();
}

if (fas === 'nasta-ar') {
  await check('the coordinator issues the last quarter, the second half-year and the year', async () => {
    await signIn('samordnare');
    for (const p of ['2026-Q4', '2026-H2', '2026']) {
      await issuePeriod(p);
    }
    expect(await page.getByRole('heading', { name: 'Ärenden per hemkommun och kön' }).isVisible(),
      'the year has its two-way tables');
    await axe('year report');
  });

  await check('a corrected case gives a new edition of its quarter, with a coded reason', async () => {
    // A case of the first quarter (the latest, not yet erased), found with the list's period filter.
    await page.goto(`${url}arenden?visa=alla&status=inom&fran=2026-01-01&till=2026-03-31`);
    await page.locator('tbody a', { hasText: /^2026-\d{4}$/ }).first().click();
    await page.getByRole('link', { name: 'Rätta uppgifterna' }).click();
    const kon = page.getByLabel('Kön');
    const nu = await kon.inputValue();
    await kon.selectOption(nu === 'kvinna' ? 'man' : 'kvinna');
    await page.getByRole('button', { name: 'Spara rättelsen' }).click();
    await page.getByRole('link', { name: 'Rätta uppgifterna' }).waitFor();
    await page.goto(url);
    await page.getByRole('link', { name: /Uppföljningsrapporter/ }).first().click();
    const row = page.locator('tbody tr', { hasText: '1 ärende ändrat sedan utfärdandet' });
    await row.getByLabel(/Skäl till ny utgåva/).selectOption('rattelse_uppgift');
    await row.getByLabel(/Anteckning/).fill('Kön rättat efter samtal');
    await row.getByRole('button', { name: /Ge ut utgåva 2/ }).click();
    await page.getByRole('heading', { name: /^Uppföljning 2026-Q1 – utgåva 2/ }).waitFor();
    const body = await page.locator('main').textContent();
    expect(body.includes('Rättade uppgifter i ärenden'), 'the reason is shown by its label');
    expect(!body.includes('Kön rättat efter samtal'), 'the note is not published');
    await axe('edition');
  });

  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await check('the start page sends a stranger to sign in', async () => {
  await page.goto(url);
  expect(new URL(page.url()).pathname === '/logga-in', `landed on ${page.url()}`);
  expect((await page.title()) === 'Logga in – boj', `title ${await page.title()}`);
  expect(await page.getByText('exempeldata').first().isVisible(), 'no sample-data banner');
});

await check('the sign-in page passes axe-core', () => axe('sign-in page'));

await check('a wrong password is refused in Swedish', async () => {
  await page.getByLabel('Användarnamn').fill('kommun-2303');
  await page.getByLabel('Lösenord').fill('fel-losenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  expect(await page.getByRole('alert').textContent() === 'Fel användarnamn eller lösenord.', 'no error message');
});

await check('a municipal official signs in', async () => {
  await page.getByLabel('Användarnamn').fill('kommun-2303');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { name: 'Välkommen, kommun-2303' }).waitFor();
  expect(await page.getByText('Ragunda (2303)').isVisible(), 'scope not shown');
});

await check('the start page passes axe-core', () => axe('start page'));

await check('the start page fits a phone', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow <= 0, `scrolls sideways by ${overflow}px`);
});

await check('the accessibility statement passes axe-core', async () => {
  await page.getByRole('link', { name: 'Tillgänglighetsredogörelse' }).click();
  await page.getByRole('heading', { name: 'Tillgänglighetsredogörelse' }).waitFor();
  await axe('accessibility statement');
});

await check('signing out ends the session', async () => {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByText('Du är utloggad.').waitFor();
  await page.goto(url);
  expect(new URL(page.url()).pathname === '/logga-in', 'still signed in');
});

await check('a municipal official reads the agreement, own municipality first', async () => {
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.goto(url + 'logga-in');
  await page.getByLabel('Användarnamn').fill('kommun-2303');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('link', { name: /Överenskommelse om idéburet/ }).first().click();
  await page.getByRole('heading', { name: 'Parter och beslut' }).waitFor();
  const first = await page.locator('table.board tbody tr').first().textContent();
  expect(first.includes('Ragunda') && first.includes('din kommun') && first.includes('§ 140'), `first row: ${first}`);
  expect(await page.getByRole('link', { name: 'Registrera beslut' }).count() === 0, 'a municipality may not record decisions');
  // The board links the party's own decision further down the page.
  await page.locator('table.board tbody tr').first().getByRole('link').click();
  expect(await page.evaluate(() => window.location.hash.startsWith('#')), 'the decision is linked');
});

await check('the agreement page passes axe-core', () => axe('agreement page'));

await check('the county strategist records Berg\'s decision and the board changes', async () => {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByLabel('Användarnamn').fill('forbund');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  expect(await page.getByText('Gäller inte i dag för: Berg (väntar på beslut)').isVisible(), 'Berg not pending on the start page');
  await page.getByRole('link', { name: /Överenskommelse om idéburet/ }).first().click();
  const berg = page.locator('table.board tr', { hasText: 'Berg' });
  expect((await berg.textContent()).includes('Väntar på beslut'), 'Berg not pending on the board');
  await page.getByRole('link', { name: 'Registrera beslut' }).click();
  await page.getByRole('heading', { name: 'Registrera beslut' }).waitFor();
  await page.getByLabel('Beslutsorgan').selectOption('kommunfullmaktige');
  await page.getByLabel('Kommun (ingen för SocSam)').selectOption('2326');
  expect(await page.getByLabel('Beslutsdatum (tomt om okänt)').getAttribute('type') === 'date', 'a date picker');
  await page.getByLabel('Beslutsdatum (tomt om okänt)').fill('2026-11-20');
  await page.getByLabel('Paragraf').fill('§ 99');
  await page.getByLabel('Utfall').selectOption('bifall');
  await page.getByLabel('Gäller från (vid bifall)').fill('2027-01-01');
  await page.getByLabel('Punkt 1: nummer').fill('1');
  await page.getByLabel('Punkt 1: text').fill('att godkänna överenskommelsen');
  // Any number of items: a fourth row, with what was typed kept.
  await page.getByRole('button', { name: 'Lägg till en beslutspunkt' }).click();
  await page.getByLabel('Punkt 4: text').fill('att uppdra åt socialnämnden att följa upp');
  expect(await page.getByLabel('Punkt 1: text').inputValue() === 'att godkänna överenskommelsen', 'the typed item is kept');
  await page.getByLabel('Punkt 4: nummer').fill('2');
  await axe('decision form');
  await page.getByRole('button', { name: 'Registrera beslutet' }).click();
  await page.getByText('Beslutet är registrerat.').waitFor();
  const after = await page.locator('table.board tr', { hasText: 'Berg' }).textContent();
  expect(after.includes('Beslutad, gäller från 2027-01-01') && after.includes('§ 99, 2026-11-20'), `Berg: ${after}`);
  expect(await page.getByText('att uppdra åt socialnämnden att följa upp').isVisible(), 'the fourth item is recorded');
  // The start page does not call Berg a party yet: its decision applies from next year.
  await page.goto(url);
  expect(await page.getByText('Berg (gäller från 2027-01-01)').isVisible(), 'Berg applies later on the start page');
  await page.goBack();
  await page.getByRole('heading', { name: 'Parter och beslut' }).waitFor();
});

await check('the agreement form passes axe-core', async () => {
  await page.getByRole('link', { name: 'Ändra överenskommelsen (ny version)' }).click();
  await page.getByRole('heading', { name: /^Ändra / }).waitFor();
  await axe('agreement form');
});

let kvinnojourForut = null;
await check('the coordinator previews the referrals of 2026-Q3 before a volunteer records one', async () => {
  await signIn('samordnare');
  await page.getByRole('link', { name: /Uppföljningsrapporter/ }).first().click();
  await page.getByRole('heading', { name: 'Uppföljningsrapporter' }).waitFor();
  const lista = new URL(page.url());
  await page.goto(new URL(`${lista.pathname}/forhandsgranska?from=2026-07-01&to=2026-09-30`, url).toString());
  await page.getByRole('heading', { name: /^Förhandsgranskning 2026-07-01/ }).waitFor();
  kvinnojourForut = Number(await kvinnojourensHanvisningar());
  expect(Number.isInteger(kvinnojourForut), `the preview shows the referrals to a women's shelter: ${kvinnojourForut}`);
});

await check('a volunteer registers a case on a phone and sees the answer while filling it in', async () => {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByLabel('Användarnamn').fill('stodperson1');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await secondStep('stodperson1');
  await page.getByRole('link', { name: 'Registrera nytt ärende' }).click();
  await axe('intake form');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow <= 0, `the intake form scrolls sideways by ${overflow}px`);
  // Nothing is chosen in advance for the statistics: the volunteer picks who seeks support and
  // how the first contact came about.
  expect(!(await page.getByLabel('Brottsutsatt', { exact: true }).isChecked()), 'a person type is preselected');
  expect(await page.getByLabel('Första kontakten via').inputValue() === '', 'a first contact is preselected');
  // Sent without a target group: the message sits beside the question, which has the focus.
  await page.getByRole('button', { name: 'Registrera' }).click();
  await page.locator('#person_type-fel').waitFor();
  expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === 'person_type', 'the focus is on the question the error is about');
  await axe('intake form with an error');
  await page.getByLabel('Brottsutsatt', { exact: true }).check();
  // A home outside the county is a few letters away; emptying the search gives back the choice
  // made before it.
  const hemForeSok = await page.getByLabel('Hemkommun').inputValue();
  await page.getByLabel('Sök kommun').fill('götebo');
  expect(await page.getByLabel('Hemkommun').inputValue() === '1480', 'the search picks Göteborg');
  await page.locator('#behorighet', { hasText: 'Utanför överenskommelsen' }).waitFor();
  await page.getByLabel('Sök kommun').fill('');
  expect(await page.getByLabel('Hemkommun').inputValue() === hemForeSok, 'emptying the search gives back the earlier choice');
  await page.getByLabel('Första kontakten via').selectOption('polis');
  await page.getByLabel('Hemkommun').selectOption('2326');
  await page.locator('#behorighet', { hasText: 'Utanför överenskommelsen' }).waitFor();
  await page.getByLabel('Hemkommun').selectOption('2321');
  await page.locator('#behorighet', { hasText: 'Inom överenskommelsen' }).waitFor();
  await page.getByLabel('Rån').check();
  // A contact from September, so that its referral is in the quarter the coordinator issues.
  await page.getByLabel('Datum för kontakten').fill('2026-09-15');
  await page.getByRole('button', { name: 'Registrera' }).click();
  await page.getByRole('heading', { name: 'Inom överenskommelsen' }).waitFor();
  await page.getByText(/Ärendet är registrerat som \d{4}-\d{4}\./).waitFor();
  caseUrl = page.url();
  await axe('case page');
});

await check('the volunteer records, corrects and confirms an activity, closes and reopens the case', async () => {
  await page.locator('#minutes').fill('45');
  await page.getByRole('button', { name: 'Lägg till' }).click();
  await page.getByText('Aktiviteten är sparad.').waitFor();
  expect(await page.locator('ul.activities').innerText().then((t) => t.includes('45\u00a0min')), 'the activity is listed');
  await page.locator('ul.activities summary').first().click();
  await page.locator('ul.activities input[name="minutes"]').first().fill('100');
  await page.getByRole('button', { name: 'Spara rättelsen' }).click();
  await page.getByText('Rättelsen av aktiviteten är sparad.').waitFor();
  expect(await page.locator('ul.activities').innerText().then((t) => t.includes('1\u00a0h 40\u00a0min')), 'the correction is listed in hours and minutes');
  // A referral names one of the agreement's collaboration partners.
  await page.locator('#date').fill('2026-09-16');
  await page.locator('#kind').selectOption('hanvisning');
  await page.locator('#partner').selectOption({ label: KVINNOJOUR });
  await page.getByRole('button', { name: 'Lägg till' }).click();
  await page.getByText('Aktiviteten är sparad.').waitFor();
  expect(await page.locator('ul.activities').innerText().then((t) => t.includes('Hänvisning till Kvinnojouren i länet (exempel)')), 'the referral names its partner');
  await page.getByLabel(/Ja, avsluta ärendet/).check();
  await page.getByRole('button', { name: 'Avsluta' }).click();
  await page.getByText('Ärendet är avslutat.').waitFor();
  await page.getByRole('button', { name: 'Öppna ärendet igen' }).click();
  await page.getByText('Ärendet är öppnat igen.').waitFor();
  await axe('case page after changes');
});

// Presses Tab until the focused element satisfies `test` (at most 80 times): the control is
// reachable by keyboard, in the page's order.
async function tabTo(what, test) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return;
  }
  throw new Error(`${what} cannot be reached with Tab`);
}

await check('a volunteer completes the intake form with the keyboard alone', async () => {
  await page.goto(`${url}arenden/nytt`);
  await page.locator('h1').waitFor();
  await tabTo('the first target group', () => document.activeElement.name === 'person_type');
  await page.keyboard.press('Space');
  await tabTo('the municipality search', () => document.activeElement.id === 'kommunsok');
  await page.keyboard.type('Östersund');
  await page.locator('#behorighet', { hasText: 'Inom överenskommelsen' }).waitFor();
  await tabTo('the first crime type', () => document.activeElement.name === 'crime_types');
  await page.keyboard.press('Space');
  await tabTo('the first contact', () => document.activeElement.id === 'first_contact');
  await page.keyboard.type('Själv');
  expect(await page.locator('#first_contact').inputValue() === 'sjalv', 'the first contact is chosen by typing');
  await tabTo('the register button', () => document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent === 'Registrera');
  await page.keyboard.press('Enter');
  await page.getByText(/Ärendet är registrerat som \d{4}-\d{4}\./).waitFor();
  const facts = await page.locator('dl.facts').innerText();
  expect(facts.includes('Östersund') && facts.includes('Själv') && facts.includes('Misshandel'), `saved: ${facts}`);
});

await check('with JavaScript off, a volunteer on a phone registers a case with consent, records an activity, closes and reopens it', async () => {
  const nojs = await browser.newContext({ bypassCSP: true, locale: 'sv-SE', javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const p = await nojs.newPage();
  try {
    await p.goto(`${url}logga-in`);
    await p.getByLabel('Användarnamn').fill('stodperson2');
    await p.getByLabel('Lösenord').fill(password);
    await p.getByRole('button', { name: 'Logga in' }).click();
    if (new URL(p.url()).pathname === '/logga-in/kod') {
      await p.getByLabel('Kod').fill(totp(keys.stodperson2));
      await p.getByRole('button', { name: 'Logga in' }).click();
    }
    await p.getByRole('link', { name: 'Registrera nytt ärende' }).first().click();
    expect(await p.locator('#kommunsok').count() === 0, 'no search box without JavaScript: the plain list');
    await p.getByLabel('Vittne', { exact: true }).check();
    await p.getByLabel('Hemkommun').selectOption('2380');
    await p.getByLabel('Okänt brott').check();
    await p.getByLabel('Första kontakten via').selectOption('okant');
    await p.locator('details summary').click();
    await p.getByLabel(/Personen samtycker/).check();
    await p.getByLabel('Telefon').fill('070-123 45 67');
    await p.getByRole('button', { name: 'Registrera' }).click();
    await p.getByRole('heading', { name: 'Inom överenskommelsen' }).waitFor();
    await p.getByText(/Ärendet är registrerat som/).waitFor();
    await screenshot('case page without JavaScript', p);
    await p.locator('#minutes').fill('20');
    await p.getByRole('button', { name: 'Lägg till' }).click();
    await p.getByText('Aktiviteten är sparad.').waitFor();
    await p.getByLabel(/Ja, avsluta ärendet/).check();
    await p.getByRole('button', { name: 'Avsluta' }).click();
    await p.getByText('Ärendet är avslutat.').waitFor();
    await p.getByRole('button', { name: 'Öppna ärendet igen' }).click();
    await p.getByText('Ärendet är öppnat igen.').waitFor();
    // The case list, as the volunteer's own, on a phone.
    await p.goto(`${url}arenden`);
    await screenshot('case list on a phone without JavaScript', p);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow <= 0, `the case list scrolls sideways by ${overflow}px`);
  } finally {
    await nojs.close();
  }
});

await check('the coordinator previews, issues 2026-Q3 and reads the signed report', async () => {
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByLabel('Användarnamn').fill('samordnare');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await secondStep('samordnare');
  await page.getByRole('link', { name: /Uppföljningsrapporter/ }).first().click();
  await page.getByRole('heading', { name: 'Uppföljningsrapporter' }).waitFor();
  await axe('report list');
  await page.getByRole('button', { name: 'Förhandsgranska' }).click();
  await page.getByRole('heading', { name: /^Förhandsgranskning/ }).waitFor();
  await axe('preview');
  await page.goBack();
  await page.getByLabel('Period').fill('2026-Q3');
  await page.getByRole('button', { name: 'Utfärda' }).click();
  await page.getByRole('heading', { name: 'Uppföljning 2026-Q3 – utgåva 1' }).waitFor();
  // The issued report downloads as PDF and XLSX.
  for (const [link, ext] of [['PDF', '.pdf'], ['Excel (XLSX)', '.xlsx']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link, exact: true }).click()]);
    expect(download.suggestedFilename().endsWith(ext), `download ${link}: ${download.suggestedFilename()}`);
  }
  expect(await page.getByRole('heading', { name: 'Ärenden per hemkommun' }).isVisible(), 'the municipality table is shown');
  // Referrals per kind of partner, and collaboration hours, are in the issued report: the
  // volunteer's referral to a women's shelter is one more than the preview showed before it.
  expect(await page.getByRole('heading', { name: /Ärenden med hänvisning, per samverkanspartens slag/ }).isVisible(), 'the referral table is shown');
  const nu = await kvinnojourensHanvisningar();
  expect(nu === String(kvinnojourForut + 1), `referrals to a women's shelter: ${kvinnojourForut} before, ${nu} issued`);
  expect(await page.getByRole('heading', { name: 'Samverkan: timmar per samverkanspartens slag' }).isVisible(), 'the collaboration table is shown');
  await axe('issued report');
  await page.getByRole('link', { name: 'Alla rapporter' }).click();
  await page.getByLabel('Period').fill('2026-Q3');
  await page.getByRole('button', { name: 'Utfärda' }).click();
  await page.getByText('Rapporten för 2026-Q3 är redan utfärdad').waitFor();
});

await check('the coordinator reads the audit log, the report issue in it, and it passes axe-core', async () => {
  await page.goto(new URL('/', url).toString());
  await page.getByRole('link', { name: 'Granskningslogg' }).click();
  await page.getByRole('heading', { name: 'Granskningslogg' }).waitFor();
  await page.getByLabel(/^Händelse/).fill('rapport.');
  await page.getByRole('button', { name: 'Visa' }).click();
  const text = await page.locator('tbody').innerText();
  expect(text.includes('rapport.utfardad'), `audit rows: ${text.slice(0, 200)}`);
  await axe('audit log');
});

await check('a municipal official sees the issued report, own municipality first', async () => {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByLabel('Användarnamn').fill('kommun-2303');
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('link', { name: /Uppföljningsrapporter/ }).first().click();
  const row = await page.locator('tbody tr', { hasText: '2026-Q3' }).textContent();
  expect(row.includes('Sen'), `deadline status: ${row}`);
  expect(await page.getByRole('button', { name: 'Utfärda' }).count() === 0, 'a municipality may not issue');
  await page.getByRole('link', { name: /Visa/ }).first().click();
  const table = page.locator('section', { has: page.getByRole('heading', { name: 'Ärenden per hemkommun', exact: true }) });
  const first = await table.locator('tbody tr').first().textContent();
  expect(first.includes('Ragunda'), `first row: ${first}`);
  // A case is never a municipality's to see, even by its address.
  const refused = await page.goto(caseUrl);
  expect(refused.status() === 403, `a case URL answered ${refused.status()} to a municipal official`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await axe('a case refused to a municipal official');
  await page.goBack();
  const bar = await table.locator('.bar-row').first().textContent();
  expect(bar.includes('Ragunda') && bar.includes('din kommun'), `first bar: ${bar}`);
  // On a phone a wide table scrolls inside its own region, its row headers staying in view; the
  // page itself never scrolls sideways.
  await page.setViewportSize({ width: 360, height: 780 });
  const sticky = await page.evaluate(() => getComputedStyle(document.querySelector('.scroll th[scope="row"]')).position);
  expect(sticky === 'sticky', `row headers are ${sticky}, not sticky`);
  const sidled = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sidled <= 0, `the report page scrolls sideways by ${sidled}px on a phone`);
  await page.setViewportSize({ width: 1000, height: 800 });
  await axe('issued report as a municipality');
});

await check('the municipal official\'s start page shows the trend from issued reports and links the newest report and the invoice basis', async () => {
  await page.goto(url);
  const trend = page.locator('section.trend');
  await trend.getByRole('heading', { name: /^Utvecklingen/ }).waitFor();
  expect(await trend.getByRole('link', { name: '2026-Q3', exact: true }).count() === 1, 'the issued quarter is in the trend');
  expect(await trend.getByRole('link', { name: /^Senaste rapporten: 2026-Q3/ }).isVisible(), 'the newest report is linked');
  await trend.getByRole('link', { name: /^Fakturaunderlag 2026/ }).click();
  await page.getByRole('heading', { name: /Fakturaunderlag/ }).first().waitFor();
  await axe('invoice basis');
  await page.goto(url);
  await axe('municipal start page with the trend');
});

await check('the admin\'s start page, with its accounts and the new-account form, passes axe-core', async () => {
  await signIn('admin');
  await page.getByRole('heading', { name: 'Nytt konto' }).waitFor();
  expect(await page.getByRole('button', { name: /^Stäng av/ }).count() > 0, 'accounts can be disabled');
  await axe('admin start page');
  // A new support person: an activation link, no password set by the admin.
  await page.getByLabel('Användarnamn').fill('volontar-ny');
  await page.getByLabel('Roll', { exact: true }).selectOption('stodperson');
  await page.getByLabel('Organisation (stödperson, samordnare)').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Skapa kontot' }).click();
  expect((await page.locator('#aktiveringslank').textContent()).includes('/aktivera/'), 'an activation link is shown');
  await axe('account created');
  await page.getByRole('link', { name: 'Till startsidan' }).click();
  const row = page.locator('tbody tr', { hasText: 'volontar-ny' });
  await row.getByRole('button', { name: /^Stäng av/ }).click();
  await page.getByText('Kontot är avstängt').waitFor();
  expect((await page.locator('tbody tr', { hasText: 'volontar-ny' }).textContent()).includes('Avstängd'), 'the account is disabled');
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

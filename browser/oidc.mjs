// Browser test of sign-in through an OpenID provider: Debian's Chromium, driven by playwright-core,
// from boj's sign-in page through a real provider (`oidc-provider.mjs`) and back.
// Usage: node oidc.mjs BOJ_URL ACCOUNT — ACCOUNT is a `kommun` account of the demo, whose name the
// provider's development sign-in takes as the subject. Prints "N passed, M failed"; exits non-zero
// on any failure.
import { chromium } from 'playwright-core';

const [url, account] = process.argv.slice(2);
if (!url || !account) {
  console.error('usage: node oidc.mjs BOJ_URL ACCOUNT');
  process.exit(2);
}
const base = url.replace(/\/$/, '');
const browser = await chromium.launch({
  executablePath: process.env.BOJ_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0;
let failed = 0;

async function check(name, fn) {
  const context = await browser.newContext({ locale: 'sv-SE' });
  const page = await context.newPage();
  try {
    await fn(page);
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  } finally {
    await context.close();
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// From boj's sign-in page to the provider's, signed in there as `login`, consent given; back at boj.
async function viaProvider(page, login) {
  await page.goto(`${base}/logga-in`);
  await page.getByRole('link', { name: 'Logga in med din organisations inloggning' }).click();
  await page.waitForSelector('input[name="login"]', { timeout: 15000 });
  expect(!page.url().startsWith(base), `still at boj: ${page.url()}`);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'vad-som-helst');
  await page.click('button[type="submit"]');
  // The provider asks once for consent to share the claims with boj.
  const consent = page.getByRole('button', { name: 'Continue' });
  await Promise.race([
    consent.waitFor({ timeout: 15000 }).then(() => consent.click()),
    page.waitForURL((u) => u.toString().startsWith(base), { timeout: 15000 }),
  ]);
  await page.waitForURL((u) => u.toString().startsWith(base), { timeout: 15000 });
}

await check(`${account} signs in through the provider and reaches the start page`, async (page) => {
  await viaProvider(page, account);
  await page.waitForURL(`${base}/`, { timeout: 15000 });
  const who = await page.locator('.who').innerText();
  expect(who.includes(account), `signed in as "${who}"`);
  // A whole session: the agreements the municipality is party to open.
  await page.goto(`${base}/avtal`);
  expect(await page.locator("h1").count() > 0, "no agreement page");
  expect(!page.url().includes('/logga-in'), `sent to sign in: ${page.url()}`);
});

await check('someone without a boj account is refused with a clear page', async (page) => {
  await viaProvider(page, 'finns-inte-i-boj');
  const text = await page.locator('main').innerText();
  expect(text.includes('inget konto i boj'), `page: ${text}`);
  expect(text.includes('ej_kopplat_konto'), `page: ${text}`);
  await page.goto(`${base}/`);
  expect(page.url().includes('/logga-in'), `not refused: ${page.url()}`);
});

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The web page in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// set a key through the form, see it in the list, page through keys, get it, delete it, and see the
// cluster picture, also with followers (a recorded Cluster.Status served in place of /cluster).
// With READ_TOKEN and WRITE_TOKEN (a gateway whose leader runs with --token-file), it first checks
// that the page asks for a token, shows a wrong one's error and takes the write token; the same
// steps then run signed in; at the end a read token may look but not write, and sign out forgets.
//
//   BASE_URL=http://127.0.0.1:3000 OUT_DIR=../../../target/browser node browser-test.mjs
//
// Env: BASE_URL (gateway), OUT_DIR (screenshots), CHROMIUM (default /usr/bin/chromium),
// FIXTURE (default ../resources/cluster-with-followers.json), READ_TOKEN and WRITE_TOKEN (both or
// neither), SHOTS (screenshot name prefix, default web-page). Exits non-zero when a step fails.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '') + '/';
const outDir = process.env.OUT_DIR || join(here, '..', '..', '..', 'target', 'browser');
const fixture = JSON.parse(readFileSync(process.env.FIXTURE || join(here, '..', 'resources',
  'cluster-with-followers.json'), 'utf8'));
const WAIT = { timeout: 15000 };
const readToken = process.env.READ_TOKEN;
const writeToken = process.env.WRITE_TOKEN;
const tokens = Boolean(readToken && writeToken);
if (Boolean(readToken) !== Boolean(writeToken)) throw new Error('set both READ_TOKEN and WRITE_TOKEN, or neither');
const shots = process.env.SHOTS || 'web-page';
/** What the test's own API calls send: the write token when the gateway needs one. */
const apiHeaders = tokens ? { Authorization: 'Bearer ' + writeToken } : {};

mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'kvdb-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: false,
  viewport: { width: 1280, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));

let passed = 0;
let failed = 0;
async function step(name, body) {
  if (failed > 0) return; // later steps build on earlier ones
  try {
    await body();
    passed++;
    console.log('ok   ' + name);
  } catch (e) {
    failed++;
    console.log('FAIL ' + name + '\n     ' + (e.stack || e).toString().split('\n').slice(0, 6).join('\n     '));
    await page.screenshot({ path: join(outDir, 'failure.png'), fullPage: true }).catch(() => {});
  }
}

/** Rows of the key list, as their keys. */
const listedKeys = () => page.$$eval('#keys-table tbody tr', (rows) =>
  rows.filter((r) => r.dataset.key !== undefined).map((r) => r.dataset.key));

async function waitForListed(key, present) {
  await page.waitForFunction(([k, p]) => {
    const keys = [...document.querySelectorAll('#keys-table tbody tr')].map((r) => r.dataset.key);
    return keys.includes(k) === p;
  }, [key, present], WAIT);
}

async function apiGet(path, headers = apiHeaders) {
  const response = await page.request.get(baseUrl + path, { headers });
  return { status: response.status(), json: await response.json(), headers: response.headers() };
}

const stamp = Date.now();
const key = 'browser/key with space?#%ü🔑 ' + stamp;
const value = 'set from Chromium ' + stamp;

const dialogOpen = () => page.waitForSelector('#token-dialog[open]', WAIT);

async function enterToken(token) {
  await page.fill('#token', token);
  await page.click('#token-ok');
}

if (tokens) {
  await step('without a token the API answers 401 with a Bearer challenge', async () => {
    const anonymous = await apiGet('cluster', {});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.json.error, /bearer token/);
    assert.match(anonymous.headers['www-authenticate'], /^Bearer/);
  });

  await step('the page asks for a token', async () => {
    await page.goto(baseUrl);
    await dialogOpen();
    assert.equal(await page.isVisible('#signed-in'), false);
    await page.screenshot({ path: join(outDir, shots + '-token.png'), fullPage: true });
  });

  await step('a wrong token shows the error and the page asks again', async () => {
    await enterToken('not-the-right-token-0123456789');
    await page.waitForSelector('#token-reason:has-text("invalid bearer token")', WAIT);
    assert.equal(await page.isVisible('#token-dialog'), true);
    assert.equal(await page.inputValue('#token'), '', 'the refused token is cleared');
  });

  await step('the write token is taken, kept in sessionStorage and the page loads', async () => {
    await enterToken(writeToken);
    await page.waitForSelector('#token-dialog', { state: 'hidden', ...WAIT });
    await page.waitForSelector('body[data-cluster-rendered="true"]', WAIT);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('kvdb.token')), writeToken);
    assert.equal(await page.isVisible('#signed-in'), true);
  });
}

await step('the page loads and draws the cluster from GET /cluster', async () => {
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-cluster-rendered="true"]', WAIT);
  const status = (await apiGet('cluster')).json;
  assert.equal(await page.locator('#shard-map g.shard').count(), status.shards);
  assert.match(await page.textContent('#leader'), /leader [0-9a-f]{8}/);
  if (status.followers.length === 0) {
    assert.equal(await page.isVisible('#no-followers'), true, '"no followers yet" is shown');
    assert.equal(await page.locator('#shard-map g.shard[data-holders=""]').count(), status.shards);
  } else {
    assert.equal(await page.locator('#followers .follower').count(), status.followers.length);
  }
});

await step('set a key through the form', async () => {
  await page.fill('#key', key);
  await page.fill('#value', value);
  await page.click('#set-btn');
  await page.waitForSelector('#result .ok:has-text("Stored")', WAIT);
  const stored = await apiGet('get/' + encodeURIComponent(key));
  assert.equal(stored.status, 200);
  assert.equal(stored.json.value, value);
});

await step('the live feed shows the change', async () => {
  // Only with an open leader: EventSource cannot send a token, so with tokens the feed says it is off.
  if (tokens) {
    await page.waitForFunction(() => document.getElementById('watch-status').textContent.startsWith('off'), null, WAIT);
    return;
  }
  await page.waitForFunction(([k, v]) => [...document.querySelectorAll('#watch-feed li.put')]
    .some((li) => li.querySelector('.key').textContent === k && li.querySelector('.val').textContent === v),
  [key, value], WAIT);
  assert.match(await page.textContent('#watch-status'), /^live · revision \d+$/);
});

await step('see it in the list, filtered by prefix', async () => {
  await page.fill('#prefix', 'browser/key');
  await page.click('#refresh-btn');
  await waitForListed(key, true);
  for (const listed of await listedKeys()) assert.ok(listed.startsWith('browser/key'), listed);
});

await step('get it back into the form', async () => {
  await page.fill('#value', '');
  await page.click('#get-btn');
  await page.waitForSelector('#result .ok:has-text("Got")', WAIT);
  assert.equal(await page.inputValue('#value'), value);
});

await step('page through keys with Next and Prev', async () => {
  for (let i = 0; i < 12; i++) {
    const r = await page.request.post(baseUrl + 'set', { headers: apiHeaders,
      data: { key: 'browser/page/' + String(i).padStart(2, '0'), value: 'p' + i } });
    assert.equal(r.status(), 200);
  }
  await page.fill('#prefix', 'browser/page/');
  await page.selectOption('#page-size', '10');
  await page.click('#refresh-btn');
  await page.waitForFunction(() => document.querySelectorAll('#keys-table tbody tr[data-key]').length === 10, null, WAIT);
  assert.equal((await listedKeys())[0], 'browser/page/00');
  await page.click('#next-btn');
  await page.waitForFunction(() => document.querySelectorAll('#keys-table tbody tr[data-key]').length === 2, null, WAIT);
  assert.deepEqual(await listedKeys(), ['browser/page/10', 'browser/page/11']);
  assert.equal(await page.isDisabled('#next-btn'), true);
  await page.click('#prev-btn');
  await page.waitForFunction(() => document.querySelectorAll('#keys-table tbody tr[data-key]').length === 10, null, WAIT);
});

await step('delete it, and it is gone', async () => {
  await page.fill('#prefix', 'browser/');
  await page.selectOption('#page-size', '25');
  await page.fill('#key', key);
  await page.click('#delete-btn');
  await page.waitForSelector('#result .ok:has-text("Deleted")', WAIT);
  await waitForListed(key, false);
  assert.equal((await apiGet('get/' + encodeURIComponent(key))).status, 404);
  await page.click('#get-btn');
  await page.waitForSelector('#result .err:has-text("not found")', WAIT);
});

await step('screenshot of the page', async () => {
  await page.fill('#key', 'browser/page/03');
  await page.click('#get-btn');
  await page.waitForSelector('#result .ok', WAIT);
  await page.screenshot({ path: join(outDir, shots + '.png'), fullPage: true });
});

await step('followers, their shards and lag are drawn when the status has them', async () => {
  await page.route('**/cluster', (route) => route.fulfill({ json: fixture }));
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll('#followers .follower').length === n,
    fixture.followers.length, WAIT);
  assert.equal(await page.isVisible('#no-followers'), false);
  assert.equal(await page.locator('#shard-map g.shard').count(), fixture.shards);
  for (const f of fixture.followers) {
    const card = page.locator('#followers .follower[data-id="' + f.id + '"]');
    assert.equal(await card.count(), 1, f.id);
    assert.equal(await card.evaluate((c) => c.classList.contains('dead')), !f.alive, f.id + ' alive/dead');
    assert.match(await card.textContent(), new RegExp(f.shards.length + ' shards'));
    for (const s of f.shards) {
      const holders = await page.getAttribute('#shard-map g.shard[data-shard="' + s + '"]', 'data-holders');
      assert.ok(holders.split(',').includes(f.id), 'shard ' + s + ' held by ' + f.id);
    }
    for (const s of f.incoming_shards) {
      assert.equal(await page.locator('#shard-map g.shard[data-shard="' + s + '"] rect.incoming').count(), 1);
    }
  }
  assert.equal(await page.locator('#shard-map rect.under-replicated').count(), fixture.under_replicated_shards.length);
  for (const s of fixture.under_replicated_shards) {
    assert.equal(await page.getAttribute('#shard-map g.shard[data-shard="' + s + '"]', 'data-under-replicated'), 'true');
  }
  assert.equal(await page.locator('#shard-map path.missing').count(), fixture.missing_shards.length);
  for (const s of fixture.missing_shards) {
    assert.equal(await page.getAttribute('#shard-map g.shard[data-shard="' + s + '"]', 'data-missing'), 'true');
  }
  const lagging = fixture.followers.find((f) => f.lag_events > 0);
  assert.match(await page.textContent('#followers .follower[data-id="' + lagging.id + '"]'),
    new RegExp(lagging.lag_events + ' events'));
  assert.equal(await page.locator('#legend span').count(), fixture.followers.length + 3);
  assert.equal(await page.locator('#legend i.under-replicated').count(), 1);
  assert.equal(await page.locator('#legend i.missing').count(), 1);
  assert.equal(await page.locator('#shard-map rect.progress').count(),
    fixture.followers.reduce((n, f) => n + f.progress.filter((p) => f.shards.includes(p.shard)).length, 0));
  await page.screenshot({ path: join(outDir, shots + '-followers.png'), fullPage: true });
});

await step('a leader outage is shown', async () => {
  await page.unroute('**/cluster');
  await page.route('**/cluster', (route) => route.fulfill({ status: 503,
    json: { error: 'leader unreachable at 127.0.0.1:50051: Connection refused' } }));
  await page.reload();
  await page.waitForSelector('#leader.down', WAIT);
  assert.match(await page.textContent('#cluster-summary'), /leader unreachable/);
});

if (tokens) {
  await step('sign out forgets the token; a read token may look but not write', async () => {
    await page.unroute('**/cluster');
    await page.click('#sign-out');
    await dialogOpen();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('kvdb.token')), null);
    await enterToken(readToken);
    await page.waitForSelector('#token-dialog', { state: 'hidden', ...WAIT });
    await page.waitForSelector('#leader.up', WAIT);
    await page.fill('#key', 'browser/page/04');
    await page.click('#get-btn');
    await page.waitForSelector('#result .ok:has-text("Got")', WAIT);
    await page.fill('#value', 'overwritten by a reader');
    await page.click('#set-btn');
    await page.waitForSelector('#result .err:has-text("403")', WAIT);
    assert.match(await page.textContent('#result'), /read-only/);
    assert.equal((await apiGet('get/' + encodeURIComponent('browser/page/04'))).json.value, 'p4');
  });

  await step('cancelling the dialog stops the asking until "sign in"', async () => {
    await page.click('#sign-out');
    await dialogOpen();
    await page.click('#token-cancel');
    await page.waitForSelector('#leader.locked', WAIT);
    await page.waitForTimeout(2500); // one cluster poll: it must not reopen the dialog
    assert.equal(await page.isVisible('#token-dialog'), false);
    await page.click('#sign-in');
    await dialogOpen();
    await enterToken(writeToken);
    await page.waitForSelector('#leader.up', WAIT);
  });
}

await step('no script errors on the page', async () => {
  assert.deepEqual(pageErrors, []);
});

await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

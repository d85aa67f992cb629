// The console (issue 13, section 3) as a person sees it: every service its own `mobius start` process on
// the real Postgres and NATS (own databases, own TOPIC_PREFIX), documents published through rag, a dead
// letter produced on the bus, a reconciliation pass run, and the page opened in Debian's headless
// Chromium, signed in as a person the shared guard admits (an allowed email in a real mobius-user
// database), a stranger refused at sign-in, and a script reading /api/status with the service token.
// A screenshot is written to test-output/console.png (and to docs/images/console.png, the
// README's, when MOBIUS_UPDATE_SCREENSHOTS=1).
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenService } from '@mobius/auth';
import { createBus, type Bus } from '@mobius/bus';
import { EVENTS, encodeEvent } from '@mobius/contracts';
import type { PipelineStatus } from '@mobius/status';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.ts';
import { mobius } from './support/cli.ts';
import { CONSUMERS, NATS_URL, createPipeline, type Pipeline } from './support/pipeline.ts';
import { markdown, publishDocument } from './support/pipeline-checks.ts';
import { waitFor, type ServiceProcess } from './support/processes.ts';
import { TEST_SERVICE_TOKEN } from './support/service-token.ts';
import { createTestUserDatabase, type TestUserDatabase } from './support/user-database.ts';

const SECRET = 'console-browser-test-secret';
const REFRESH_SECONDS = 2;
const OUTPUT_DIR = 'test-output';
const SCREENSHOT = join(OUTPUT_DIR, 'console.png');
const README_SCREENSHOT = join('docs', 'images', 'console.png');

let pipeline: Pipeline;
let rag: ServiceProcess;
let consoleService: ServiceProcess;
let bus: Bus;
let browser: Browser;
const OPERATOR_EMAIL = 'operator@example.com';
const tokens = createTokenService({ secret: SECRET });
let users: TestUserDatabase;
let token: string;
let strangerToken: string;

/** `/api/status` as a script reads it, with the Bearer header. */
async function apiStatus(): Promise<PipelineStatus> {
  const response = await fetch(`${consoleService.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/api/status answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as PipelineStatus;
}

/** A mart_updated event whose body the schema refuses: chat-sync and vertex-sync dead-letter it at once, with the reason. */
async function publishInvalidMartUpdated(): Promise<void> {
  const valid = encodeEvent(EVENTS.martUpdated, { run_id: 1, documents: 1, rows_upserted: 1, rows_tombstoned: 0 }, { id: 'console-bad-1' });
  const data = new TextEncoder().encode(JSON.stringify({ run_id: 'not-a-number', documents: 1, rows_upserted: 1, rows_tombstoned: 0 }));
  await bus.publish({ topic: EVENTS.martUpdated.topic, id: valid.id, data, attributes: valid.attributes });
}

/** What a person reads on the page (layout text, not markup). */
const visibleText = (page: Page) => page.evaluate(() => document.body.innerText);

beforeAll(async () => {
  users = await createTestUserDatabase('console_browser_users');
  const tenantId = '00000000-0000-0000-0000-000000000001';
  token = tokens.mintAccessToken({ userId: await users.addUser({ email: OPERATOR_EMAIL }), tenantId });
  strangerToken = tokens.mintAccessToken({ userId: await users.addUser({ email: 'stranger@example.com' }), tenantId });
  pipeline = await createPipeline('console', {}, { vectorIndex: 'local' });
  [rag] = await Promise.all([pipeline.start('rag'), ...CONSUMERS.map((name) => pipeline.start(name))]);
  consoleService = await pipeline.start('console', {
    CONSOLE_AUTH: 'jwt',
    JWT_SECRET: SECRET,
    AUTH_ALLOWED_EMAILS: OPERATOR_EMAIL,
    USER_DATABASE_URL: users.url,
    CONSOLE_REFRESH_SECONDS: String(REFRESH_SECONDS),
    CONSOLE_SAMPLE_INTERVAL_SECONDS: '1',
  });
  bus = await createBus({ kind: 'nats', natsUrl: NATS_URL, topicPrefix: pipeline.topicPrefix });
  browser = await launchChromium();

  await publishDocument(rag, 'prior-auth.md', markdown('Prior authorization', 6), { payer: 'Aetna', state: 'TX' });
  await publishDocument(rag, 'imaging.md', markdown('Advanced imaging', 4), { payer: 'Cigna', state: 'CA' });
  await waitFor(
    'both sinks to record freshness samples',
    async () => {
      const status = await apiStatus();
      return status.freshness.length === 2 && status.freshness.every((f) => f.samples >= 2);
    },
    60_000,
    250,
  );
  await publishInvalidMartUpdated();
  await waitFor(
    'the invalid event to be dead-lettered by chat-sync',
    async () => {
      const chatSync = (await apiStatus()).subscriptions.find((s) => s.name === 'chat-sync');
      return (chatSync?.dead_letters ?? 0) >= 1;
    },
    30_000,
    250,
  );
  const check = await mobius(['resync', '--check', '--target', 'all'], pipeline.env);
  if (check.code !== 0) throw new Error(`mobius resync --check found drift or failed (${check.code}): ${check.stderr}\n${check.stdout}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await bus?.close();
  await pipeline?.destroy();
  await users?.drop();
});

describe('the console in Chromium (CONSOLE_AUTH=jwt)', () => {
  it('answers a page load without a token with a redirect to the sign-in form, and the API with 401', async () => {
    const page = await fetch(`${consoleService.url}/`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    expect((await fetch(`${consoleService.url}/api/status`)).status).toBe(401);

    const tab = await browser.newPage();
    try {
      await tab.goto(`${consoleService.url}/`);
      expect(new URL(tab.url()).pathname).toBe('/login');
      expect(await visibleText(tab)).toContain('Paste an access token');
      expect(await tab.$('[data-stage]')).toBeNull();
    } finally {
      await tab.close();
    }
  });

  it('refuses to sign in a person without an allowed email or role, saying why, and admits a script with the service token', async () => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${consoleService.url}/login`);
      await tab.type('#token', strangerToken);
      await Promise.all([tab.waitForNavigation(), tab.click('button[type=submit]')]);
      expect(await visibleText(tab)).toContain('not allowed to use the console');
      expect(await tab.$('[data-stage]')).toBeNull();
    } finally {
      await tab.close();
    }
    const script = await fetch(`${consoleService.url}/api/status`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
    expect(script.status).toBe(200);
    const stranger = await fetch(`${consoleService.url}/api/status`, { headers: { authorization: `Bearer ${strangerToken}` } });
    expect(stranger.status).toBe(403);
  });

  it('shows the stages, freshness samples, sync runs, dead letters with their reason, and drift after signing in', async () => {
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1440, height: 900 });
    try {
      await tab.goto(`${consoleService.url}/login`);
      await tab.type('#token', token);
      await Promise.all([tab.waitForNavigation(), tab.click('button[type=submit]')]);
      expect(new URL(tab.url()).pathname).toBe('/');

      const text = await visibleText(tab);
      for (const stage of ['rag outbox', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync']) expect(text).toContain(stage);
      for (const sink of ['chat-sync', 'vertex-sync']) {
        const samples = await tab.$eval(`[data-stage="${sink}"]`, (card) => {
          const terms = Array.from(card.querySelectorAll('dt'));
          return terms.find((dt) => dt.textContent === 'freshness samples')?.nextElementSibling?.textContent ?? '';
        });
        expect(Number(samples.replace(/,/g, '')), `${sink} freshness samples`).toBeGreaterThan(0);
      }

      const runs = await tab.$$eval('table.sync-runs tbody tr', (rows) => rows.map((row) => (row as HTMLElement).innerText));
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.some((row) => row.includes('chat-sync') && row.includes('success'))).toBe(true);
      expect(runs.some((row) => row.includes('vertex-sync') && row.includes('success'))).toBe(true);

      const deadLetters = await tab.$eval('[data-subscription="chat-sync"]', (section) => (section as HTMLElement).innerText);
      expect(deadLetters).toContain('1 dead letter');
      expect(deadLetters).toMatch(/run_id/);
      expect(deadLetters).toContain('console-bad-1');
      expect(await tab.$eval('[data-stage="chat-sync"]', (card) => card.className)).toContain('failing');

      expect(text).toMatch(/Last pass finished/);
      expect(await tab.$$eval('table.drift tbody tr', (rows) => rows.map((row) => row.firstElementChild?.textContent))).toEqual(
        expect.arrayContaining(['chat', 'vertex']),
      );

      mkdirSync(OUTPUT_DIR, { recursive: true });
      await tab.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
      if (process.env.MOBIUS_UPDATE_SCREENSHOTS === '1') copyFileSync(SCREENSHOT, README_SCREENSHOT);
    } finally {
      await tab.close();
    }
  }, 60_000);

  it('reloads itself every few seconds, showing a newer status each time, and keeps the session', async () => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${consoleService.url}/login`);
      await tab.type('#token', token);
      await Promise.all([tab.waitForNavigation(), tab.click('button[type=submit]')]);
      const first = await tab.$eval('#generated-at', (el) => el.getAttribute('data-generated-at'));
      const reloaded = await tab.waitForNavigation({ timeout: (REFRESH_SECONDS + 5) * 1000 });
      expect(reloaded?.status()).toBe(200);
      expect(new URL(tab.url()).pathname).toBe('/');
      const second = await tab.$eval('#generated-at', (el) => el.getAttribute('data-generated-at'));
      expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!));
    } finally {
      await tab.close();
    }
  }, 30_000);
});

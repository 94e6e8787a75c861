import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAuth, handleLocalAuthRequest } from '../../local/auth.js';
import { type RunningGateway, startGateway } from '../../local/gateway.js';
import { type RunningSmsSimulator, startSmsSimulator, twilioSid } from '../../local/sms-simulator.js';
import { launchChromium } from '../support/chromium.js';

/**
 * The local pages in a real browser (Debian's Chromium, installed by .ci/run): they must work under
 * their strict CSP, and a text that looks like HTML must show as text.
 */

const accountSid = twilioSid('AC');
const authToken = 'c'.repeat(32);
let browser: Browser;
let gateway: RunningGateway;
let simulator: RunningSmsSimulator;
const problems: string[] = [];

beforeAll(async () => {
  const auth = await createLocalAuth();
  const handlers: Parameters<typeof startGateway>[0]['localHandlers'] = [
    (req, res, url) => handleLocalAuthRequest(auth, req, res, url.pathname),
  ];
  gateway = await startGateway({
    routes: [
      {
        routeKey: 'POST /sms/inbound',
        auth: 'NONE',
        functionName: 'sms-inbound',
        load: async () => async () => ({
          statusCode: 200,
          headers: { 'content-type': 'text/xml' },
          body: '<Response><Message>Thanks &lt;b&gt;friend&lt;/b&gt;</Message></Response>',
        }),
      },
    ],
    auth,
    localHandlers: handlers,
  });
  simulator = await startSmsSimulator({
    accountSid,
    authToken,
    clinicNumber: '+15555550100',
    inboundUrl: `${gateway.url}/sms/inbound`,
    statusDelayMs: 10,
  });
  handlers?.push(simulator.handleSimRequest);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await simulator?.close();
  await gateway?.close();
});

async function newPage() {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return page;
}

describe('local pages in a browser', () => {
  it('logs in as admin from the login page and keeps the token for the dashboard', async () => {
    problems.length = 0;
    const page = await newPage();
    await page.goto(`${gateway.url}/local/login`);
    await page.fill('#name', 'Dana');
    await page.click('button[data-role="admin"]');
    await page.waitForSelector('#token:not([hidden])');
    // A string expression: the test is compiled without DOM types.
    const stored = await page.evaluate("sessionStorage.getItem('clinic-backfill.token')");
    expect(stored).toMatch(/^ey/);
    expect(await page.textContent('#result')).toContain('Signed in as admin');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows an outbound text as text and a reply with its TwiML answer in the phone thread', async () => {
    problems.length = 0;
    const phone = '+15551237777';
    const created = await fetch(`${simulator.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        To: phone,
        From: '+15555550100',
        Body: 'Slot <b>open</b>. Reply YES',
      }).toString(),
    });
    expect(created.status).toBe(201);

    const page = await newPage();
    await page.goto(`${gateway.url}/sim/`);
    await page.waitForSelector(`a[href="/sim/phone/${encodeURIComponent(phone)}"]`);
    await page.goto(`${gateway.url}/sim/phone/${encodeURIComponent(phone)}`);
    await page.waitForSelector('.msg');
    expect(await page.locator('.msg b').count()).toBe(0);
    expect(await page.locator('.msg').first().textContent()).toContain('Slot <b>open</b>. Reply YES');

    await page.fill('form input:not([type="hidden"])', 'YES');
    await page.click('form button');
    await page.locator('.msg').nth(2).waitFor();
    const texts = await page.locator('.msg > div:first-child').allTextContents();
    expect(texts).toEqual(['Slot <b>open</b>. Reply YES', 'YES', 'Thanks <b>friend</b>']);
    expect(problems).toEqual([]);
    await page.close();
  });
});

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/start.js';
import { launchChromium } from '../support/chromium.js';

/**
 * The dashboard in a real Chromium against the real local stack: real handlers behind the local gateway,
 * DynamoDB Local, the Scheduler emulator firing batches, and the SMS simulator standing in for phones.
 * The only shortcuts are configuration: no first-batch delay and an always-open contact window, so the
 * test does not depend on the hour it runs at.
 */

const ARTIFACTS = resolve('test-artifacts/dashboard');
const XSS_NAME = '<img src=x onerror=alert(1)>';
const HTML_BODY = '<b>maybe</b><script>alert(2)</script>';

interface SimMessage {
  phone: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  body: string;
  status: string;
}

interface Seeded {
  phone: string;
  displayName: string;
  familyName?: string;
  urgent?: boolean;
}

// Fiction-range numbers (555-01xx style under a real area code) that libphonenumber accepts as mobiles.
const PATIENTS: Seeded[] = [
  { phone: '+13125550111', displayName: 'Ana', familyName: 'Alvarez', urgent: true },
  { phone: '+13125550112', displayName: 'Ben', familyName: 'Brooks' },
  { phone: '+13125550113', displayName: '<b>Eve</b>', familyName: XSS_NAME },
  { phone: '+13125550114', displayName: 'Dora', familyName: 'Diaz' },
  { phone: '+13125550115', displayName: 'Eli', familyName: 'Evans' },
];

let stack: RunningLocalStack;
let browser: Browser;
let page: Page;
let adminToken: string;
const dialogs: string[] = [];
const cspViolations: string[] = [];
const pageErrors: string[] = [];

async function api<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
  const response = await fetch(`${stack.urls.gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function simMessages(): Promise<SimMessage[]> {
  const response = await fetch(`${stack.urls.gateway}/sim/api/messages`);
  return ((await response.json()) as { messages: SimMessage[] }).messages;
}

async function reply(from: string, body: string): Promise<void> {
  const response = await fetch(`${stack.urls.gateway}/sim/api/reply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, body }),
  });
  expect(response.status).toBe(200);
}

async function shot(name: string): Promise<void> {
  // Full-page shots of a scrolled page draw the sticky header mid-page: shoot from the top.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

async function signIn(role: 'staff' | 'admin'): Promise<void> {
  await page.getByRole('button', { name: `Sign in as ${role}` }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** The stack's default clinic zone. */
const CLINIC_ZONE = 'America/Chicago';
/**
 * The browser runs far from the clinic (a remote staffer, a tablet left on another zone): every time it
 * shows or reads must still be the clinic's.
 */
const DEVICE_ZONE = 'Asia/Tokyo';

/** A datetime-local value for 10:00 tomorrow at the clinic. */
function tomorrowAtTen(): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: CLINIC_ZONE }).format(
    new Date(Date.now() + 86_400_000),
  );
  return `${day}T10:00`;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ configFile: resolve('dashboard/vite.config.ts'), logLevel: 'warn' });
  stack = await startLocalStack({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `dashboard-${Date.now()}`,
    dashboardDir: resolve('dashboard/dist'),
    statusDelayMs: 20,
    env: {
      ...process.env,
      FIRST_BATCH_DELAY_MINUTES: '0',
      CONTACT_HOURS_START: '00:00',
      CONTACT_HOURS_END: '23:59',
      BATCH_SIZE: '3',
      // One day holds two cancellations here; a patient may be offered both.
      MAX_OFFERS_PER_PATIENT_PER_DAY: '3',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    },
  });
  adminToken = (await stack.auth.issueToken({ role: 'admin', name: 'Seed Admin' })).token;
  await api('POST', '/admin/locations', { locationId: 'main-st', displayName: 'Main St' });
  await api('POST', '/admin/providers', {
    providerId: 'dr-lee',
    displayName: 'Dr Lee',
    providerType: 'MD/DO',
    locationIds: ['main-st'],
  });
  for (const p of PATIENTS) {
    await api('POST', '/admin/waitlist', {
      patient: {
        phone: p.phone,
        displayName: p.displayName,
        ...(p.familyName ? { familyName: p.familyName } : {}),
        consentSource: 'VERBAL',
      },
      entry: { urgent: p.urgent ?? false },
    });
  }

  browser = await launchChromium();
  // A landscape tablet, the front desk's device.
  const context = await browser.newContext({
    viewport: { width: 1180, height: 820 },
    timezoneId: DEVICE_ZONE,
    locale: 'en-US',
  });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard in Chromium against the local stack', () => {
  let slotId = '';
  let winner = '';
  let boardTime = '';

  it('signs in as staff through the local login', async () => {
    await page.goto(`${stack.urls.gateway}/`);
    await page.getByRole('button', { name: 'Sign in as staff' }).waitFor();
    await shot('01-login');
    await signIn('staff');
    await expect.poll(() => page.locator('.role-tag').first().textContent()).toBe('staff');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
  });

  it('logs a cancellation and watches the first batch of offers appear', async () => {
    const form = page.locator('form.log-form');
    // A slot in the past: the API's 400 is shown in words, naming the field.
    await form.getByLabel('Starts').fill('2020-01-01T10:00');
    await form.getByRole('button', { name: 'Log cancellation' }).click();
    await expect
      .poll(() => form.locator('.form-error').textContent(), { timeout: 30_000 })
      .toMatch(/startAt: must be in the future/);
    // A wall time the clinic's clocks skip is refused before it reaches the API.
    await form.getByLabel('Starts').fill('2026-03-08T02:30');
    await form.getByRole('button', { name: 'Log cancellation' }).click();
    await expect
      .poll(() => form.locator('.form-error').textContent())
      .toMatch(/2026-03-08 02:30 does not exist in America\/Chicago/);
    await form.getByLabel('Provider').selectOption('dr-lee');
    await form.getByLabel('Location').selectOption('main-st');
    await form.getByLabel('Starts').fill(tomorrowAtTen());
    await form.getByLabel('Minutes').fill('30');
    await form.getByLabel('Visit type').fill('follow-up');
    await form.getByRole('button', { name: 'Log cancellation' }).click();

    const card = page.locator('.slot-card.slot-open').first();
    await card.waitFor({ timeout: 45_000 });
    slotId = (await card.getAttribute('data-slot')) ?? '';
    expect(slotId).not.toBe('');
    // The device is in Tokyo, yet the typed time was read as a Chicago wall time...
    await expect(page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).resolves.toBe(
      DEVICE_ZONE,
    );
    const { slot } = await api<{ slot: { startAt: string } }>('GET', `/admin/slots/${slotId}`);
    const expected = DateTime.fromISO(tomorrowAtTen(), { zone: CLINIC_ZONE });
    expect(slot.startAt).toBe(expected.toUTC().toISO());
    // ...and is shown as one, with the zone named on the board.
    boardTime = (await card.locator('h3').textContent()) ?? '';
    expect(boardTime).toMatch(/\b10:00\sAM\b/);
    await expect(page.locator('.zone-note').textContent()).resolves.toBe(
      `Times in ${DateTime.now().setZone(CLINIC_ZONE).toFormat('ZZZZ')} (${CLINIC_ZONE}).`,
    );
    // Batch 1 goes out through the scheduler emulator; three offers, pending, with a delivery state.
    await expect.poll(() => card.locator('.offer').count(), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => card.locator('.offer .state-pending').count()).toBe(3);
    await expect
      .poll(() => card.locator('.delivery').first().textContent(), { timeout: 30_000 })
      .toMatch(/delivered|sent/);
    await expect(card.locator('.countdown').first().textContent()).resolves.toMatch(/Starts in/);
    await expect(card.getByRole('heading', { name: /^Batch 1/ }).isVisible()).resolves.toBe(true);
    await shot('02-board-offers');
  });

  it('fills the slot from simulated replies and shows who took it', async () => {
    const offered = (await simMessages()).filter((m) => m.direction === 'outbound-api' && /YES/.test(m.body));
    const phones = [...new Set(offered.map((m) => m.phone))];
    expect(phones).toHaveLength(3);
    // The time the board showed is the time the patients were texted.
    expect(offered[0]?.body).toContain('10:00AM');
    expect(boardTime.replace(/\s/g, '')).toContain('10:00AM');
    // The winner leaves the waitlist, and a later test looks for the markup-named patient there: that
    // patient is never the one who says YES. (The texts go out concurrently, so their order is no guide.)
    const xssPhone = PATIENTS.find((p) => p.familyName === XSS_NAME)?.phone;
    const others = phones.filter((phone) => phone !== xssPhone);
    const yes = others[0] as string;
    const [declines, sendsMarkup] = phones.filter((phone) => phone !== yes) as [string, string];
    await reply(declines, 'No thanks');
    await reply(sendsMarkup, HTML_BODY);
    await reply(yes, 'YES');
    winner = PATIENTS.find((p) => p.phone === yes)?.displayName ?? '';

    const card = page.locator(`.slot-card[data-slot="${slotId}"]`);
    await card.locator('.filled-banner').waitFor({ timeout: 45_000 });
    await expect(card.locator('.filled-word').textContent()).resolves.toBe('FILLED');
    // First name only, and as text (one of the patients is called "<b>Eve</b>").
    await expect(card.locator('.filled-who').textContent()).resolves.toBe(`by ${winner}`);
    await expect.poll(() => card.locator('.offer .state-declined').count()).toBe(1);
    await expect.poll(() => card.locator('.offer .state-accepted').count()).toBe(1);
    await shot('03-board-filled');

    await card.getByRole('button', { name: 'Mark booked in EHR' }).click();
    await card.locator('.booked').waitFor({ timeout: 30_000 });
    await shot('04-board-booked');
  });

  it('shows the slot with each offer’s delivery trail', async () => {
    await page.goto(`${stack.urls.gateway}/#/slots/${slotId}`);
    await page.getByRole('heading', { name: 'Offers and their delivery trail' }).waitFor();
    await expect.poll(() => page.locator('ol.trail li').count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('.timeline li').count()).resolves.toBeGreaterThan(2);
    await shot('05-slot-detail');
  });

  it('boosts the lowest-ranked patient with a reason and the ranking changes', async () => {
    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    const rows = page.locator('table.waitlist tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const before = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-patient')));
    const last = rows.last();
    const patientId = (await last.getAttribute('data-patient')) ?? '';
    expect(before[0]).not.toBe(patientId);
    await shot('06-waitlist');

    await last.getByRole('button', { name: /^Boost/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Boost (0-40)').fill('40');
    await dialog.getByLabel('Reason').fill('Clinician asked to see sooner');
    await dialog.getByRole('button', { name: 'Save boost' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect.poll(() => rows.first().getAttribute('data-patient'), { timeout: 30_000 }).toBe(patientId);
    await expect(rows.first().locator('.score-parts').textContent()).resolves.toContain('boost 40');
    await shot('07-waitlist-boosted');
  });

  it('adds, edits and imports patients through the forms the API accepts', async () => {
    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    const rows = page.locator('table.waitlist tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const before = await rows.count();

    await page.getByRole('button', { name: 'Add patient' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('First or preferred name').fill('Fay');
    await dialog.getByLabel('Family name').fill('Fox');
    await dialog.getByLabel('Mobile phone').fill('(312) 555-0116');
    await dialog.getByLabel('Provider types').selectOption('APP');
    await dialog.getByLabel('Available', { exact: true }).fill('Mon,Tue 08:00-12:00; Thu 15:00-18:00');
    await shot('07a-waitlist-add');
    await dialog.getByRole('button', { name: 'Add to waitlist' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(before + 1);
    const fay = rows.filter({ hasText: 'Fay Fox' });
    await expect(fay.textContent()).resolves.toContain('APP');
    // Availability set in the add form is shown on the waitlist, and the edit form starts from it.
    await expect(fay.locator('.availability').textContent()).resolves.toBe(
      'Available Mon,Tue 08:00-12:00; Thu 15:00-18:00',
    );

    await fay.getByRole('button', { name: 'Edit' }).click();
    dialog = page.getByRole('dialog');
    await expect(dialog.getByLabel('Available', { exact: true }).inputValue()).resolves.toBe(
      'Mon,Tue 08:00-12:00; Thu 15:00-18:00',
    );
    await dialog.getByLabel('Urgent').check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => fay.locator('.badge.state-urgent').count(), { timeout: 30_000 }).toBe(1);

    // A patient who reads Spanish: marked on the list; staff fix the name and language on the record.
    await page.getByRole('button', { name: 'Add patient' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('First or preferred name').fill('Lucia');
    await dialog.getByLabel('Mobile phone').fill('(312) 555-0118');
    await dialog.getByLabel('Texts in').selectOption('es');
    await dialog.getByRole('button', { name: 'Add to waitlist' }).click();
    await dialog.waitFor({ state: 'detached' });
    const lucia = rows.filter({ hasText: 'Lucia' });
    await expect.poll(() => lucia.locator('.badge.lang').textContent(), { timeout: 30_000 }).toBe('ES');
    await lucia.locator('a.patient-name').click();
    await page.getByRole('button', { name: 'Edit details' }).click();
    dialog = page.getByRole('dialog', { name: 'Edit patient details' });
    await expect(dialog.getByLabel('Texts in').inputValue()).resolves.toBe('es');
    await dialog.getByLabel('First or preferred name').fill('Lucía');
    await dialog.getByLabel('Family name').fill('Ortega');
    await dialog.getByLabel('Texts in').selectOption('en');
    await dialog.getByLabel('Lives in time zone').selectOption('America/Denver');
    await shot('07c-patient-edit');
    await dialog.getByRole('button', { name: 'Save details' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('h1.patient-title').textContent()).toBe('Lucía Ortega');
    await expect(page.locator('dd.language').textContent()).resolves.toBe('English');
    await expect(page.locator('dt:text-is("Time zone") + dd').textContent()).resolves.toBe('America/Denver');
    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(before + 2);

    // A file with a bad row is refused whole, and the row's problem is shown.
    await page.getByLabel('CSV file').setInputFiles({
      name: 'patients.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('phone,display_name\n+13125550117,Gus\nnot-a-phone,Hal\n'),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText(/Row 3, phone/).waitFor({ timeout: 30_000 });
    await shot('07b-waitlist-import-refused');
    await expect(rows.count()).resolves.toBe(before + 2);
  });

  it('renders a patient named like markup, and an HTML message body, as text', async () => {
    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    await page.getByText(XSS_NAME, { exact: false }).first().waitFor();
    const link = page.locator('a.patient-name', { hasText: XSS_NAME });
    await expect(link.textContent()).resolves.toBe(`<b>Eve</b> ${XSS_NAME}`);
    // Nothing became markup: no <img>, no <b>, anywhere in the app.
    await expect(page.locator('#app img, #app b, #app script').count()).resolves.toBe(0);

    await page.goto(`${stack.urls.gateway}/#/messages`);
    const body = page.locator('td.msg-body', { hasText: HTML_BODY });
    await body.first().waitFor({ timeout: 30_000 });
    await expect(page.locator('#app img, #app b, #app script').count()).resolves.toBe(0);
    await shot('08-messages');

    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    await page.locator('a.patient-name', { hasText: XSS_NAME }).click();
    await page.locator('h1.patient-title').waitFor();
    await expect(page.locator('h1.patient-title').textContent()).resolves.toBe(`<b>Eve</b> ${XSS_NAME}`);
    await expect(page.locator('.phone').textContent()).resolves.toMatch(/0113$/);
    await expect(page.locator('.phone').textContent()).resolves.not.toContain('312');
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.locator('.phone').textContent()).toBe('+13125550113');
    await shot('09-patient-revealed');

    expect(dialogs).toEqual([]);
  });

  it('refuses the admin-only audit view to staff, and shows it to admins', async () => {
    await page.goto(`${stack.urls.gateway}/#/audit`);
    await page.getByText('This view is for admins only').waitFor();
    // The API agrees: the refusal is not only cosmetic.
    const staffToken = (await stack.auth.issueToken({ role: 'staff' })).token;
    const denied = await fetch(`${stack.urls.gateway}/admin/audit`, {
      headers: { authorization: `Bearer ${staffToken}` },
    });
    expect(denied.status).toBe(403);
    await shot('10-audit-refused');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('admin');
    await page.goto(`${stack.urls.gateway}/#/audit`);
    await expect.poll(() => page.locator('table tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The reveal a staff member did earlier is on the record, as are the boost and the EHR booking.
    for (const action of ['patient.reveal-phone', 'entry.boost', 'slot.booked-in-ehr']) {
      await page.getByRole('cell', { name: action, exact: true }).first().waitFor();
    }
    await shot('11-audit-admin');
  });

  it('draws the analytics charts from one metrics request', async () => {
    const metricsCalls: string[] = [];
    const count = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === '/admin/metrics') metricsCalls.push(request.url());
    };
    page.on('request', count);
    await page.goto(`${stack.urls.gateway}/#/analytics`);
    await page.locator('.stat-value').first().waitFor({ timeout: 45_000 });
    page.off('request', count);
    await expect(page.locator('figure.chart svg').count()).resolves.toBe(4);
    // Totals and every per-day series come from the same answer (it used to be one call a day).
    expect(metricsCalls).toHaveLength(1);
    // 14 days back + today + 7 ahead: one bar per clinic day in the filled-per-day chart.
    await expect(page.locator('figure.chart').first().locator('g.bar').count()).resolves.toBe(21);
    await expect(page.locator('.stat').first().textContent()).resolves.toContain('Fill rate');
    await shot('12-analytics');
  });

  it('lets admins add a location and a provider working there; the board offers the provider; staff are refused', async () => {
    await page.goto(`${stack.urls.gateway}/#/clinic`);
    await page.getByRole('heading', { name: 'Locations' }).waitFor();
    await page.getByRole('heading', { name: 'Providers' }).waitFor();

    // Add a location. A name of 24 characters whose "€" count twice in an SMS is refused by the API,
    // and the message sits beside the field it is about.
    await page.getByRole('button', { name: 'Add location' }).click();
    const locationForm = page.getByRole('dialog', { name: 'Add a location' });
    const locationName = locationForm.getByLabel('Display name');
    await expect(locationName.getAttribute('maxlength')).resolves.toBe('24');
    await expect(locationForm.locator('.hint').textContent()).resolves.toContain('Up to 24 characters');
    await locationName.fill('Riverside €€€€ Annex €€€');
    await locationForm.getByRole('button', { name: 'Add location' }).click();
    const fieldError = locationForm.locator('.field .field-error');
    await fieldError.waitFor();
    await expect(fieldError.textContent()).resolves.toMatch(/must fit 24 SMS characters/);
    await expect(locationName.getAttribute('aria-invalid')).resolves.toBe('true');
    await shot('15a-clinic-field-error');
    await locationName.fill('Riverside');
    await locationForm.getByRole('button', { name: 'Add location' }).click();
    await locationForm.waitFor({ state: 'detached' });
    const locationRow = page
      .locator('section', { has: page.getByRole('heading', { name: 'Locations' }) })
      .locator('tbody tr', { hasText: 'Riverside' });
    await locationRow.waitFor();

    // Add a provider who works there.
    await page.getByRole('button', { name: 'Add provider' }).click();
    const providerForm = page.getByRole('dialog', { name: 'Add a provider' });
    await expect(providerForm.locator('.hint').first().textContent()).resolves.toContain(
      'Up to 24 characters',
    );
    await providerForm.getByLabel('Display name').fill('Dr. <i>Novak</i>');
    await providerForm.getByLabel('Type').selectOption('APP');
    await providerForm.getByLabel('Works at').selectOption({ label: 'Riverside' });
    await providerForm.getByRole('button', { name: 'Add provider' }).click();
    await providerForm.waitFor({ state: 'detached' });
    const providerRow = page
      .locator('section', { has: page.getByRole('heading', { name: 'Providers' }) })
      .locator('tbody tr', { hasText: 'Dr. <i>Novak</i>' });
    await providerRow.waitFor();
    await expect(providerRow.locator('td').nth(1).textContent()).resolves.toBe('APP');
    await expect(providerRow.locator('td').nth(2).textContent()).resolves.toBe('Riverside');
    // Text, not markup.
    await expect(page.locator('#app i').count()).resolves.toBe(0);

    // Edit the provider: the dialog starts from what is saved.
    await providerRow.getByRole('button', { name: 'Edit' }).click();
    const editForm = page.getByRole('dialog', { name: 'Edit Dr. <i>Novak</i>' });
    await expect(editForm.getByLabel('Display name').inputValue()).resolves.toBe('Dr. <i>Novak</i>');
    await expect(editForm.getByLabel('Type').inputValue()).resolves.toBe('APP');
    await editForm.getByLabel('Display name').fill('Dr. Novak');
    await editForm.getByRole('button', { name: 'Save provider' }).click();
    await editForm.waitFor({ state: 'detached' });
    await page
      .locator('section', { has: page.getByRole('heading', { name: 'Providers' }) })
      .getByRole('cell', { name: 'Dr. Novak', exact: true })
      .waitFor();
    await shot('15-clinic');

    // The API has them, and the board's "Log a cancellation" picker offers the new provider.
    const providers = await api<{ items: { displayName: string; locationIds: string[] }[] }>(
      'GET',
      '/admin/providers',
    );
    const novak = providers.items.find((p) => p.displayName === 'Dr. Novak');
    expect(novak?.locationIds).toHaveLength(1);
    await page.getByRole('link', { name: 'Live board' }).click();
    const picker = page.locator('form.log-form').getByLabel('Provider');
    await picker.waitFor();
    await expect(picker.locator('option', { hasText: 'Dr. Novak (APP)' }).count()).resolves.toBe(1);

    // Dr. Novak leaves: retired, still listed (past slots name him), no longer offered for new ones.
    await page.getByRole('link', { name: 'Clinic' }).click();
    const novakRow = page
      .locator('section', { has: page.getByRole('heading', { name: 'Providers' }) })
      .locator('tbody tr', { hasText: 'Dr. Novak' });
    await novakRow.getByRole('button', { name: 'Retire' }).click();
    await page
      .getByRole('dialog', { name: 'Retire Dr. Novak?' })
      .getByRole('button', { name: 'Retire' })
      .click();
    await novakRow.locator('.badge', { hasText: 'Retired' }).waitFor();
    await expect(novakRow.getByRole('button', { name: 'Reinstate' }).count()).resolves.toBe(1);
    await shot('15b-clinic-retired');
    await page.getByRole('link', { name: 'Live board' }).click();
    await picker.waitFor();
    await expect(picker.locator('option', { hasText: 'Dr Lee' }).count()).resolves.toBe(1);
    await expect(picker.locator('option', { hasText: 'Dr. Novak' }).count()).resolves.toBe(0);

    // Staff see the view refused, and the API refuses their writes too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('staff');
    await page.goto(`${stack.urls.gateway}/#/clinic`);
    await page.getByText('This view is for admins only').waitFor();
    await expect(page.getByRole('button', { name: 'Add provider' }).count()).resolves.toBe(0);
    const staffToken = (await stack.auth.issueToken({ role: 'staff' })).token;
    const denied = await fetch(`${stack.urls.gateway}/admin/locations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Sneaky' }),
    });
    expect(denied.status).toBe(403);
  });

  it('sends the next batch from the board when staff do not want to wait for the hold', async () => {
    // Logged through the form with its own batch size: two patients at a time for this slot.
    await page.goto(`${stack.urls.gateway}/#/board`);
    const form = page.locator('form.log-form');
    await form.getByLabel('Provider').selectOption('dr-lee');
    await form.getByLabel('Starts').fill(tomorrowAtTen().replace('T10:00', 'T12:00'));
    await form.getByLabel('Minutes').fill('20');
    await form.getByLabel('Patients per batch').fill('2');
    await form.getByRole('button', { name: 'Log cancellation' }).click();
    const card = page.locator('.slot-card.slot-open', { hasText: '2 per batch' });
    await card.waitFor({ timeout: 45_000 });
    await expect.poll(() => card.locator('.offer').count(), { timeout: 60_000 }).toBe(2);
    await card.getByRole('button', { name: 'Send next batch now' }).click();
    await page.getByText('Batch 2 is going out.').waitFor({ timeout: 30_000 });
    await card.getByRole('heading', { name: /^Batch 2/ }).waitFor({ timeout: 30_000 });
    await expect.poll(() => card.locator('.offer').count()).toBeGreaterThan(2);
    await shot('16-board-next-batch');
    // The slot's page says it was tuned too.
    await card.getByRole('link', { name: 'Details' }).click();
    await expect.poll(() => page.locator('.page-head p.muted').textContent()).toContain('2 per batch');
  });

  it('returns to sign-in on a 401 and keeps what was typed', async () => {
    await page.goto(`${stack.urls.gateway}/#/board`);
    const form = page.locator('form.log-form');
    await form.getByLabel('Visit type').fill('new patient, typed before expiry');
    // The next poll answers 401, as the authorizer does for an expired token.
    await page.route('**/admin/slots?**', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: '{"message":"Unauthorized"}' }),
    );
    await page.getByText('Your session has ended').waitFor({ timeout: 45_000 });
    await page.unroute('**/admin/slots?**');
    await shot('13-session-expired');
    await signIn('staff');
    await expect
      .poll(() => page.locator('form.log-form').getByLabel('Visit type').inputValue(), { timeout: 30_000 })
      .toBe('new patient, typed before expiry');
    // The token never touched localStorage.
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
  });

  it('polls every 5 s without piling up requests', async () => {
    const seen: number[] = [];
    const count = (request: { url(): string }) => {
      if (request.url().includes('/admin/slots?status=OPEN')) seen.push(Date.now());
    };
    page.on('request', count);
    await page.waitForTimeout(11_000);
    page.off('request', count);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) expect((seen[i] ?? 0) - (seen[i - 1] ?? 0)).toBeGreaterThan(4_000);
  });

  it('was CSP-clean and error-free throughout, on a portrait tablet too', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(`${stack.urls.gateway}/#/board`);
    await page.locator('.slot-card').first().waitFor();
    await shot('14-board-portrait');
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

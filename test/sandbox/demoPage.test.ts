import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from '../../sandbox/web/app.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * The sandbox page in a real headless browser: every click goes page → page server → signed
 * Slack request → the real bot → the fake Slack → Server-Sent Event → the page again.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT = 15_000;

/** Waits (Playwright's own locator wait, no sleeping) until `locator` shows `text`. */
function shows(locator: Locator, text: string | RegExp, timeout = TIMEOUT): Promise<void> {
  return locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout });
}

function visible(locator: Locator): Promise<void> {
  return locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
}

describe('the sandbox page (npm run demo) in a browser', () => {
  let demo: RunningDemo;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is needed for this test and was not found at ${CHROMIUM}. Install it with ` +
          '`sudo apt-get install -y --no-install-recommends chromium` (Debian/Ubuntu; .ci/run does this), ' +
          'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
      );
    }
    demo = await startDemo({ port: 0, liveLeads: 4 });
    profile = mkdtempSync(join(tmpdir(), 'leadloop-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: BROWSER_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = await context.newPage();
    await page.goto(demo.url);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await demo?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** The post of a lead sent live at start (pending until the test decides it). */
  async function livePost(index: number): Promise<Locator> {
    const id = demo.liveLeadIds[index];
    if (id === undefined) throw new Error(`no live lead ${index}`);
    const post = page.locator(`#leads article.message[data-lead-id="${id}"]`);
    await visible(post);
    await shows(post, 'Pending');
    return post;
  }

  it('shows the seeded channel as Slack would: lead posts in several states, with reactions', async () => {
    await visible(page.locator('#leads article.message[data-lead-id]').first());
    expect(await page.locator('#leads article.message').count()).toBeGreaterThanOrEqual(10);
    await visible(page.locator('#leads').getByText('Accepted').first());
    await visible(page.locator('#leads').getByText('Rejected').first());
    await visible(page.locator('#leads .reaction:not(.add)').first());
  }, 60_000);

  it('click ✅ on a lead: the post changes to accepted, by the acting rep', async () => {
    const post = await livePost(0);
    await post.locator('[data-react="white_check_mark"]').click();
    await shows(post, 'Accepted by @Maya Chen');
    await shows(post.locator('.reaction.mine'), '1');
    // Clicking one's own reaction takes it off: a retraction, and the lead waits again.
    await post.locator('.reaction.mine').click();
    await shows(post, '⏳ Pending');
    await post.locator('[data-react="white_check_mark"]').click();
    await shows(post, 'Accepted by @Maya Chen');
  }, 60_000);

  it('click Reject, pick a reason in the modal: the post shows it rejected with that reason', async () => {
    const post = await livePost(1);
    await post.getByRole('button', { name: 'Reject' }).click();
    const modal = page.locator('#modal form.modal');
    await visible(modal);
    await shows(modal, 'Reject lead');
    // "Other" needs a note: the bot's error is shown in the modal, which stays open.
    await modal.locator('select[name="reason/modal_reason"]').selectOption('other');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await shows(modal.locator('.modal-errors'), 'A note is required');
    await modal.locator('select[name="reason/modal_reason"]').selectOption('bad_fit');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await shows(post, 'Rejected by @Maya Chen');
    await shows(post, 'Reason: Bad fit / not our ICP (disqualify)');
  }, 60_000);

  it('click ❌: the ephemeral prompt asks only this rep for a reason, and the answer lands on the post', async () => {
    const post = await livePost(2);
    await post.locator('[data-react="x"]').click();
    const prompt = post.locator('.ephemeral');
    await shows(prompt, 'Only visible to you');
    await shows(prompt, 'Why?');
    await prompt.locator('select[data-kind="static_select"]').selectOption('no_budget');
    await shows(prompt, 'Thanks: reason recorded (No budget)');
    await shows(post, 'Reason: No budget (recycle)');
  }, 60_000);

  it('the prompt’s “Add a note…” opens the modal; submitting it records the note and removes the prompt', async () => {
    const post = await livePost(3);
    await post.locator('[data-react="x"]').click();
    const prompt = post.locator('.ephemeral');
    await shows(prompt, 'Why?');
    await prompt.getByRole('button', { name: 'Add a note…' }).click();
    const modal = page.locator('#modal form.modal');
    await visible(modal);
    await modal.locator('select[name="reason/modal_reason"]').selectOption('other');
    await modal.locator('textarea[name="note/modal_note"]').fill('Reseller <asking> for a partner deal');
    await modal.getByRole('button', { name: 'Reject' }).click();
    await modal.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await shows(post, 'Note: Reseller <asking> for a partner deal');
    await prompt.waitFor({ state: 'detached', timeout: TIMEOUT });
  }, 60_000);

  it('type /leadstats and see the campaign table', async () => {
    await page.locator('#command-input').fill('/leadstats');
    await page.locator('#command-form').getByRole('button', { name: 'Send' }).click();
    const output = page.locator('#command-output');
    await shows(output, 'Lead acceptance');
    const table = output.locator('pre').first();
    await shows(table, 'Campaign');
    await shows(table, 'Posted');
    await shows(table, (demo.seeded.campaigns[0] ?? '').slice(0, 12));
    await page.locator('#command-input').fill('/leadstats nonsense-word');
    await page.locator('#command-form').getByRole('button', { name: 'Send' }).click();
    await shows(output, 'nonsense-word');
  }, 60_000);

  it('send the digest now: it appears in the digest channel with its chart image loaded', async () => {
    const before = await page.locator('#digest article.message').count();
    await page.locator('#send-digest').click();
    await shows(page.locator('#digest-result'), 'sent with its chart', 30_000);
    await waitFor(
      'the new digest message',
      async () => (await page.locator('#digest article.message').count()) > before,
    );
    const chart = page.locator('#digest article.message').last().locator('img.chart');
    await visible(chart);
    const width = await waitFor('the chart image to load', () =>
      chart.evaluate((element) => {
        // Runs in the page; this project compiles without the DOM types.
        const img = element as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0 && img.naturalWidth;
      }),
    );
    expect(width).toBeGreaterThan(100);
    await shows(page.locator('#digest article.message').last(), 'Weekly lead digest');
  }, 60_000);

  it('post a new lead through the form: a bad one shows the issues, a good one is posted', async () => {
    const form = page.locator('#lead-form');
    await form.locator('input[name="score"]').fill('high');
    await form.getByRole('button', { name: 'Send lead' }).click();
    await shows(page.locator('#lead-result'), '400');
    await shows(page.locator('#lead-result'), 'score');
    await form.locator('input[name="score"]').fill('81');
    await form.locator('input[name="name"]').fill('Quinn <b>Harper</b>');
    await form.getByRole('button', { name: 'Send lead' }).click();
    await shows(page.locator('#lead-result'), '202');
    const post = page.locator('#leads article.message', { hasText: 'New lead: Quinn <b>Harper</b>' });
    await visible(post);
    await shows(post, '81');
  }, 60_000);
});

import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SimulationClock } from './simulate.js';
import { startDemo } from './web/app.js';

/**
 * The README's pictures, taken from the running demo in headless Chromium:
 *   npx tsx sandbox/screenshots.ts
 * writes docs/demo-page.png (the leads channel in several states, a reason prompt, a /leadstats
 * answer), docs/digest.png (the digest channel with its chart) and docs/digest-chart.png (the
 * chart alone). The clock starts at a fixed time, so the pictures change only when the bot does.
 * Emoji need a colour emoji font (Debian: fonts-noto-color-emoji).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const AT = Date.UTC(2026, 10, 19, 15, 30);
const TIMEOUT = { timeout: 15_000 };

if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `No Chromium at ${CHROMIUM}: sudo apt-get install -y chromium, or set CHROMIUM_PATH.\n`,
  );
  process.exit(1);
}

const demo = await startDemo({ port: 0, clock: new SimulationClock(AT), liveLeads: 4 });
const profile = mkdtempSync(join(tmpdir(), 'leadloop-screenshots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 1440, height: 1350 },
});
try {
  const page = await context.newPage();
  await page.goto(demo.url);
  const post = (index: number) =>
    page.locator(`#leads article.message[data-lead-id="${demo.liveLeadIds[index]}"]`);
  const shows = (locator: ReturnType<typeof post>, text: string) =>
    locator
      .filter({ hasText: text })
      .first()
      .waitFor({ state: 'visible', ...TIMEOUT });

  await shows(post(3), 'Pending');
  await post(0).locator('[data-react="white_check_mark"]').click();
  await shows(post(0), 'Accepted by');

  await post(1).getByRole('button', { name: 'Reject' }).click();
  const modal = page.locator('#modal form.modal');
  await modal.waitFor(TIMEOUT);
  await modal.locator('select[name="reason/modal_reason"]').selectOption('student');
  await modal.getByRole('button', { name: 'Reject' }).click();
  await modal.waitFor({ state: 'hidden', ...TIMEOUT });
  await shows(post(1), 'Reason:');

  await post(2).locator('[data-react="x"]').click();
  await shows(post(2).locator('.ephemeral'), 'Only visible to you');

  await page.locator('#command-input').fill('/leadstats 30d');
  await page.locator('#command-form').getByRole('button', { name: 'Send' }).click();
  await shows(page.locator('#command-output'), 'Lead acceptance');

  // The channel scrolled to its newest posts, and no text cursor blinking into the picture.
  await page.locator('#leads').evaluate((el) => {
    const box = el as unknown as { scrollTop: number; scrollHeight: number };
    box.scrollTop = box.scrollHeight;
  });
  await page.locator('#command-input').blur();
  await page.screenshot({ path: join(DOCS, 'demo-page.png') });

  await page.locator('#send-digest').click();
  await shows(page.locator('#digest-result'), 'sent');
  const digest = page.locator('.panel', { has: page.locator('#digest') });
  const chart = page.locator('#digest article.message').last().locator('img.chart');
  await chart.waitFor(TIMEOUT);
  await chart.evaluate(
    (img) =>
      new Promise<void>((resolve) => {
        const image = img as unknown as { complete: boolean; onload: () => void };
        if (image.complete) resolve();
        else image.onload = () => resolve();
      }),
  );
  // The digest channel alone, as wide as a Slack window.
  await page.addStyleTag({
    content:
      '.layout{grid-template-columns:minmax(0,900px)} .layout>.panel,.right>.panel:not(:has(#digest)){display:none}',
  });
  await page.setViewportSize({ width: 940, height: 1000 });
  await digest
    .locator('#digest article.message')
    .last()
    .screenshot({ path: join(DOCS, 'digest.png') });

  const png = demo.fake.files().findLast((f) => f.filename?.endsWith('.png'));
  if (png) writeFileSync(join(DOCS, 'digest-chart.png'), png.bytes);

  for (const name of ['demo-page.png', 'digest.png', 'digest-chart.png']) {
    const size = statSync(join(DOCS, name)).size;
    process.stdout.write(`docs/${name}: ${Math.round(size / 1024)} KB\n`);
  }
} finally {
  await context.close();
  await demo.stop();
  rmSync(profile, { recursive: true, force: true });
}

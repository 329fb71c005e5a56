// Debian's Chromium driven by playwright-core (which cannot download browsers here).
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.SEQLAB_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--enable-unsafe-webgpu',
    ],
  });
}

/** Opens the workbench and waits until it is interactive. */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (process.env.SEQLAB_TEST_VERBOSE) console.log(`[browser ${new Date().toISOString().slice(11, 23)}] ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  return page;
}

import { execFileSync } from 'node:child_process';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Debian's Chromium (installed by .ci/run when missing), driven over the DevTools protocol by
 * puppeteer-core, which downloads no browser of its own. CHROMIUM_PATH overrides where it is.
 */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // Not this name: try the next.
    }
  }
  throw new Error('Chromium is not installed: apt-get install -y chromium (.ci/run does this), or set CHROMIUM_PATH');
}

/**
 * A headless Chromium. `--no-sandbox`: CI runs as root, where Chromium refuses its sandbox; the pages
 * it opens are our own services on 127.0.0.1.
 */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}

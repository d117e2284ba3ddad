import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (package `chromium`), which `.ci/run` installs when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium in a container on a closed network: no sandbox (no user namespaces in
 * CI containers), no GPU, and none of the background traffic (component updates, sync, field trials,
 * QUIC probes) that the closed network refuses and that would only add noise and delays.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's headless Chromium through playwright-core (which ships no browser of its own).
 * Throws, never skips, when `/usr/bin/chromium` is missing: a browser suite that silently does not run
 * proves nothing. Chromium is started over a pipe, so it exits by itself when the test process dies.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await (await browser.newContext()).newPage();
 * await browser.close();
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium package ` +
        '(`apt-get install --no-install-recommends chromium`; `.ci/run` installs it when missing).',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}

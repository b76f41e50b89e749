// Chromium for the Node-side end-to-end tests, driven by playwright-core (no browser download:
// CHROME_PATH, a system Chromium, or the one inside @sparticuz/chromium; see test/support/chromium.mjs).
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../support/chromium.mjs';

export async function launchChromium(): Promise<Browser> {
  const { executablePath, env } = await findChromium();
  return chromium.launch({ executablePath, env, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--headless') });
}

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './app-process.js';

/**
 * Saves numbered full-page screenshots of a browser test's steps (`01-alice-signed-in.png`, …) under
 * `test-output/<folder>/` (gitignored), so a failure, or a page that merely looks wrong, can be seen.
 * The folder's old screenshots are removed first, so it never mixes two runs.
 */
export class ScreenshotRecorder {
  private step = 0;

  private constructor(readonly dir: string) {}

  static async create(folder: string): Promise<ScreenshotRecorder> {
    const dir = join(REPO_ROOT, 'test-output', folder);
    await mkdir(dir, { recursive: true });
    for (const file of await readdir(dir)) if (file.endsWith('.png')) await rm(join(dir, file));
    return new ScreenshotRecorder(dir);
  }

  /** Screenshots each page as `<step>-<label>[-<page label>].png`; returns the paths. */
  async take(label: string, pages: Record<string, Page> | Page): Promise<string[]> {
    this.step += 1;
    const entries: Array<readonly [string, Page]> = isPage(pages) ? [['', pages]] : Object.entries(pages);
    const paths: string[] = [];
    for (const [pageLabel, page] of entries) {
      const name = [String(this.step).padStart(2, '0'), label, pageLabel].filter(Boolean).join('-');
      const path = join(this.dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path, fullPage: true });
      paths.push(path);
    }
    return paths;
  }
}

function isPage(value: Record<string, Page> | Page): value is Page {
  return typeof (value as Page).screenshot === 'function';
}

import type { BrowserContext, Page } from 'playwright-core';

/** A campaign target as typed into the admin form; unset fields are cleared. */
export interface TargetFields {
  users?: string;
  rooms?: string;
  where?: string;
}

/** The running campaign as the admin page shows it. */
export interface ShownProgress {
  state: string;
  /** e.g. `2 delivered · 0 pending · 0 expired · 2 users` */
  counts: string;
  /** The bar's `aria-valuenow`: delivered share in % (rounded). */
  percent: number;
  /** Rendered widths of the bar's delivered and expired segments, in % of the bar. */
  deliveredWidth: number;
  expiredWidth: number;
  /** Which of pause, resume, cancel are enabled. */
  enabled: string[];
}

/** The sample's campaign admin page (`/admin`) in a browser tab, driven through its labels and buttons. */
export class AdminPage {
  private constructor(readonly page: Page) {}

  /** Opens the page in a new tab of `context` and signs in (the development login asks for role admin). */
  static async signIn(context: BrowserContext, baseUrl: string, user = 'admin'): Promise<AdminPage> {
    const admin = new AdminPage(await context.newPage());
    await admin.page.goto(`${baseUrl}/admin`);
    await admin.page.getByLabel('Admin user').fill(user);
    await admin.page.getByRole('button', { name: 'Sign in' }).click();
    await admin.page.getByLabel('Event').waitFor({ timeout: 5_000 });
    return admin;
  }

  async fill(target: TargetFields, payload: unknown, rate?: number): Promise<void> {
    await this.page.getByLabel('Users (comma-separated)').fill(target.users ?? '');
    await this.page.getByLabel('Rooms (comma-separated)').fill(target.rooms ?? '');
    await this.page.getByLabel(/socket\.data/).fill(target.where ?? '');
    await this.page.getByLabel('Payload (JSON)').fill(JSON.stringify(payload));
    await this.page.getByLabel('Rate (users per second)').fill(rate === undefined ? '' : String(rate));
  }

  /**
   * Clicks Preview; resolves with the count it shows, e.g. `2 users · 2 connected devices` (or '' and the
   * error line says why). Call it after {@link fill}: editing the target clears the previous count.
   */
  async preview(): Promise<string> {
    await this.page.getByRole('button', { name: 'Preview' }).click();
    await this.page.waitForFunction(
      () => ['preview-count', 'error'].some((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent),
      undefined,
      { timeout: 5_000, polling: 50 },
    );
    return (await this.page.getByTestId('preview-count').textContent()) ?? '';
  }

  /** Clicks Send campaign and accepts the confirmation; resolves with the question it asked. */
  async send(): Promise<string> {
    // Accepted from the event handler: the click does not return while a dialog is open.
    const question = new Promise<string>((resolve) => this.page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
    await this.page.getByRole('button', { name: 'Send campaign' }).click();
    return withTimeout(question, 5_000, 'no confirmation asked');
  }

  /** Clicks pause, resume or cancel on the campaign shown. */
  async control(action: 'Pause' | 'Resume' | 'Cancel'): Promise<void> {
    await this.page.getByRole('button', { name: action, exact: true }).click();
  }

  /** The form's error line ('' when none). */
  async error(): Promise<string> {
    return (await this.page.getByTestId('error').textContent()) ?? '';
  }

  /** The campaign shown, or undefined before one was started. */
  async progress(): Promise<ShownProgress | undefined> {
    return this.page.evaluate(() => {
      const run = document.getElementById('run')!;
      if (run.hidden) return undefined;
      const bar = run.querySelector<HTMLElement>('[data-testid="progress"]')!;
      const share = (segment: string) => (100 * bar.querySelector<HTMLElement>(segment)!.getBoundingClientRect().width) / bar.getBoundingClientRect().width;
      return {
        state: run.querySelector('[data-testid="campaign-state"]')!.textContent ?? '',
        counts: run.querySelector('[data-testid="campaign-counts"]')!.textContent ?? '',
        percent: Number(bar.getAttribute('aria-valuenow')),
        deliveredWidth: share('.delivered'),
        expiredWidth: share('.expired'),
        enabled: [...run.querySelectorAll('button')].filter((b) => !b.disabled).map((b) => b.textContent ?? ''),
      };
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

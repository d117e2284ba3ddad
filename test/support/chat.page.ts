import type { BrowserContext, Page } from 'playwright-core';

/** One message of the open conversation, as the chat page shows it. */
export interface ShownMessage {
  from: string;
  text: string;
  /** `pending`, `sent`, `delivered` or `failed` for mine; `received` for others'. */
  status: string;
}

const STATE = '[data-testid="connection-state"]';

/**
 * The sample's chat page (`/`) in a browser tab, read and driven through its `data-testid`s, labels and
 * placeholders, as a user would. Every wait is bounded.
 */
export class ChatPage {
  private constructor(
    readonly page: Page,
    readonly user: string,
  ) {}

  /** Opens the page in a new tab of `context` and signs in as `user`; resolves once connected. */
  static async signIn(context: BrowserContext, baseUrl: string, user: string): Promise<ChatPage> {
    const chat = new ChatPage(await context.newPage(), user);
    await chat.page.goto(`${baseUrl}/`);
    await chat.page.getByLabel('Your name').fill(user);
    await chat.page.getByRole('button', { name: 'Sign in' }).click();
    await chat.waitForState('connected');
    return chat;
  }

  /** A further tab of the same browser context: the page signs in by itself as the remembered user. */
  static async openTab(context: BrowserContext, baseUrl: string, user: string): Promise<ChatPage> {
    const chat = new ChatPage(await context.newPage(), user);
    await chat.page.goto(`${baseUrl}/`);
    return chat;
  }

  /** The connection badge: `data-state` and its text. */
  async state(): Promise<{ state: string | null; text: string }> {
    const badge = this.page.locator(STATE);
    return { state: await badge.getAttribute('data-state'), text: (await badge.textContent()) ?? '' };
  }

  async waitForState(state: string, timeoutMs = 15_000): Promise<void> {
    const inPage = ([selector, wanted]: readonly [string, string]) => document.querySelector(selector)?.getAttribute('data-state') === wanted;
    try {
      await this.page.waitForFunction(inPage, [STATE, state] as const, { timeout: timeoutMs, polling: 50 });
    } catch (error) {
      const now = await this.state().catch(() => ({ state: '?', text: '?' }));
      throw new Error(`${this.user}'s chat page: not "${state}" within ${timeoutMs}ms (${now.state}: "${now.text}")`, { cause: error });
    }
  }

  /** Opens the conversation with `name` from the people list (waits for them to be listed). */
  async openChatWith(name: string): Promise<void> {
    await this.person(name).click({ timeout: 10_000 });
    await this.page.getByRole('heading', { name: `Chat with ${name}` }).waitFor({ timeout: 5_000 });
  }

  /** Joins `room` through the form; the page opens it. */
  async join(room: string): Promise<void> {
    await this.page.getByPlaceholder('room name').fill(room);
    await this.page.getByRole('button', { name: 'Join' }).click();
    await this.page.getByRole('heading', { name: `#${room}` }).waitFor({ timeout: 5_000 });
  }

  async send(text: string): Promise<void> {
    await this.page.getByPlaceholder('Write a message').fill(text);
    await this.page.getByPlaceholder('Write a message').press('Enter');
  }

  /** Messages of the open conversation, in order. */
  messages(): Promise<ShownMessage[]> {
    return this.page.$$eval('[data-testid="message"]', (items) =>
      items.map((li) => ({
        from: (li as HTMLElement).dataset.from ?? '',
        text: li.querySelector('.text')?.textContent ?? '',
        status: (li as HTMLElement).dataset.status ?? '',
      })),
    );
  }

  /** How often each text appears in the open conversation. */
  async textCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { text } of await this.messages()) counts[text] = (counts[text] ?? 0) + 1;
    return counts;
  }

  /** The entry of `name` in the people list. */
  person(name: string) {
    return this.page.locator(`[data-testid="person"][data-user="${name}"]`);
  }

  /** Whether the people list shows `name` online; undefined when not listed. */
  async shownOnline(name: string): Promise<boolean | undefined> {
    const person = this.person(name);
    if ((await person.count()) === 0) return undefined;
    return (await person.getAttribute('data-online')) === 'true';
  }

  /** Texts of the campaign announcements shown, newest first. */
  announcements(): Promise<string[]> {
    return this.page.$$eval('[data-testid="announcement"] .text', (items) => items.map((item) => item.textContent ?? ''));
  }

  /** The notice bar's text ('' when hidden). */
  async notice(): Promise<string> {
    const bar = this.page.getByTestId('notice');
    return (await bar.isVisible()) ? ((await bar.textContent()) ?? '') : '';
  }
}

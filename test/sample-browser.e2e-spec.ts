/**
 * Issue 6 (second part): the sample's pages in a real browser. Debian's headless Chromium, driven by
 * playwright-core, uses the chat page (`/`) and the campaign admin page (`/admin`) of the built sample app,
 * run as a real process, the way people would: sign in, chat, drop off the network, reload, open a second
 * tab, run campaigns. Assertions read the DOM. Screenshots of every step go to `test-output/browser/`.
 *
 * The app runs on its in-memory store: what is asserted here (replay after a drop, once per message,
 * ticks, takeover, campaign progress) goes through the same emitter, session and campaign code as with
 * Redis, whose stores have their own contract and e2e suites; one process, nothing to clean up, and no
 * dependence on a shared Redis while the pages are what is under test.
 *
 * Going offline: `context.setOffline(true)` does NOT close an established WebSocket in Chromium (checked
 * with Chromium 156: the socket stays open, frames in both directions are held and flushed once back
 * online); it only fires the window's `offline` event. engine.io-client closes its connection on that
 * event, except on a page served from `localhost`. The pages are therefore opened at `localhost`: alice's
 * socket just goes silent, as on a network that silently went away, and only the server's heartbeat
 * (pingInterval + pingTimeout) notices. Bob sends only once the server has dropped her (presence says so),
 * so her messages arrive by replay, not live.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AdminPage, type ShownProgress } from './support/admin.page.js';
import { AppProcess } from './support/app-process.js';
import { ChatPage, type ShownMessage } from './support/chat.page.js';
import { launchChromium } from './support/chromium.browser.js';
import { ScreenshotRecorder } from './support/screenshot.recorder.js';
import { sleep, waitFor } from './support/wait.js';

const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1000;
/** How long a silent connection can stay "online" on the server. */
const HEARTBEAT_MS = PING_INTERVAL_MS + PING_TIMEOUT_MS;

describe('sample pages in Chromium', () => {
  let app: AppProcess;
  let base: string;
  let browser: Browser;
  let shots: ScreenshotRecorder;
  const pageErrors: string[] = [];

  /** A fresh browser profile (own cookies and storage): one per person. */
  const newContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
    context.on('weberror', (error) => void pageErrors.push(error.error().message));
    context.on('response', (res) => void (res.status() >= 400 && pageErrors.push(`${res.status()} ${res.url()}`)));
    // Console errors too (an invalid `pattern` only shows there), except the refused requests of an offline page.
    context.on('console', (msg) => void (msg.type() === 'error' && !msg.text().includes('ERR_INTERNET_DISCONNECTED') && pageErrors.push(msg.text())));
    return context;
  };

  /** Who the server lists online in `/chat` (`GET /presence`). */
  const onlineOnServer = async (): Promise<string[]> => {
    const { token } = (await (await fetch(`${app.url}/dev/token?user=observer`)).json()) as { token: string };
    const res = await fetch(`${app.url}/presence`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { users: string[] }).users;
  };

  const shown = (messages: ShownMessage[]) => messages.map(({ from, text }) => `${from}: ${text}`);

  beforeAll(async () => {
    browser = await launchChromium(); // first: without Chromium, fail before starting anything
    shots = await ScreenshotRecorder.create('browser');
    app = await AppProcess.start({
      env: { HOST: '127.0.0.1', PING_INTERVAL_MS: String(PING_INTERVAL_MS), PING_TIMEOUT_MS: String(PING_TIMEOUT_MS) },
    });
    base = `http://localhost:${app.port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  describe('chat page', () => {
    let aliceContext: BrowserContext;
    let alice: ChatPage;
    let bob: ChatPage;
    const pages = (): Record<string, Page> => ({ alice: alice.page, bob: bob.page });
    const offline = ['while you were away 1', 'while you were away 2', 'while you were away 3', 'while you were away 4', 'while you were away 5'];
    const expectedAtAlice = ['alice: hi bob', 'bob: hi alice', ...offline.map((text) => `bob: ${text}`)];
    const onceEach = Object.fromEntries(['hi bob', 'hi alice', ...offline].map((text) => [text, 1]));
    const bobsOwn = async () => (await bob.messages()).filter((m) => m.from === 'bob');

    it('signs in by name, lists who is online, and ticks a message sent, then delivered', async () => {
      aliceContext = await newContext();
      alice = await ChatPage.signIn(aliceContext, base, 'alice');
      bob = await ChatPage.signIn(await newContext(), base, 'bob');
      expect((await alice.state()).text).toBe('alice · connected');
      await alice.openChatWith('bob');
      await bob.openChatWith('alice');
      expect(await bob.shownOnline('alice')).toBe(true);

      await alice.send('hi bob');
      await waitFor(async () => shown(await bob.messages()).includes('alice: hi bob'), { timeoutMs: 5_000, message: 'bob never saw "hi bob"' });
      await waitFor(async () => (await alice.messages())[0]?.status === 'delivered', { timeoutMs: 5_000, message: 'no delivered tick for "hi bob"' });
      await bob.send('hi alice');
      await waitFor(async () => shown(await alice.messages()).includes('bob: hi alice'), { timeoutMs: 5_000, message: 'alice never saw "hi alice"' });
      await waitFor(async () => (await bob.messages()).at(-1)?.status === 'delivered', { timeoutMs: 5_000, message: 'no delivered tick for "hi alice"' });
      await shots.take('signed-in-and-chatting', pages());
    });

    it('joins a room; a post in it shows once on every member\'s page, with its sender', async () => {
      await alice.join('lobby');
      await bob.join('lobby');
      await alice.send('hello lobby');
      for (const member of [alice, bob]) {
        await waitFor(async () => (await member.messages()).length > 0, { timeoutMs: 5_000, message: `${member.user} sees nothing in #lobby` });
      }
      await sleep(300); // a second copy would show up by now
      expect(await alice.messages()).toEqual([{ from: 'alice', text: 'hello lobby', status: 'received' }]);
      expect(await bob.messages()).toEqual([{ from: 'alice', text: 'hello lobby', status: 'received' }]);
      await shots.take('room-lobby', pages());
      await alice.openChatWith('bob');
      await bob.openChatWith('alice');
    });

    it('replays what bob sent while alice was offline past the heartbeat, each once, and bob sees it delivered', async () => {
      const offlineSince = Date.now();
      await aliceContext.setOffline(true);
      // The server notices through its heartbeat only; so does the page (no ping from the server).
      await waitFor(async () => !(await onlineOnServer()).includes('alice'), { timeoutMs: HEARTBEAT_MS + 5_000, message: 'the server still lists alice online' });
      await alice.waitForState('reconnecting', HEARTBEAT_MS + 5_000);
      await waitFor(async () => (await bob.shownOnline('alice')) === false, { timeoutMs: 5_000, message: "bob's page still shows alice online" });
      await shots.take('alice-offline', pages());

      for (const text of offline) await bob.send(text);
      // Acked by the server ("sent"), not delivered: alice's device is gone.
      await waitFor(async () => (await bob.messages()).slice(-5).every((m) => m.status === 'sent'), { timeoutMs: 5_000, message: "bob's messages never reached sent" });
      expect((await bob.messages()).slice(-5)).toEqual(offline.map((text) => ({ from: 'bob', text, status: 'sent' })));
      expect(shown(await alice.messages())).toEqual(expectedAtAlice.slice(0, 2));
      await shots.take('bob-sent-while-alice-offline', pages());
      await sleep(Math.max(0, offlineSince + HEARTBEAT_MS + 500 - Date.now())); // offline for longer than the heartbeat
      expect(await onlineOnServer()).toEqual(['bob']);

      await aliceContext.setOffline(false);
      await alice.waitForState('connected', 15_000);
      await waitFor(async () => shown(await alice.messages()).length >= expectedAtAlice.length, { timeoutMs: 10_000, message: 'alice did not get the replay' });
      await waitFor(async () => (await bobsOwn()).every((m) => m.status === 'delivered'), { timeoutMs: 10_000, message: "bob's messages never turned delivered" });
      expect(await bobsOwn()).toEqual(['hi alice', ...offline].map((text) => ({ from: 'bob', text, status: 'delivered' })));
      await sleep(500); // anything delivered twice would show up by now
      expect(shown(await alice.messages())).toEqual(expectedAtAlice);
      expect(await alice.textCounts()).toEqual(onceEach);
      expect(await alice.notice()).toBe('');
      await shots.take('alice-back-online', pages());
    });

    it('shows the same conversations, without duplicates and with their ticks, after reloads', async () => {
      for (const [chat, peer] of [[alice, 'bob'], [bob, 'alice']] as const) {
        await chat.page.reload();
        await chat.waitForState('connected');
        await chat.page.getByRole('heading', { name: `Chat with ${peer}` }).waitFor({ timeout: 5_000 }); // reopened by itself
      }
      await sleep(500); // let the reconnects' replay (if any) run
      expect(shown(await alice.messages())).toEqual(expectedAtAlice);
      expect(await alice.textCounts()).toEqual(onceEach);
      expect(shown(await bob.messages())).toEqual(expectedAtAlice);
      expect(await bobsOwn()).toEqual(['hi alice', ...offline].map((text) => ({ from: 'bob', text, status: 'delivered' })));
      await shots.take('reloaded', pages());
    });

    it('replaces alice\'s first tab when she opens a second one; the first stays disconnected', async () => {
      const second = await ChatPage.openTab(aliceContext, base, 'alice');
      await second.waitForState('connected');
      await alice.waitForState('replaced', 5_000);
      expect((await alice.state()).text).toBe('alice · replaced');
      expect(await alice.notice()).toContain('opened in another tab');
      // It must not take the session back by itself: watch it over two heartbeats.
      for (const deadline = Date.now() + 2 * HEARTBEAT_MS; Date.now() < deadline; await sleep(200)) {
        expect([(await alice.state()).state, (await second.state()).state]).toEqual(['replaced', 'connected']);
      }
      expect((await onlineOnServer()).sort()).toEqual(['alice', 'bob']);
      await second.openChatWith('bob');
      expect(shown(await second.messages())).toEqual(expectedAtAlice);
      await shots.take('second-tab-took-over', { first: alice.page, second: second.page });

      // "Use here" takes the chat back, and now the second tab is the one told.
      await alice.page.getByRole('button', { name: 'Use here' }).click();
      await alice.waitForState('connected');
      await second.waitForState('replaced', 5_000);
      expect(await alice.notice()).toBe('');
      await shots.take('first-tab-took-it-back', { first: alice.page, second: second.page });
    });
  });

  describe('admin page', () => {
    let admin: AdminPage;
    const readers: Record<string, ChatPage> = {};
    /** Waits until the campaign shown passes `check`; resolves with it. */
    const progressWhen = async (what: string, check: (shown: ShownProgress) => boolean): Promise<ShownProgress> => {
      let last: ShownProgress | undefined;
      await waitFor(async () => !!(last = await admin.progress()) && check(last), { timeoutMs: 10_000, message: () => `${what}; shown: ${JSON.stringify(last)}` });
      return last!;
    };
    const announcementsOf = async (user: string, count: number): Promise<string[]> => {
      await waitFor(async () => (await readers[user].announcements()).length >= count, { timeoutMs: 5_000, message: `${user} shows no announcement` });
      return readers[user].announcements();
    };

    beforeAll(async () => {
      for (const user of ['carol', 'dave']) readers[user] = await ChatPage.signIn(await newContext(), base, user);
      admin = await AdminPage.signIn(await newContext(), base);
    });

    it('previews a target on socket.data and fills the bar to 100% once the online users got it', async () => {
      await admin.fill({ where: '{ "user.id": ["carol", "dave", "erin"] }' }, { text: 'Campaign one' });
      expect(await admin.preview()).toBe('2 users · 2 connected devices'); // erin is not connected
      expect(await admin.send()).toBe('Send "notice" to 2 users?');
      // The bar's width eases in (CSS transition): wait for the rendered width, not only the numbers.
      const done = await progressWhen('campaign one never completed', (p) => p.state === 'completed' && p.deliveredWidth > 99.5);
      expect(done).toMatchObject({ counts: '2 delivered · 0 pending · 0 expired · 2 users', percent: 100, expiredWidth: 0, enabled: [] });
      expect(await announcementsOf('carol', 1)).toEqual(['Campaign one']);
      expect(await announcementsOf('dave', 1)).toEqual(['Campaign one']);
      await shots.take('campaign-one-completed', { admin: admin.page, carol: readers.carol.page });
    });

    it('counts a user who connects later: she gets the campaign and the bar reaches 100%; pause and resume', async () => {
      await admin.fill({ users: 'carol, erin' }, { text: 'Campaign two' });
      expect(await admin.preview()).toBe('2 users · 1 connected device');
      expect(await admin.send()).toBe('Send "notice" to 2 users?');
      const half = await progressWhen('carol never got campaign two', (p) => p.counts.startsWith('1 delivered') && p.deliveredWidth > 49);
      expect(half).toMatchObject({ state: 'running', counts: '1 delivered · 1 pending · 0 expired · 2 users', percent: 50, enabled: ['Pause', 'Cancel'] });
      expect(half.deliveredWidth).toBeLessThan(51);
      expect(await announcementsOf('carol', 2)).toEqual(['Campaign two', 'Campaign one']);
      await shots.take('campaign-two-half-delivered', admin.page);

      await admin.control('Pause');
      expect(await progressWhen('not paused', (p) => p.state === 'paused')).toMatchObject({ enabled: ['Resume', 'Cancel'] });
      await admin.control('Resume');
      expect(await progressWhen('not resumed', (p) => p.state === 'running')).toMatchObject({ enabled: ['Pause', 'Cancel'] });

      readers.erin = await ChatPage.signIn(await newContext(), base, 'erin');
      expect(await announcementsOf('erin', 1)).toEqual(['Campaign two']); // campaign one targeted who was connected then
      const done = await progressWhen('campaign two never completed', (p) => p.state === 'completed' && p.deliveredWidth > 99.5);
      expect(done).toMatchObject({ counts: '2 delivered · 0 pending · 0 expired · 2 users', percent: 100, enabled: [] });
      await shots.take('campaign-two-completed-after-erin-connected', { admin: admin.page, erin: readers.erin.page });
    });

    it('cancels a running campaign: who has not got it counts as expired', async () => {
      await admin.fill({ users: 'frank' }, { text: 'Campaign three' });
      expect(await admin.preview()).toBe('1 user · 0 connected devices');
      expect(await admin.send()).toBe('Send "notice" to 1 user?');
      await progressWhen('campaign three not running', (p) => p.state === 'running');
      await admin.control('Cancel');
      const cancelled = await progressWhen('not cancelled', (p) => p.state === 'cancelled' && p.expiredWidth > 99.5);
      expect(cancelled).toMatchObject({ counts: '0 delivered · 0 pending · 1 expired · 1 user', percent: 0, deliveredWidth: 0, enabled: [] });
      expect(await admin.error()).toBe('');
      await shots.take('campaign-three-cancelled', admin.page);
    });
  });

  it('left no script or console error and no failed request on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});

// The chat page: plain ES modules, no build step. The import map in index.html resolves both packages.
import { ReliableClient } from '@reliable-socket/client';
import { ChatStore, conversationKey } from './chat-store.js';
import { ChatView } from './chat-view.js';

const $ = (id) => document.getElementById(id);
/** The signed-in user, for every tab of this browser (a second tab signs in as the same user). */
const REMEMBERED_USER = 'chat:user';
/** The campaign event the admin page sends by default; shown as an announcement. */
const ANNOUNCEMENT_EVENT = 'notice';
const PRESENCE_REFRESH_MS = 3000;

let client, me, token, store, view;
/** `${to}:${offset}` ticks that arrived before their send() resolved. */
const deliveredEarly = new Set();
/** Outbox message id → `ref` of its entry, for messages restored from storage after a reload. */
const restoredSends = new Map();

/** A dev token from the sample (`GET /dev/token`); a real app gets it from its login. */
async function freshToken() {
  const res = await fetch(`/dev/token?user=${encodeURIComponent(me)}`);
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  ({ token } = await res.json());
  return token;
}

async function refreshOnline() {
  if (!token) return;
  const res = await fetch('/presence', { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (!res?.ok) return;
  const { users } = await res.json();
  view.renderPeople(users);
}

/** My message reached the server (`offset` in the recipient's stream): "sent", or "delivered" if its tick came first. */
function markSent(entry, offset) {
  entry.offset = offset;
  entry.status = deliveredEarly.delete(`${entry.to}:${offset}`) ? 'delivered' : 'sent';
  store.save();
  view.changed(conversationKey('user', entry.to), { unread: false });
}

async function sendText(text) {
  const { kind, name } = view.current;
  if (kind === 'room') {
    // Our own room:message comes back to us like everyone else's: shown once, from the handler.
    await client.send('room:send', { room: name, text });
    return;
  }
  // `ref` finds the entry again if the page reloads before the ack (the server ignores the field).
  const entry = { ref: crypto.randomUUID(), mine: true, from: me, to: name, text, sentAt: Date.now(), status: 'pending' };
  store.add(conversationKey('user', name), entry);
  view.changed(conversationKey('user', name));
  try {
    const { offset } = await client.send('send', { to: name, text, ref: entry.ref }); // acked: "sent"
    markSent(entry, offset);
  } catch (error) {
    entry.status = 'failed';
    store.save();
    view.changed(conversationKey('user', name), { unread: false });
    throw error;
  }
}

function receive(conversation, entry) {
  if (store.add(conversation, entry)) view.changed(conversation);
}

function listen() {
  // Each handler runs once per message, even across reconnects and reloads; `id` guards the page's own copy.
  client.on('message', ({ from, text, sentAt }, { stream, offset }) =>
    receive(conversationKey('user', from), { id: `${stream}@${offset}`, from, text, sentAt }),
  );
  client.on('room:message', ({ room, from, text, sentAt }, { stream, offset }) =>
    receive(conversationKey('room', room), { id: `${stream}@${offset}`, from, text, sentAt, mine: from === me }),
  );
  client.on('delivered', ({ offset, to }) => {
    const entry = store.findMine(to, { offset });
    if (!entry) return void deliveredEarly.add(`${to}:${offset}`);
    entry.status = 'delivered';
    store.save();
    view.changed(conversationKey('user', to), { unread: false });
  });
  client.on(ANNOUNCEMENT_EVENT, (data, { stream, offset }) => {
    const text = typeof data?.text === 'string' ? data.text : JSON.stringify(data);
    if (store.announce({ id: `${stream}@${offset}`, text, at: Date.now() })) view.renderAnnouncements();
  });
  client.lifecycle.on('sent', ({ id, result }) => {
    const ref = restoredSends.get(id);
    if (!ref) return; // a send() of this page: its promise handles it
    restoredSends.delete(id);
    for (const to of store.contacts()) {
      const entry = store.findMine(to, { ref });
      if (entry) markSent(entry, result.offset);
    }
  });

  client.lifecycle.on('connected', () => {
    view.setState('connected', 'connected');
    view.notice();
    for (const room of store.rooms) client.socket.emit('join', { room }); // idempotent; memberships live on the server
    void refreshOnline();
  });
  client.lifecycle.on('disconnected', () => {
    // After `replaced`, `rejected` or `kicked` the SDK stays off: keep saying why, not "reconnecting".
    if (client.state === 'connecting') view.setState('reconnecting', 'reconnecting…');
  });
  const takeBack = { label: 'Use here', run: () => client.connect() };
  client.lifecycle.on('replaced', () => {
    view.setState('replaced', 'replaced');
    view.notice('This chat was opened in another tab or device, so it stopped here.', takeBack);
  });
  client.lifecycle.on('rejected', () => {
    view.setState('refused', 'refused');
    view.notice('Another tab or device holds this chat.', takeBack);
  });
  client.lifecycle.on('kicked', ({ reason }) => {
    view.setState('refused', 'disconnected');
    view.notice(`The server disconnected this chat (${reason}).`, { label: 'Reconnect', run: () => client.connect() });
  });
  client.lifecycle.on('gap', (gap) => {
    view.notice(`Some messages of ${gap.stream} are gone for good (${gap.reason ?? 'retention'}); the conversation was resynced from what is left.`);
  });
  client.lifecycle.on('error', (e) => console.warn('reliable-socket:', [e.code, e.message].filter(Boolean).join(' ')));
}

async function start(user) {
  me = user;
  localStorage.setItem(REMEMBERED_USER, me);
  store = new ChatStore(me);
  view = new ChatView(store, me, (kind, name) => {
    view.open(kind, name);
    sessionStorage.setItem('chat:open', JSON.stringify({ kind, name }));
  });
  $('login').hidden = true;
  $('app').hidden = $('signout').hidden = false;
  view.setState('connecting', 'connecting…');
  view.renderPeople();
  view.renderRooms();
  view.renderAnnouncements();
  const reopened = JSON.parse(sessionStorage.getItem('chat:open') ?? 'null');
  if (reopened) view.open(reopened.kind, reopened.name);

  client = new ReliableClient(`${location.origin}/chat`, {
    auth: async () => ({ token: await freshToken() }),
    storageKey: `chat:${me}`,
    autoConnect: false,
  });
  listen();
  // Messages sent before a reload are resent by the SDK; map them to their entries before it connects.
  for (const { id, event, data } of await client.pending()) if (event === 'send' && data?.ref) restoredSends.set(id, data.ref);
  client.connect();
  setInterval(refreshOnline, PRESENCE_REFRESH_MS);
}

$('login').onsubmit = (event) => {
  event.preventDefault();
  void start($('user').value.trim());
};

$('signout').onclick = () => {
  localStorage.removeItem(REMEMBERED_USER);
  sessionStorage.removeItem('chat:open');
  location.reload(); // closes the socket; the history stays for the next sign-in
};

$('join').onsubmit = async (event) => {
  event.preventDefault();
  const room = $('room').value.trim();
  $('room').value = '';
  try {
    await client.socket.timeout(5000).emitWithAck('join', { room });
  } catch {
    return view.notice(`Could not join #${room} (offline, or the name is reserved).`);
  }
  store.rooms.add(room);
  store.save();
  view.onOpen('room', room);
};

$('compose').onsubmit = (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  $('text').value = '';
  if (text) sendText(text).catch((e) => view.notice(`Not sent: ${[e.code, e.message].filter(Boolean).join(' ')}`));
};

const remembered = localStorage.getItem(REMEMBERED_USER);
if (remembered) void start(remembered);

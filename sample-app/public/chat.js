// The chat page: one ES module, no build step. The import map in index.html resolves both packages.
import { ReliableClient } from '@reliable-socket/client';

const $ = (id) => document.getElementById(id);
let client, me, token, current; // current conversation: { kind: 'user' | 'room', name }
const history = {}; // conversation key → [{ from, text, sentAt, mine, to, offset, status }]
const rooms = new Set();
const deliveredEarly = new Set(); // `${to}:${offset}` ticks that arrived before their send() resolved

const key = (kind, name) => `${kind}:${name}`;
const store = (name) => `chat:${me}:${name}`;
const save = () => {
  localStorage.setItem(store('history'), JSON.stringify(history));
  localStorage.setItem(store('rooms'), JSON.stringify([...rooms]));
};

/** A dev token from the sample (`GET /dev/token`); a real app gets it from its login. */
async function freshToken() {
  const res = await fetch(`/dev/token?user=${encodeURIComponent(me)}`);
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  ({ token } = await res.json());
  return token;
}

function setState(state, text = state) {
  $('state').className = `state ${state}`;
  $('state').textContent = text;
}

function notice(text, action) {
  const el = $('notice');
  el.hidden = !text;
  el.textContent = text ?? '';
  if (action) {
    const button = document.createElement('button');
    button.textContent = action.label;
    button.onclick = action.run;
    el.append(button);
  }
}

function add(conversation, entry) {
  (history[conversation] ??= []).push(entry);
  if (history[conversation].length > 200) history[conversation].shift();
  save();
  if (current && key(current.kind, current.name) === conversation) render();
  else renderSidebar(conversation);
}

function render() {
  const list = $('messages');
  list.replaceChildren();
  for (const m of history[key(current.kind, current.name)] ?? []) {
    const li = document.createElement('li');
    li.className = m.mine ? 'mine' : '';
    li.textContent = m.mine ? m.text : `${m.from}: ${m.text}`;
    if (m.mine && current.kind === 'user') {
      const ticks = document.createElement('span');
      ticks.className = `ticks ${m.status}`;
      ticks.textContent = { pending: '…', sent: '✓', delivered: '✓✓' }[m.status];
      ticks.title = m.status;
      li.append(ticks);
    }
    list.append(li);
  }
  list.scrollTop = list.scrollHeight;
}

const unread = new Set();
function renderSidebar(unreadKey) {
  if (unreadKey) unread.add(unreadKey);
  for (const li of document.querySelectorAll('aside li')) {
    const k = li.dataset.key;
    li.classList.toggle('active', !!current && k === key(current.kind, current.name));
    li.querySelector('.unread').textContent = unread.has(k) ? ' •' : '';
  }
}

function item(kind, name) {
  const li = document.createElement('li');
  li.dataset.key = key(kind, name);
  li.append(kind === 'room' ? `#${name}` : name, Object.assign(document.createElement('span'), { className: 'unread' }));
  li.onclick = () => open(kind, name);
  return li;
}

function open(kind, name) {
  current = { kind, name };
  unread.delete(key(kind, name));
  $('title').textContent = kind === 'room' ? `#${name}` : `Chat with ${name}`;
  $('text').disabled = $('compose').querySelector('button').disabled = false;
  render();
  renderSidebar();
}

function renderRooms() {
  $('rooms').replaceChildren(...[...rooms].map((room) => item('room', room)));
  renderSidebar();
}

async function refreshOnline() {
  const res = await fetch('/presence', { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (!res?.ok) return;
  const { users } = await res.json();
  $('online').replaceChildren(...users.filter((u) => u !== me).map((u) => item('user', u)));
  renderSidebar();
}

async function sendText(text) {
  if (current.kind === 'room') {
    // Our own room:message comes back to us like everyone else's: shown once, from the handler.
    await client.send('room:send', { room: current.name, text });
    return;
  }
  const to = current.name;
  const entry = { mine: true, from: me, to, text, sentAt: Date.now(), status: 'pending' };
  add(key('user', to), entry);
  const { offset } = await client.send('send', { to, text }); // resolves when the server acked: "sent"
  entry.offset = offset;
  entry.status = deliveredEarly.delete(`${to}:${offset}`) ? 'delivered' : 'sent';
  save();
  render();
}

function start() {
  Object.assign(history, JSON.parse(localStorage.getItem(store('history')) ?? '{}'));
  for (const room of JSON.parse(localStorage.getItem(store('rooms')) ?? '[]')) rooms.add(room);

  client = new ReliableClient(`${location.origin}/chat`, {
    auth: async () => ({ token: await freshToken() }),
    storageKey: `chat:${me}`,
  });

  // Each handler runs once per message, even across reconnects and reloads.
  client.on('message', ({ from, text, sentAt }) => add(key('user', from), { from, text, sentAt }));
  client.on('room:message', ({ room, from, text, sentAt }) => add(key('room', room), { from, text, sentAt, mine: from === me }));
  client.on('delivered', ({ offset, to }) => {
    const entry = history[key('user', to)]?.find((m) => m.mine && m.offset === offset);
    if (!entry) return void deliveredEarly.add(`${to}:${offset}`);
    entry.status = 'delivered';
    save();
    if (current?.kind === 'user' && current.name === to) render();
  });

  client.lifecycle.on('connected', () => {
    setState('connected', `${me} · connected`);
    notice();
    for (const room of rooms) client.socket.emit('join', { room }); // idempotent; memberships live on the server
    void refreshOnline();
  });
  client.lifecycle.on('disconnected', () => setState('reconnecting', `${me} · reconnecting…`));
  const takeBack = { label: 'Use here', run: () => client.connect() };
  client.lifecycle.on('replaced', () => {
    setState('replaced', `${me} · opened elsewhere`);
    notice('This chat was opened in another tab or device.', takeBack);
  });
  client.lifecycle.on('rejected', () => {
    setState('replaced', `${me} · refused`);
    notice('Another tab holds this chat.', takeBack);
  });
  client.lifecycle.on('gap', (gap) => {
    notice(`Some messages of ${gap.stream} are gone for good (${gap.reason ?? 'retention'}); the conversation was resynced from what is left.`);
  });
  client.lifecycle.on('error', (e) => console.warn('reliable-socket:', e.code ?? '', e.message));

  setInterval(refreshOnline, 5000);
  $('login').hidden = true;
  $('app').hidden = false;
  renderRooms();
}

$('login').onsubmit = (event) => {
  event.preventDefault();
  me = $('user').value.trim();
  sessionStorage.setItem('chat:user', me);
  start();
};

$('join').onsubmit = async (event) => {
  event.preventDefault();
  const room = $('room').value.trim();
  $('room').value = '';
  await new Promise((resolve) => client.socket.emit('join', { room }, resolve));
  rooms.add(room);
  save();
  renderRooms();
  open('room', room);
};

$('compose').onsubmit = (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  $('text').value = '';
  if (text) sendText(text).catch((e) => notice(`Not sent: ${e.code ?? ''} ${e.message}`));
};

const remembered = sessionStorage.getItem('chat:user');
if (remembered) {
  me = remembered;
  start();
}

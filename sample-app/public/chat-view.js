// The chat page's DOM: the connection badge, the notice bar, the people and room lists, the open
// conversation and the announcements. It reads the ChatStore and never talks to the server.
import { conversationKey } from './chat-store.js';

const $ = (id) => document.getElementById(id);
const TICKS = { pending: '…', sent: '✓', delivered: '✓✓', failed: '!' };
const TICK_TITLES = { pending: 'sending', sent: 'sent', delivered: 'delivered', failed: 'not sent' };
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function element(tag, props = {}, ...children) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

export class ChatView {
  /** @param onOpen called with (kind, name) when a person or room is picked */
  constructor(store, me, onOpen) {
    this.store = store;
    this.me = me;
    this.onOpen = onOpen;
    this.current = undefined; // { kind: 'user' | 'room', name }
    this.online = new Set();
    this.unread = new Set();
  }

  /** The badge in the header: `data-state` is connecting, connected, reconnecting, replaced or refused. */
  setState(state, text) {
    const badge = $('state');
    badge.className = `state ${state}`;
    badge.dataset.state = state;
    badge.textContent = `${this.me} · ${text}`;
  }

  /** Shows (or, without text, hides) the notice bar, with an optional button `{ label, run }`. */
  notice(text, action) {
    const bar = $('notice');
    bar.hidden = !text;
    bar.replaceChildren(text ?? '');
    if (action) bar.append(element('button', { type: 'button', textContent: action.label, onclick: action.run }));
  }

  isOpen(conversation) {
    return !!this.current && conversationKey(this.current.kind, this.current.name) === conversation;
  }

  /** A conversation changed: redraw it if it is open, else mark it unread. */
  changed(conversation, { unread = true } = {}) {
    if (this.isOpen(conversation)) this.renderMessages();
    else if (unread) this.unread.add(conversation);
    this.renderPeople();
    this.renderRooms();
  }

  open(kind, name) {
    this.current = { kind, name };
    const conversation = conversationKey(kind, name);
    this.unread.delete(conversation);
    $('title').textContent = kind === 'room' ? `#${name}` : `Chat with ${name}`;
    $('text').disabled = $('send').disabled = false;
    $('text').focus();
    this.renderMessages();
    this.renderPeople();
    this.renderRooms();
  }

  renderMessages() {
    const { kind, name } = this.current;
    const items = this.store.entries(conversationKey(kind, name)).map((m) => {
      const meta = element('span', { className: 'meta' }, element('time', { textContent: clock(m.sentAt) }));
      if (m.mine && kind === 'user') {
        meta.append(element('span', { className: `ticks ${m.status}`, title: TICK_TITLES[m.status], textContent: TICKS[m.status] }));
      }
      const li = element('li', { className: `message ${m.mine ? 'mine' : 'theirs'}` });
      Object.assign(li.dataset, { testid: 'message', from: m.from, status: m.status ?? 'received' });
      if (!m.mine && kind === 'room') li.append(element('span', { className: 'from', textContent: m.from }));
      li.append(element('span', { className: 'text', textContent: m.text }), meta);
      return li;
    });
    const list = $('messages');
    list.replaceChildren(...items);
    if (items.length === 0) list.append(element('li', { className: 'empty', textContent: 'No messages yet.' }));
    list.scrollTop = list.scrollHeight;
  }

  /** One entry of the people or rooms list. */
  item(kind, name) {
    const conversation = conversationKey(kind, name);
    const li = element('li', { className: this.isOpen(conversation) ? 'active' : '', onclick: () => this.onOpen(kind, name) });
    if (kind === 'user') {
      const online = this.online.has(name);
      Object.assign(li.dataset, { testid: 'person', user: name, online: String(online) });
      li.append(element('span', { className: `dot ${online ? 'online' : 'offline'}`, title: online ? 'online' : 'offline' }), name);
    } else {
      Object.assign(li.dataset, { testid: 'room', room: name });
      li.append(`#${name}`);
    }
    if (this.unread.has(conversation)) li.append(element('span', { className: 'unread', title: 'unread' }));
    return li;
  }

  /** Who is online first, then the people I talked to (also offline: they can still be written to). */
  renderPeople(online) {
    if (online) this.online = new Set(online.filter((u) => u !== this.me));
    const names = [...new Set([...this.online, ...this.store.contacts()])];
    names.sort((a, b) => Number(this.online.has(b)) - Number(this.online.has(a)) || a.localeCompare(b));
    const items = names.map((name) => this.item('user', name));
    $('people').replaceChildren(...(items.length ? items : [element('li', { className: 'empty', textContent: 'Nobody else is online.' })]));
  }

  renderRooms() {
    $('rooms').replaceChildren(...[...this.store.rooms].map((room) => this.item('room', room)));
  }

  renderAnnouncements() {
    const items = this.store.announcements.map(({ id, text, at }) => {
      const dismiss = () => {
        this.store.dismiss(id);
        this.renderAnnouncements();
      };
      const li = element(
        'li',
        {},
        element('span', { className: 'text', textContent: text }),
        element('time', { textContent: clock(at) }),
        element('button', { type: 'button', title: 'Dismiss', textContent: '×', onclick: dismiss }),
      );
      li.dataset.testid = 'announcement';
      return li;
    });
    $('announcements').replaceChildren(...items);
    $('announcements').hidden = items.length === 0;
  }
}

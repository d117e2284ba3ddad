// What the chat page keeps in localStorage per user, so that a reload (or a second tab) shows the same
// conversations. The SDK keeps its own cursors and outbox; this is only what the page displays.

const MAX_PER_CONVERSATION = 200;
const MAX_ANNOUNCEMENTS = 5;

/** `user:<name>` or `room:<name>`. */
export const conversationKey = (kind, name) => `${kind}:${name}`;

export class ChatStore {
  /** @param {string} me the signed-in user; every key is under `chat:<me>:` */
  constructor(me, storage = localStorage) {
    this.storage = storage;
    this.prefix = `chat:${me}:`;
    /** conversation key → [{ id?, ref?, from, to?, text, sentAt, mine, offset?, status? }] */
    this.history = this.read('history', {});
    this.rooms = new Set(this.read('rooms', []));
    /** [{ id, text, at }], newest first */
    this.announcements = this.read('announcements', []);
  }

  read(name, fallback) {
    try {
      return JSON.parse(this.storage.getItem(this.prefix + name)) ?? fallback;
    } catch {
      return fallback;
    }
  }

  save() {
    this.storage.setItem(this.prefix + 'history', JSON.stringify(this.history));
    this.storage.setItem(this.prefix + 'rooms', JSON.stringify([...this.rooms]));
    this.storage.setItem(this.prefix + 'announcements', JSON.stringify(this.announcements));
  }

  entries(conversation) {
    return this.history[conversation] ?? [];
  }

  /**
   * Appends an entry; false if an entry with the same `id` (`stream@offset` of a received message) is there
   * already. The SDK runs a handler once per message, but it stores the cursor after the handler: a reload
   * between the two would hand the message over again, and the page must not show it twice.
   */
  add(conversation, entry) {
    const list = (this.history[conversation] ??= []);
    if (entry.id && list.some((m) => m.id === entry.id)) return false;
    list.push(entry);
    if (list.length > MAX_PER_CONVERSATION) list.shift();
    this.save();
    return true;
  }

  /** My message to `to` sent as `ref` (a local id), or at stream offset `offset`. */
  findMine(to, { ref, offset }) {
    return this.entries(conversationKey('user', to)).find((m) => m.mine && (ref ? m.ref === ref : m.offset === offset));
  }

  /** Users I have a one-to-one conversation with. */
  contacts() {
    return Object.keys(this.history).filter((k) => k.startsWith('user:')).map((k) => k.slice('user:'.length));
  }

  dismiss(id) {
    this.announcements = this.announcements.filter((a) => a.id !== id);
    this.save();
  }

  /** Adds a campaign announcement once (same `stream@offset` id after a reload is skipped). */
  announce(announcement) {
    if (this.announcements.some((a) => a.id === announcement.id)) return false;
    this.announcements.unshift(announcement);
    this.announcements.length = Math.min(this.announcements.length, MAX_ANNOUNCEMENTS);
    this.save();
    return true;
  }
}

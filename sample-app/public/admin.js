// The admin page: plain fetch against the sample's /admin/campaigns endpoints (bearer token, role admin).
const $ = (id) => document.getElementById(id);
const FINAL_STATES = ['completed', 'expired', 'cancelled'];
const POLL_MS = 500; // polling keeps it simple; the server also has campaigns.progress$() for SSE
let token = sessionStorage.getItem('admin:token');
let campaignId, poll;

class HttpError extends Error {
  constructor(status, message) {
    super(`${status}: ${message}`);
    this.status = status;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const reply = await res.json().catch(() => ({}));
  if (!res.ok) throw new HttpError(res.status, Array.isArray(reply.message) ? reply.message.join(', ') : reply.message ?? res.statusText);
  return reply;
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const json = (text, field) => {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`${field} is not valid JSON`);
  }
};
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function target() {
  const t = {};
  const users = list($('users').value);
  const rooms = list($('rooms').value);
  const where = json($('where').value, 'where');
  if (users.length) t.users = users;
  if (rooms.length) t.rooms = rooms;
  if (where && Object.keys(where).length) t.where = where;
  return t;
}

/** Shows an error under the form; a refused token (401/403) signs out. */
function showError(error) {
  if (error.status === 401 || error.status === 403) signOut(`Signed out: ${error.message}`);
  else $('error').textContent = error.message;
}

/** Runs an action, clearing the last error first. */
const guarded = (action) => async (event) => {
  event?.preventDefault();
  $('error').textContent = '';
  await action().catch(showError);
};

function showProgress({ id, state, total, delivered, pending, expired }) {
  $('run').hidden = false;
  $('cid').textContent = id;
  $('cstate').textContent = state;
  $('cstate').className = `campaign-state ${state}`;
  const pct = (n) => (total ? (100 * n) / total : 0);
  const bar = document.querySelector('.progress');
  bar.querySelector('.delivered').style.width = `${pct(delivered)}%`;
  bar.querySelector('.expired').style.width = `${pct(expired)}%`;
  $('percent').textContent = `${Math.round(pct(delivered))}% delivered`;
  bar.setAttribute('aria-valuenow', String(Math.round(pct(delivered))));
  $('counts').textContent = `${delivered} delivered · ${pending} pending · ${expired} expired · ${plural(total, 'user')}`;
  const final = FINAL_STATES.includes(state);
  $('pause').disabled = final || state === 'paused';
  $('resume').disabled = final || state !== 'paused';
  $('cancel').disabled = final;
  if (final) clearInterval(poll);
}

function follow(id) {
  campaignId = id;
  sessionStorage.setItem('admin:campaign', id);
  clearInterval(poll);
  const tick = () =>
    api('GET', `/admin/campaigns/${id}`).then(showProgress, (error) => {
      if (error.status === 404) stopFollowing(); // e.g. an in-memory campaign gone with a restart
      showError(error);
    });
  poll = setInterval(tick, POLL_MS);
  void tick();
}

function stopFollowing() {
  clearInterval(poll);
  sessionStorage.removeItem('admin:campaign');
}

async function preview() {
  const { users, devices } = await api('POST', '/admin/campaigns/preview', { target: target() });
  $('count').textContent = `${plural(users, 'user')} · ${plural(devices, 'connected device')}`;
  return users;
}

$('preview').onclick = guarded(preview);
// A count is only good for the target it was computed for.
for (const field of ['users', 'rooms', 'where']) $(field).addEventListener('input', () => ($('count').textContent = ''));

$('campaign').onsubmit = guarded(async () => {
  const users = await preview();
  if (!confirm(`Send "${$('event').value}" to ${plural(users, 'user')}?`)) return;
  const rate = $('rate').value;
  const { id } = await api('POST', '/admin/campaigns', {
    target: target(),
    event: $('event').value,
    data: json($('payload').value, 'payload') ?? null,
    ...(rate ? { ratePerSecond: Number(rate) } : {}),
    expiresAt: Date.now() + Number($('ttl').value) * 60_000,
  });
  follow(id);
});

for (const action of ['pause', 'resume', 'cancel']) {
  $(action).onclick = guarded(async () => showProgress(await api('POST', `/admin/campaigns/${campaignId}/${action}`)));
}

function signedIn(user) {
  $('who').textContent = `${user} · admin`;
  $('who').className = 'state connected';
  $('login').hidden = true;
  $('campaign').hidden = $('signout').hidden = false;
  const followed = sessionStorage.getItem('admin:campaign');
  if (followed) follow(followed);
}

function signOut(reason = '') {
  stopFollowing();
  token = undefined;
  for (const key of ['admin:token', 'admin:user']) sessionStorage.removeItem(key);
  $('who').textContent = 'signed out';
  $('who').className = 'state';
  $('login').hidden = false;
  $('campaign').hidden = $('run').hidden = $('signout').hidden = true;
  $('login-error').textContent = reason;
}

$('login').onsubmit = async (event) => {
  event.preventDefault();
  const user = $('admin').value.trim();
  const res = await fetch(`/dev/token?user=${encodeURIComponent(user)}&role=admin`).catch(() => undefined);
  if (!res?.ok) return void ($('login-error').textContent = `Sign-in failed: ${res?.status ?? 'offline'}`);
  ({ token } = await res.json());
  sessionStorage.setItem('admin:token', token);
  sessionStorage.setItem('admin:user', user);
  $('login-error').textContent = '';
  signedIn(user);
};
$('signout').onclick = () => signOut();

if (token) signedIn(sessionStorage.getItem('admin:user') ?? 'admin');

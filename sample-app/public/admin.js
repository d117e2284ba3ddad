// The admin page: plain fetch against the sample's /admin/campaigns endpoints (bearer token, role admin).
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('admin:token');
let campaignId, poll;

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const reply = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status}: ${Array.isArray(reply.message) ? reply.message.join(', ') : reply.message ?? res.statusText}`);
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

/** Runs an action, showing its error under the form. */
const guarded = (action) => async (event) => {
  event?.preventDefault();
  $('error').textContent = '';
  try {
    await action();
  } catch (error) {
    $('error').textContent = error.message;
  }
};

function showProgress({ id, state, total, delivered, pending, expired }) {
  $('run').hidden = false;
  $('cid').textContent = id;
  $('cstate').textContent = state;
  const pct = (n) => (total ? (100 * n) / total : 0);
  document.querySelector('.progress .delivered').style.width = `${pct(delivered)}%`;
  document.querySelector('.progress .expired').style.width = `${pct(expired)}%`;
  $('counts').textContent = `${delivered} delivered · ${pending} pending · ${expired} expired · ${total} users`;
  const final = ['completed', 'expired', 'cancelled'].includes(state);
  $('pause').disabled = final || state === 'paused';
  $('resume').disabled = final || state !== 'paused';
  $('cancel').disabled = final;
  if (final) clearInterval(poll);
}

function follow(id) {
  campaignId = id;
  clearInterval(poll);
  const tick = () => api('GET', `/admin/campaigns/${id}`).then(showProgress, (e) => ($('error').textContent = e.message));
  poll = setInterval(tick, 500); // polling keeps it simple; the server also has campaigns.progress$() for SSE
  void tick();
}

$('preview').onclick = guarded(async () => {
  const { users, devices } = await api('POST', '/admin/campaigns/preview', { target: target() });
  $('count').textContent = `${users} users · ${devices} connected devices`;
});

$('campaign').onsubmit = guarded(async () => {
  const { users } = await api('POST', '/admin/campaigns/preview', { target: target() });
  if (!confirm(`Send "${$('event').value}" to ${users} users?`)) return;
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
  $('campaign').hidden = false;
}

$('login').onsubmit = guarded(async () => {
  const user = $('admin').value.trim();
  const res = await fetch(`/dev/token?user=${encodeURIComponent(user)}&role=admin`);
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  ({ token } = await res.json());
  sessionStorage.setItem('admin:token', token);
  sessionStorage.setItem('admin:user', user);
  signedIn(user);
});

if (token) signedIn(sessionStorage.getItem('admin:user') ?? 'admin');

import { api } from './api.js';

// The forms are handled here; until this module runs, a submit would go to the server as a POST
// (never a GET: the password must not end up in a URL). The header and strings load after the
// handlers are attached, so a fast user never meets a form without them.
import('./nav.js').then((nav) => nav.setUpPage({ signedIn: false }));

const message = document.getElementById('message');
const signin = document.getElementById('signin');
const change = document.getElementById('change');
const next = new URLSearchParams(location.search).get('next');
// Only pages of this site: an open redirect would let a link send a fresh session elsewhere.
// The browser resolves the text itself (so `/\evil.example`, `/%5Cevil`, tabs and `javascript:` are
// judged as it would follow them) and only a same-origin http(s) page is kept, as a path.
function sameSitePath(text) {
  if (!text || !text.startsWith('/')) return null;
  try {
    const url = new URL(text, location.origin);
    if (url.origin !== location.origin || !/^https?:$/.test(url.protocol)) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}
const asked = sameSitePath(next);
let role = null;
// Without a page asked for: the page of the user's role (the wall for those who watch cameras).
const home = () => asked || ({ auditor: '/audit.html', analyst: '/map.html' }[role] || '/live.html');
let current = '';

function show(error) {
  const fields = (error.problem?.errors || []).map((e) => `${e.field} ${e.message}`).join('; ');
  message.textContent = fields || error.message;
}

signin.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(signin);
  current = form.get('password');
  message.textContent = '';
  try {
    const me = await api('/api/session', { method: 'POST', body: { name: form.get('name'), password: current } });
    role = me.role;
    if (me.mustChangePassword) {
      signin.hidden = true;
      change.hidden = false;
    } else {
      location.href = home();
    }
  } catch (error) {
    show(error);
  }
});

change.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(change);
  try {
    await api('/api/session/password', { method: 'POST', body: { currentPassword: current, newPassword: form.get('newPassword') } });
    location.href = home();
  } catch (error) {
    show(error);
  }
});

document.body.dataset.ready = 'true';

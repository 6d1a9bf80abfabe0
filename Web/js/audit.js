import { api } from './api.js';
import { clear, el } from './dom.js';
import { formatTime, t } from './i18n.js';
import { setUpPage } from './nav.js';

// The audit trail for auditors (docs/security.md): entries page by page, the chain's verification,
// and the same range as CSV for archiving off the machine.
const body = document.getElementById('entries');
const more = document.getElementById('more');
const message = document.getElementById('message');
const verify = document.getElementById('verify');
const pageSize = 500;
let after = 0;

function range() {
  const params = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const value = document.getElementById(name).value;
    if (value) params.set(name, new Date(value + 'Z').toISOString());
  }
  return params;
}

// Entries hold what clients sent: el() shows them as text, never as markup.
const cell = (text, className) => el('td', { className }, text);

async function load(reset) {
  if (reset) {
    clear(body);
    after = 0;
  }
  const params = range();
  params.set('after', after);
  params.set('limit', pageSize);
  message.textContent = '';
  try {
    const entries = await api('/api/audit?' + params);
    for (const e of entries) {
      body.append(el('tr', {}, cell(e.id), cell(formatTime(e.time)), cell(e.actor), cell(e.client), cell(e.action), cell(e.target),
        cell(e.detail), cell(e.hash.slice(0, 12), 'hash')));
      after = e.id;
    }
    more.hidden = entries.length < pageSize;
    document.getElementById('csv').href = '/api/audit.csv?' + range();
  } catch (error) {
    message.textContent = error.message;
  }
}

async function check() {
  try {
    const result = await api('/api/audit/verify');
    verify.className = result.intact ? 'status intact' : 'status broken';
    verify.textContent = result.intact
      ? t('audit.intact', { n: result.entries })
      : t('audit.tampered', { problems: result.problems.join('; ') });
  } catch (error) {
    verify.textContent = error.message;
  }
}

document.getElementById('show').addEventListener('click', () => load(true));
more.addEventListener('click', () => load(false));
await setUpPage();
load(true);
check();

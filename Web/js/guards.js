// The guards' administration (guards.html): the equipment ledger ("who holds radio 17" and "what
// does post 3 hold" in one search), posts and the roster. Administrators change them; operators
// and auditors read. Every change is audited by the server (docs/guards.md).
import { api } from './api.js';
import { $, clear, el } from './dom.js';
import { formatTime, t } from './i18n.js';
import { setUpPage } from './nav.js';

let me = null;
let posts = [];

function say(error) { $('message').textContent = error ? `${t('error')}: ${error.message}` : ''; }

async function run(action) {
  try { await action(); say(null); } catch (error) { say(error); }
}

/// A number or serial finds that item; `guard:NAME`, `post:ID` or `store` finds what is held there;
/// a guard's name alone means `guard:NAME`; empty lists everything.
async function findItems() {
  const query = $('find').query.value.trim();
  let path = '/api/equipment';
  if (/^(guard:|post:|store$)/.test(query)) path += `?holder=${encodeURIComponent(query)}`;
  else if (query) {
    const byNumber = await api(`/api/equipment?number=${encodeURIComponent(query)}`);
    if (byNumber.equipment.length) return byNumber.equipment;
    path += `?holder=${encodeURIComponent(`guard:${query}`)}`;
  }
  return (await api(path)).equipment;
}

async function showItems() {
  const items = await findItems();
  const admin = me.role === 'administrator';
  clear($('items'), items.map((item) => {
    const to = el('input', { size: 14, placeholder: 'guard:NAME / post:ID', 'aria-label': t('guards.holder') });
    const history = el('div', { className: 'history', hidden: true },
      item.history.map((e) => el('div', {}, `${formatTime(new Date(e.time))} · ${e.action} · ${e.by} → ${e.holder} (${e.condition})${e.note ? ` · ${e.note}` : ''}`)));
    return el('tr', { dataset: { id: item.id } },
      el('td', {}, item.kind), el('td', {}, item.number), el('td', {}, item.serial), el('td', {}, item.condition),
      el('td', {}, item.holder, history),
      el('td', {},
        el('button', { className: 'history-toggle', onclick: () => { history.hidden = !history.hidden; } }, t('guards.history')),
        admin && item.holder === 'store' ? [to, el('button', { className: 'issue', onclick: () => run(async () => {
          await api(`/api/equipment/${item.id}/issue`, { method: 'POST', body: { to: to.value.trim() } });
          await showItems();
        }) }, t('guards.issue'))] : null,
        admin && item.holder !== 'store' ? el('button', { className: 'return', onclick: () => run(async () => {
          await api(`/api/equipment/${item.id}/return`, { method: 'POST', body: {} });
          await showItems();
        }) }, t('guards.return')) : null));
  }));
}

async function showPosts() {
  posts = (await api('/api/posts')).posts;
  clear($('posts'), posts.map((p) => el('tr', {},
    el('td', {}, p.id), el('td', {}, p.name), el('td', {}, p.district), el('td', {}, p.guards.join(', ')),
    el('td', {}, p.cameras.join(', ')), el('td', {}, p.autoDispatch ? '✓' : ''))));
  for (const form of ['add-shift', 'add-checkpoint']) clear($(form).post, posts.map((p) => el('option', { value: p.id }, p.name)));
}

/// The roster; administrators change a shift in the form above (filled from its row) or remove it.
async function showShifts() {
  const { shifts } = await api('/api/shifts');
  const names = new Map(posts.map((p) => [p.id, p.name]));
  const admin = me.role === 'administrator';
  clear($('shifts'), shifts.map((s) => el('tr', { dataset: { id: s.id } },
    el('td', {}, names.get(s.post) ?? `#${s.post}`), el('td', {}, s.guardName),
    el('td', {}, formatTime(new Date(s.start))), el('td', {}, formatTime(new Date(s.end))),
    el('td', {}, admin ? [
      el('button', { type: 'button', className: 'edit', onclick: () => editShift(s) }, t('guards.editShift')),
      el('button', { type: 'button', className: 'delete', onclick: () => run(async () => {
        await api(`/api/shifts/${s.id}`, { method: 'DELETE' });
        if ($('add-shift').dataset.editing === String(s.id)) editShift(null);
        await showShifts();
      }) }, t('guards.remove'))] : null))));
}

/// `2026-12-05T08:00` in the browser's time zone, as a datetime-local input shows it.
function localInput(iso) {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

/// Puts the form into changing `shift` (null: back to adding one).
function editShift(shift) {
  const f = $('add-shift');
  if (shift) {
    f.dataset.editing = shift.id;
    f.post.value = shift.post;
    f.guardName.value = shift.guardName;
    f.start.value = localInput(shift.start);
    f.end.value = localInput(shift.end);
  } else {
    delete f.dataset.editing;
    f.reset();
  }
  $('editing-shift').textContent = shift ? t('guards.editingShift', { id: shift.id }) : '';
  f.querySelector('button[type=submit]').textContent = t(shift ? 'guards.saveShift' : 'guards.addShift');
  f.querySelector('button.cancel').hidden = !shift;
}

/// Checkpoints with their last scan; for administrators, the sheet of their printed codes (each
/// holds the guard page's address with the checkpoint's secret code).
async function showCheckpoints() {
  const { checkpoints } = await api('/api/checkpoints');
  const names = new Map(posts.map((p) => [p.id, p.name]));
  clear($('checkpoint-list'), checkpoints.map((c) => el('tr', { dataset: { id: c.id } },
    el('td', {}, c.name), el('td', {}, names.get(c.post) ?? `#${c.post}`), el('td', {}, t('guards.everyMinutes', { minutes: c.everyMinutes })),
    el('td', { className: c.overdue ? 'overdue' : null },
      c.lastScan ? `${formatTime(new Date(c.lastScan.time))} · ${c.lastScan.guardName}${c.lastScan.distanceMetres != null ? ` · ${Math.round(c.lastScan.distanceMetres)} m` : ''}` : t('guards.neverScanned'),
      c.overdue ? ` · ${t('guards.overdue')}` : ''),
    el('td', {}, me.role === 'administrator' ? el('button', { className: 'delete', onclick: () => run(async () => {
      await api(`/api/checkpoints/${c.id}`, { method: 'DELETE' });
      await showCheckpoints();
    }) }, t('guards.remove')) : null))));
  clear($('codes'), checkpoints.filter((c) => c.url).map((c) => el('figure', { dataset: { id: c.id } },
    el('img', { src: `/api/checkpoints/${c.id}/code.svg`, alt: c.name }),
    el('figcaption', {}, el('b', {}, c.name), el('br'), names.get(c.post) ?? `#${c.post}`))));
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

async function start() {
  me = await setUpPage();
  if (me?.role === 'administrator') for (const form of document.querySelectorAll('[data-admin]')) form.hidden = false;
  $('find').addEventListener('submit', (e) => { e.preventDefault(); run(showItems); });
  $('add-item').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    run(async () => {
      await api('/api/equipment', { method: 'POST', body: { kind: f.kind.value, number: f.number.value, serial: f.serial.value } });
      f.reset();
      await showItems();
    });
  });
  $('add-post').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    run(async () => {
      await api('/api/posts', { method: 'POST', body: {
        name: f.name.value, latitude: Number(f.latitude.value), longitude: Number(f.longitude.value), district: f.district.value,
        guards: list(f.guards.value), cameras: list(f.cameras.value).map(Number), autoDispatch: f.autoDispatch.checked } });
      f.reset();
      await showPosts();
    });
  });
  $('add-shift').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    run(async () => {
      const editing = f.dataset.editing;
      await api(editing ? `/api/shifts/${editing}` : '/api/shifts', { method: editing ? 'PUT' : 'POST', body: {
        post: Number(f.post.value), guardName: f.guardName.value,
        start: new Date(f.start.value).toISOString(), end: new Date(f.end.value).toISOString() } });
      if (editing) editShift(null);
      await showShifts();
    });
  });
  $('add-shift').querySelector('button.cancel').addEventListener('click', () => editShift(null));
  $('add-checkpoint').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    run(async () => {
      await api('/api/checkpoints', { method: 'POST', body: {
        post: Number(f.post.value), name: f.name.value, latitude: Number(f.latitude.value), longitude: Number(f.longitude.value),
        everyMinutes: Number(f.everyMinutes.value) } });
      f.name.value = '';
      await showCheckpoints();
    });
  });
  if (new URLSearchParams(location.search).get('print') === 'codes') document.body.classList.add('codes');
  await run(async () => { await showItems(); await showPosts(); await showShifts(); await showCheckpoints(); });
  // The sheet is ready to print when every code has been drawn.
  await Promise.all([...document.querySelectorAll('#codes img')].map((img) => (img.complete ? null : new Promise((done) => { img.onload = done; img.onerror = done; }))));
  document.body.dataset.ready = 'true';
}

start();

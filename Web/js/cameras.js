// Camera administration (administrators): add, edit, delete, and test a camera's address and
// credentials before saving (POST /api/cameras/test). Passwords are write-only: the API never
// returns them; an empty password field on edit keeps (and tests with) the stored one.
import { api } from './api.js';
import { $, clear, el } from './dom.js';
import { t } from './i18n.js';
import { setUpPage } from './nav.js';

const form = $('camera');
let cameras = [];
let editing = null;
window.aulaCameras = { tested: null };

function problem(error) {
  const fields = (error.problem?.errors || []).map((e) => `${e.field} ${e.message}`).join('; ');
  return fields || error.message;
}

function renderList() {
  clear($('list'), cameras.map((c) => el('tr', { className: editing?.id === c.id ? 'selected' : null },
    [String(c.id), c.name, c.rtspUrl + (c.subStream ? ` · ${t('cameras.sub')}: ${c.subStream.rtspUrl}${c.subStream.record ? ` (${t('cameras.subRecorded')})` : ''}` : ''), c.district,
      t(`state.${c.status?.state || 'connecting'}`) + (c.subStream ? ` · ${t('cameras.sub')}: ${t(`state.${c.subStream.status?.state || 'connecting'}`)}` : '')]
      .map((text) => el('td', {}, text)),
    el('td', {},
      el('button', { onclick: () => select(c) }, t('cameras.edit')),
      // After the Edit button (tests click the row's first button): this camera's motion zones.
      ' ', el('a', { href: `/zones.html?camera=${c.id}` }, t('motion.zonesTitle'))))));
}

function select(camera) {
  editing = camera;
  form.reset();
  $('test-result').textContent = '';
  $('test-result-sub').textContent = '';
  $('form-title').dataset.i18n = camera ? 'cameras.edit' : 'cameras.add';
  $('form-title').textContent = t($('form-title').dataset.i18n) + (camera ? ` #${camera.id}` : '');
  $('delete').hidden = !camera;
  if (camera) {
    const f = form.elements;
    f.name.value = camera.name;
    f.rtspUrl.value = camera.rtspUrl;
    f.username.value = camera.username || '';
    f.subRtspUrl.value = camera.subStream?.rtspUrl || '';
    f.subUsername.value = camera.subStream?.username || '';
    f.subRecord.checked = camera.subStream?.record === true;
    f.subMaxAgeDays.value = camera.subStream?.maxAgeDays ?? '';
    f.lat.value = camera.location.lat;
    f.lon.value = camera.location.lon;
    f.address.value = camera.address || '';
    f.district.value = camera.district || '';
  }
  renderList();
}

function body() {
  const f = form.elements;
  const b = {
    name: f.name.value, rtspUrl: f.rtspUrl.value, username: f.username.value || null,
    location: { lat: Number(f.lat.value), lon: Number(f.lon.value) }, address: f.address.value, district: f.district.value,
  };
  // On edit, an empty password keeps the stored one.
  if (f.password.value || !editing) b.password = f.password.value || null;
  // The sub stream: an empty address removes it; an empty account means the camera's.
  if (f.subRtspUrl.value) {
    // Recorded too, kept its own number of days (empty: as long as the main stream).
    b.subStream = {
      rtspUrl: f.subRtspUrl.value, username: f.subUsername.value || null,
      record: f.subRecord.checked, maxAgeDays: f.subMaxAgeDays.value ? Number(f.subMaxAgeDays.value) : null,
    };
    if (f.subPassword.value || !editing?.subStream) b.subStream.password = f.subPassword.value || null;
  } else if (editing?.subStream || !editing) {
    b.subStream = null;
  }
  return b;
}

async function load() {
  cameras = await api('/api/cameras');
  renderList();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    if (editing) await api(`/api/cameras/${editing.id}`, { method: 'PATCH', body: body() });
    else await api('/api/cameras', { method: 'POST', body: body() });
    $('message').textContent = t('saved');
    editing = null;
    await load();
    select(null);
  } catch (error) { $('message').textContent = problem(error); }
});

// Tests one stream's address and account; the sub stream's, when given, right after the main's.
async function testStream(stream, result) {
  const f = form.elements;
  const sub = stream === 'sub';
  result.className = '';
  result.textContent = t('cameras.testing');
  try {
    const body = { rtspUrl: sub ? f.subRtspUrl.value : f.rtspUrl.value, stream };
    const username = sub ? (f.subUsername.value || f.username.value) : f.username.value;
    const password = sub ? (f.subPassword.value || (f.subUsername.value ? '' : f.password.value)) : f.password.value;
    body.username = username || null;
    // Editing with an empty password field: the server tests with the stored password.
    if (password) body.password = password;
    else if (editing) body.camera = editing.id;
    const r = await api('/api/cameras/test', { method: 'POST', body });
    window.aulaCameras[sub ? 'testedSub' : 'tested'] = r;
    result.className = r.ok ? 'ok' : 'bad';
    const prefix = f.subRtspUrl.value ? `${t(sub ? 'cameras.sub' : 'cameras.main')}: ` : '';
    result.textContent = prefix + (r.ok
      ? t('cameras.testOk', { codec: r.codec, width: r.width, height: r.height, ms: r.milliseconds })
      : t('cameras.testFailed', { error: r.error }));
  } catch (error) { result.className = 'bad'; result.textContent = problem(error); }
}

$('test').addEventListener('click', async () => {
  $('test-result-sub').textContent = '';
  await testStream('main', $('test-result'));
  if (form.elements.subRtspUrl.value) await testStream('sub', $('test-result-sub'));
});

$('delete').addEventListener('click', async () => {
  if (!editing || !confirm(t('cameras.confirmDelete', { name: editing.name }))) return;
  try {
    await api(`/api/cameras/${editing.id}`, { method: 'DELETE' });
    editing = null;
    await load();
    select(null);
  } catch (error) { $('message').textContent = problem(error); }
});

$('new').addEventListener('click', () => select(null));
window.addEventListener('aula-language', () => { renderList(); });

await setUpPage();
try { await load(); } catch (error) { $('message').textContent = problem(error); }
document.body.dataset.ready = 'true';

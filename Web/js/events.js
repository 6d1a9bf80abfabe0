// Motion events: filter by camera, zone, district and time; each with its privacy-masked
// thumbnail and a link to the clip (GET /api/events; docs/api.md). Times are typed and shown in
// the browser's time zone, which is named. The shared header (nav.js) carries the language switch.
import { api } from './api.js';
import { formatNumber, formatTime, t, timeZone } from './i18n.js';
import { setUpPage } from './nav.js';

const form = document.getElementById('filters');
const rows = document.getElementById('rows');
const status = document.getElementById('status');
let shown = null; // the last answer, drawn again on a language change
let statusText = () => '';

function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function search(event) {
  event?.preventDefault();
  const query = new URLSearchParams();
  for (const name of ['camera', 'zone', 'district']) if (form[name].value) query.set(name, form[name].value);
  for (const name of ['start', 'end']) if (form[name].value) query.set(name, new Date(form[name].value).toISOString());
  history.replaceState(null, '', `?${query}`);
  statusText = () => t('motion.loading');
  status.textContent = statusText();
  try {
    const { events } = await api(`/api/events?${query}`);
    window.aulaEvents = events;
    shown = events;
    statusText = () => (events.length ? t('motion.count', { n: events.length }) : t('motion.none'));
    renderRows();
  } catch (error) {
    const text = error.problem?.errors?.map((f) => `${f.field}: ${f.message}`).join('; ') || error.message;
    statusText = () => text;
  }
  status.textContent = statusText();
}

function renderRows() {
  if (!shown) return;
  rows.replaceChildren(...shown.map((e) => {
    const row = document.createElement('tr');
    const cell = (content) => { const td = document.createElement('td'); td.append(content); row.append(td); return td; };
    const img = document.createElement('img');
    img.src = e.thumbnail;
    img.alt = t('alerts.thumbnail');
    img.loading = 'lazy';
    cell(img);
    cell(e.cameraName ?? `#${e.cameraId}`);
    cell(e.zone);
    cell(formatTime(e.start));
    cell(e.end ? t('unit.seconds', { n: formatNumber((new Date(e.end) - new Date(e.start)) / 1000, 1) }) : t('motion.ongoing'));
    cell(`${formatNumber(e.peakScore * 100, 0)} %`);
    const link = document.createElement('a');
    link.href = e.clip;
    link.textContent = t('motion.clip');
    cell(link);
    return row;
  }));
}

async function main() {
  await setUpPage();
  const showZone = () => { document.getElementById('zone').textContent = t('time.zone', { zone: timeZone() }); };
  showZone();
  window.addEventListener('aula-language', () => { showZone(); renderRows(); status.textContent = statusText(); });
  const params = new URLSearchParams(location.search);
  try {
    const cameras = await api('/api/cameras');
    for (const camera of cameras) form.camera.append(new Option(camera.name, camera.id));
    const districts = [...new Set(cameras.map((c) => c.district).filter(Boolean))].sort();
    for (const d of districts) form.district.append(new Option(d, d));
  } catch (error) {
    status.textContent = error.message;
  }
  for (const name of ['camera', 'zone', 'district']) if (params.get(name)) form[name].value = params.get(name);
  for (const name of ['start', 'end']) if (params.get(name)) form[name].value = localInput(new Date(params.get(name)));
  if (!form.start.value) form.start.value = localInput(new Date(Date.now() - 24 * 3600 * 1000));
  form.onsubmit = search;
  search();
}

main();

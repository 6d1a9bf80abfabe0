// Motion events: filter by camera, zone, district and time; each with its privacy-masked
// thumbnail and a link to the clip (GET /api/events; docs/api.md). Times are typed and shown in
// the browser's time zone, which is named. The shared header (nav.js) carries the language switch.
import { api } from './api.js';
import { clear, el } from './dom.js';
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
  clear(rows, shown.map((e) => el('tr', {}, [
    el('img', { src: e.thumbnail, alt: t('alerts.thumbnail'), loading: 'lazy' }),
    e.cameraName ?? `#${e.cameraId}`,
    e.zone,
    formatTime(e.start),
    e.end ? t('unit.seconds', { n: formatNumber((new Date(e.end) - new Date(e.start)) / 1000, 1) }) : t('motion.ongoing'),
    `${formatNumber(e.peakScore * 100, 0)} %`,
    el('a', { href: e.clip }, t('motion.clip')),
  ].map((content) => el('td', {}, content)))));
}

async function main() {
  await setUpPage();
  const showZone = () => { document.getElementById('zone').textContent = t('time.zone', { zone: timeZone() }); };
  showZone();
  window.addEventListener('aula-language', () => { showZone(); renderRows(); status.textContent = statusText(); });
  const params = new URLSearchParams(location.search);
  try {
    const cameras = await api('/api/cameras');
    form.camera.append(...cameras.map((camera) => el('option', { value: camera.id }, camera.name)));
    const districts = [...new Set(cameras.map((c) => c.district).filter(Boolean))].sort();
    form.district.append(...districts.map((d) => el('option', { value: d }, d)));
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

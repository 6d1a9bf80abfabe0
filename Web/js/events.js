// Motion events: filter by camera, zone, district and time; each with its privacy-masked
// thumbnail and a link to the clip (GET /api/events; docs/api.md).
import { api } from './api.js';
import { loadStrings, t } from './i18n.js';

const form = document.getElementById('filters');
const rows = document.getElementById('rows');
const status = document.getElementById('status');

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
  status.textContent = t('motion.loading');
  try {
    const { events } = await api(`/api/events?${query}`);
    window.aulaEvents = events;
    rows.replaceChildren(...events.map((e) => {
      const row = document.createElement('tr');
      const cell = (content) => { const td = document.createElement('td'); td.append(content); row.append(td); return td; };
      const img = document.createElement('img');
      img.src = e.thumbnail;
      img.alt = t('alerts.thumbnail');
      img.loading = 'lazy';
      cell(img);
      cell(e.cameraName ?? `#${e.cameraId}`);
      cell(e.zone);
      cell(new Date(e.start).toLocaleString());
      cell(e.end ? `${Math.round((new Date(e.end) - new Date(e.start)) / 100) / 10} s` : t('motion.ongoing'));
      cell(`${Math.round(e.peakScore * 100)} %`);
      const link = document.createElement('a');
      link.href = e.clip;
      link.textContent = t('motion.clip');
      cell(link);
      return row;
    }));
    status.textContent = events.length ? t('motion.count', { n: events.length }) : t('motion.none');
  } catch (error) {
    status.textContent = error.problem?.errors?.map((f) => `${f.field}: ${f.message}`).join('; ') || error.message;
  }
}

async function main() {
  await loadStrings(new URLSearchParams(location.search).get('lang') ?? navigator.language?.slice(0, 2));
  document.title = t('motion.eventsTitle');
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

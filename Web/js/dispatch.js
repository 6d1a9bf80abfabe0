// The operators' dispatch board (dispatch.html): the city with the guards on duty and the open
// incidents, a click on the map to place a new incident, each incident with its timers, its
// camera's picture and one-click dispatch to a guard of the operator's choice; panics and
// unanswered incidents arrive over the alert stream at once; response figures below.
import { api } from './api.js';
import { $, clear, el } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';
import { setUpPage } from './nav.js';
import { MapView } from './view.js';

const state = {
  view: null,
  geometry: null,
  incidents: [],
  duty: [],
  panics: [],           // { message, receivedAt }
  alertsConnected: false,
  photos: new Map(),    // incident id → its photos, once asked for (each view is audited)
  routes: new Map(),    // incident id → { key, points: [[lat, lon], …] }: the guard's way there over the streets
};
// For tests and the health of the page.
window.aulaDispatch = state;

function seconds(fromIso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(fromIso)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function draw() {
  const view = state.view;
  if (!view) return;
  const ctx = view.ctx;
  ctx.fillStyle = '#f4f1ea';
  ctx.fillRect(0, 0, view.width, view.height);
  const features = state.geometry?.features || [];
  for (const f of features.filter((f) => f.properties.kind === 'building')) view.polygon(f.geometry.coordinates, '#c9c3b8', '#a59e92', 0.5);
  for (const f of features.filter((f) => f.properties.kind === 'street')) view.line(f.geometry.coordinates, f.properties.isMain ? '#999' : '#bbb', f.properties.isMain ? 3 : 1.5);
  // Each offered or held incident's route from its guard, as the guard's phone shows it: under the dots.
  for (const i of state.incidents) {
    const route = state.routes.get(i.id);
    if (route?.points.length >= 2) view.line(route.points.map(([lat, lon]) => [lon, lat]), ROUTE_COLOUR, 4);
  }
  for (const d of state.duty.filter((d) => d.onDuty && d.latitude !== undefined)) {
    const busy = state.incidents.some((i) => i.guardName === d.guardName);
    view.dot([d.longitude, d.latitude], 6, busy ? '#1565c0' : '#2e7d32', '#fff');
    const [x, y] = view.geoToScreen([d.longitude, d.latitude]);
    ctx.fillStyle = '#111';
    ctx.font = '12px sans-serif';
    ctx.fillText(d.guardName, x + 8, y + 4);
  }
  for (const i of state.incidents) {
    view.dot([i.longitude, i.latitude], 8, i.state === 'new' ? '#e53935' : '#ffb300', '#111');
  }
}

const ROUTE_COLOUR = '#0288d1';
const HOLDS_GUARD = new Set(['offered', 'accepted', 'enRoute', 'onScene']);

/// The routes of incidents offered to or held by a guard, from the incident's own answer (the
/// server routes from the guard's last position over the imported city's streets). Asked again
/// only when the guard or their position changed.
async function refreshRoutes() {
  const positions = new Map(state.duty.map((d) => [d.guardName, d.positionTime]));
  const wanted = state.incidents.filter((i) => i.guardName && HOLDS_GUARD.has(i.state));
  for (const id of [...state.routes.keys()]) if (!wanted.some((i) => i.id === id)) state.routes.delete(id);
  await Promise.all(wanted.map(async (i) => {
    const key = `${i.guardName}@${positions.get(i.guardName) ?? ''}`;
    if (state.routes.get(i.id)?.key === key) return;
    try {
      const detail = await api(`/api/incidents/${i.id}`);
      state.routes.set(i.id, { key, points: detail.route || [] });
    } catch (error) {
      if (error.status !== 404) $('status').textContent = `${t('error')}: ${error.message}`;
    }
  }));
}

function guardOptions(incident) {
  const free = state.duty.filter((d) => d.onDuty && !state.incidents.some((i) => i.id !== incident.id && i.guardName === d.guardName));
  return el('select', { 'aria-label': t('dispatch.guard') }, free.map((d) => el('option', { value: d.guardName }, d.guardName)));
}

/// The photos sent with an incident's report: listed here, each opened (and audited) on a click.
async function showPhotos(id) {
  try {
    state.photos.set(id, (await api(`/api/incidents/${id}/photos`)).photos);
  } catch (error) {
    $('status').textContent = `${t('error')}: ${error.message}`;
  }
  renderIncidents();
}

function renderIncidents() {
  // The guard an operator picked survives the redraw (timers redraw every second).
  const picked = new Map([...document.querySelectorAll('#incidents .incident')].map((node) => [node.dataset.id, node.querySelector('select')?.value]));
  clear($('incidents'), state.incidents.map((i) => {
    const select = guardOptions(i);
    if (picked.get(String(i.id))) select.value = picked.get(String(i.id));
    return el('div', { className: `incident state-${i.state}${i.escalated ? ' escalated' : ''}`, dataset: { id: i.id } },
      el('span', { className: 'timer' }, seconds(i.created)),
      el('b', {}, `#${i.id} ${t(`guard.state.${i.state}`)}`), ' · ', i.summary,
      el('div', {}, i.guardName ? `${i.guardName}${i.distanceMetres != null ? ` · ${formatNumber(i.distanceMetres, 0)} m${i.routed ? ` ${t('guard.byRoute')}` : ''}` : ''}` : t('dispatch.nobody'),
        i.offerExpires && i.state === 'offered' ? ` · ${t('guard.answerWithin', { seconds: Math.max(0, Math.round((Date.parse(i.offerExpires) - Date.now()) / 1000)) })}` : ''),
      i.cameraId ? el('img', { src: `/api/cameras/${i.cameraId}/snapshot.jpg?t=${Math.floor(Date.now() / 5000)}`, alt: t('guard.cameraPicture'), onerror: (e) => { e.target.hidden = true; } }) : null,
      el('div', { className: 'row' },
        select,
        el('button', { className: 'dispatch', onclick: () => act(`/api/incidents/${i.id}/dispatch`, { guardName: select.value }) }, t('dispatch.dispatch')),
        el('button', { className: 'clear', onclick: () => act(`/api/incidents/${i.id}/clear`, {}) }, t('guard.clear')),
        el('button', { className: 'cancel', onclick: () => act(`/api/incidents/${i.id}/cancel`, {}) }, t('dispatch.cancel')),
        el('button', { className: 'photos', onclick: () => showPhotos(i.id) }, t('dispatch.photos'))),
      state.photos.has(i.id)
        ? el('div', { className: 'photos' }, state.photos.get(i.id).length
          ? state.photos.get(i.id).map((p) => el('a', { href: p.url, target: '_blank', rel: 'noopener' }, `${formatTime(new Date(p.time), { date: false })} · ${p.by} · ${p.width}×${p.height}`))
          : t('dispatch.noPhotos'))
        : null);
  }));
  clear($('guards'), state.duty.map((d) => el('tr', {},
    el('td', {}, d.guardName),
    el('td', {}, d.onDuty ? t('guard.onDuty') : t('guard.offDuty')),
    el('td', {}, d.positionTime ? formatTime(new Date(d.positionTime), { date: false }) : '—'))));
}

async function act(path, body) {
  try {
    await api(path, { method: 'POST', body });
    $('status').textContent = '';
  } catch (error) {
    $('status').textContent = `${t('error')}: ${error.message}`;
  }
  await refresh();
}

async function refresh() {
  try {
    const [{ incidents }, { duty }] = await Promise.all([api('/api/incidents?state=open'), api('/api/duty')]);
    state.incidents = incidents;
    state.duty = duty;
    await refreshRoutes();
  } catch (error) {
    $('status').textContent = `${t('error')}: ${error.message}`;
  }
  renderIncidents();
  draw();
}

async function refreshFigures() {
  const by = $('by').value;
  $('figures-csv').href = `/api/response-figures.csv?by=${by}`;
  const figures = await api(`/api/response-figures?by=${by}`);
  const show = (s) => (s.median == null ? '—' : `${formatNumber(s.median, 0)} / ${formatNumber(s.p90, 0)} s`);
  clear($('figures'), figures.groups.map((g) => el('tr', { dataset: { key: g.key } },
    el('td', {}, g.key), el('td', {}, `${g.cleared}/${g.incidents}`), el('td', {}, show(g.toAccept)), el('td', {}, show(g.toArrive)), el('td', {}, show(g.onScene)))));
  state.figures = figures;
}

/// Panics and unanswered incidents over the alert stream: shown (and counted) the moment they come.
function listen() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api/alerts/stream`);
  socket.onopen = () => { state.alertsConnected = true; };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    const alert = data.alert;
    if (!alert || alert.state !== 'open') return;
    if (alert.kind === 'panic' && Date.now() - Date.parse(alert.time) < 10 * 60 * 1000) {
      state.panics.push({ id: alert.id, message: alert.message, receivedAt: Date.now() });
      $('panic').textContent = `${t('alerts.kind.panic')}: ${alert.message}`;
      refresh();
    }
    if (alert.kind === 'incidentUnanswered') refresh();
  };
  socket.onclose = () => { state.alertsConnected = false; setTimeout(listen, 2000); };
}

async function start() {
  await setUpPage();
  $('new').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    await act('/api/incidents', { latitude: Number(form.latitude.value), longitude: Number(form.longitude.value), summary: form.summary.value });
    form.summary.value = '';
  });
  $('by').addEventListener('change', refreshFigures);
  listen();
  try {
    const city = await api('/api/city');
    state.view = new MapView($('map'), city.centre);
    state.view.fit(city.bbox);
    state.geometry = await api('/api/city/geometry');
    $('map').addEventListener('click', (event) => {
      const r = $('map').getBoundingClientRect();
      const [lon, lat] = state.view.screenToGeo(event.clientX - r.left, event.clientY - r.top);
      $('new').latitude.value = lat.toFixed(6);
      $('new').longitude.value = lon.toFixed(6);
    });
    window.addEventListener('resize', () => { state.view.resize(); draw(); });
  } catch (error) {
    if (error.status !== 404) $('status').textContent = `${t('error')}: ${error.message}`;
  }
  await refresh();
  await refreshFigures();
  setInterval(refresh, 3000);
  setInterval(refreshFigures, 15000);
  setInterval(renderIncidents, 1000);
  document.body.dataset.ready = 'true';
}

start();

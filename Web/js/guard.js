// The guard's phone (guard.html): duty on and off, the position sent while on duty, incidents
// offered to this guard (they ring and vibrate), their steps, and the panic button. alerts.js
// on the same page keeps the alert list and the shared header.
//
// Every step a guard takes (accept, decline, set off, arrived, cleared, panic) goes through a
// queue kept in localStorage with an idempotency key made when the button was pressed: sent at
// once when the phone is online, kept when it is not, and sent in order when the connection
// comes back. The server takes a key once, so a step whose answer was lost and that is sent
// again changes nothing (docs/guards.md, "The phone"). Photos for the report go through the same
// queue: taken with the phone's camera, made at most 1600 px on a side here, kept as JPEG.
import { api, csrfToken } from './api.js';
import { $, clear, el, svg } from './dom.js';
import { formatNumber, formatTime, loadStrings, t } from './i18n.js';

const QUEUE = 'aula.guard.queue';
const POSITION_EVERY_MS = 5000;
// Offers arrive over the duty stream at once; the poll catches changes made on other nodes.
const POLL_EVERY_MS = 10000;

const state = {
  me: null,
  onDuty: false,
  position: null,        // { latitude, longitude, accuracy }
  lastSent: 0,           // when the position last reached the server (ms)
  incidents: new Map(),  // id → incident (open ones offered to or held by this guard)
  routes: new Map(),     // id → [[lat, lon], …]
  rung: new Set(),       // ids whose offer rang already
  rings: 0,
  streaming: false,      // the duty stream is open
  panicSentAt: 0,
  panicAnsweredAt: 0,
  photos: new Map(),     // incident id → photos the server has of it (sent from this phone)
  picking: 0,            // when the phone's camera was opened for a photo (no redraw meanwhile)
  scans: [],             // checkpoint scans the server took from this page
};
// For tests and the health of the page.
window.aulaGuard = state;

let audio = null;
let watch = null;

function keyOf() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function queue() {
  try { return JSON.parse(localStorage.getItem(QUEUE) || '[]'); } catch { return []; }
}

function saveQueue(items) {
  localStorage.setItem(QUEUE, JSON.stringify(items));
  const box = $('queue');
  box.hidden = items.length === 0;
  box.textContent = items.length ? t('guard.queued', { count: items.length }) : '';
}

function say(text) { $('message').textContent = text || ''; }

/// Puts a step in the queue and tries to send it.
async function send(path, body = {}) {
  const items = queue();
  items.push({ path, body, key: keyOf(), at: Date.now() });
  saveQueue(items);
  await flush();
}

let flushing = false;
/// Sends queued steps in order; stops at the first that cannot reach the server (offline) and
/// keeps it and those after it. A step the server refuses is dropped with its reason shown.
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const [item] = queue();
      if (!item) break;
      let message = '';
      try {
        if (item.photo) {
          const photo = await upload(item.path, item.photo, item.key);
          state.photos.set(photo.incident, (state.photos.get(photo.incident) || 0) + 1);
        } else {
          const answer = await api(item.path, { method: 'POST', body: item.body, headers: { 'Idempotency-Key': item.key } });
          if (answer?.id) keep(answer);
          if (answer?.scan) {
            state.scans.push(answer.scan);
            message = t('guard.scanned', { name: answer.scan.checkpointName });
          }
        }
        say(message);
      } catch (error) {
        if (!error.status) break;  // no answer: offline, try again later
        say(`${t('error')}: ${error.message}`);
      }
      saveQueue(queue().filter((queued) => queued.key !== item.key));
    }
  } finally {
    flushing = false;
    render();
  }
}

/// Sends one queued photo (a data: URL of a JPEG) as the request's body.
async function upload(path, dataURL, key) {
  // (Not fetch(dataURL): the page's Content-Security-Policy lets it connect to this server only.)
  const binary = atob(dataURL.slice(dataURL.indexOf(',') + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const response = await fetch(path, {
    method: 'POST', body: bytes,
    headers: { 'content-type': 'image/jpeg', 'Idempotency-Key': key, 'X-CSRF-Token': csrfToken() },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.detail || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

/// A photo from the phone's camera, at most 1600 px on a side, as a JPEG data: URL.
async function shrink(file) {
  const image = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(image.width, image.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(image.width * scale);
  canvas.height = Math.round(image.height * scale);
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/// Queues the chosen photos of an incident; without room to keep them offline, sends them now.
async function addPhotos(incident, files) {
  for (const file of files) {
    let photo;
    try { photo = await shrink(file); } catch (error) { say(`${t('error')}: ${error.message}`); continue; }
    const item = { path: `/api/incidents/${incident.id}/photos`, photo, key: keyOf(), at: Date.now() };
    try {
      saveQueue([...queue(), item]);
    } catch {
      try { await upload(item.path, item.photo, item.key); state.photos.set(incident.id, (state.photos.get(incident.id) || 0) + 1); } catch (error) { say(`${t('guard.photoNotKept')}: ${error.message}`); }
    }
  }
  await flush();
}

function photoButton(incident) {
  const input = el('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, hidden: true, id: `photo-${incident.id}` });
  // The page redraws every second; not while the phone's camera is open for this input.
  input.addEventListener('click', () => { state.picking = Date.now(); });
  input.addEventListener('cancel', () => { state.picking = 0; });
  input.addEventListener('change', () => { state.picking = 0; addPhotos(incident, [...input.files]); });
  const count = state.photos.get(incident.id) || 0;
  return el('label', { className: 'photo button' }, input, count ? t('guard.photos', { count }) : t('guard.addPhoto'));
}

function keep(incident) {
  const mine = incident.guardName === state.me?.name && ['offered', 'accepted', 'enRoute', 'onScene'].includes(incident.state);
  if (mine) state.incidents.set(incident.id, incident); else state.incidents.delete(incident.id);
}

function ring(times = 3) {
  state.rings += 1;
  navigator.vibrate?.([400, 150, 400, 150, 400]);
  if (!audio) return;
  for (let i = 0; i < times; i++) {
    const start = audio.currentTime + i * 0.35;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 988;
    gain.gain.setValueAtTime(0.3, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.3);
  }
}

// While on duty the phone holds a WebSocket (/api/duty/stream): positions go up it, and offers
// come down it the moment they are made, so the phone rings at once rather than at its next poll.
// Without it (not yet open, or dropped) reports go by PUT /api/duty as before.
let stream = null;

function openStream() {
  if (stream || !state.onDuty) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api/duty/stream`);
  stream = socket;
  socket.onopen = () => { state.streaming = true; sendDuty(); };
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === 'incident') {
      const incident = data.incident;
      const wasOffered = state.incidents.get(incident.id)?.state === 'offered';
      keep(incident);
      if (incident.state === 'offered' && incident.guardName === state.me?.name && !state.rung.has(`${incident.id}@${incident.offerExpires}`)) {
        state.rung.add(`${incident.id}@${incident.offerExpires}`);
        ring();
      }
      if (!wasOffered || incident.state !== 'offered') render();
    } else if (data.type === 'error') {
      say(`${t('error')}: ${data.detail}`);
    }
  };
  socket.onclose = () => {
    state.streaming = false;
    if (stream === socket) stream = null;
    if (state.onDuty) setTimeout(openStream, 2000);
  };
}

function closeStream() {
  const socket = stream;
  stream = null;
  state.streaming = false;
  socket?.close();
}

async function sendDuty() {
  const body = { onDuty: state.onDuty };
  if (state.position) Object.assign(body, state.position);
  if (stream && stream.readyState === WebSocket.OPEN && state.onDuty) {
    stream.send(JSON.stringify(body));
    state.lastSent = Date.now();
    renderDuty();
    return;
  }
  try {
    await api('/api/duty', { method: 'PUT', body });
    state.lastSent = Date.now();
  } catch (error) {
    if (error.status) say(`${t('error')}: ${error.message}`);
  }
  renderDuty();
}

function startWatching() {
  if (!navigator.geolocation || watch !== null) return;
  watch = navigator.geolocation.watchPosition((p) => {
    const first = !state.position;
    state.position = { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: Math.min(100000, p.coords.accuracy || 0) };
    if (first) sendDuty();
  }, (error) => say(t('guard.noPosition', { reason: error.message })), { enableHighAccuracy: true, maximumAge: 5000 });
}

function stopWatching() {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  watch = null;
}

async function toggleDuty() {
  if (!audio && window.AudioContext) audio = new AudioContext();
  state.onDuty = !state.onDuty;
  if (state.onDuty) startWatching(); else stopWatching();
  await sendDuty();
  if (state.onDuty) openStream(); else closeStream();
  await poll();
}

async function poll() {
  if (!state.me) return;
  try {
    const { incidents } = await api('/api/incidents?state=open');
    const seen = new Set();
    for (const incident of incidents) {
      if (incident.guardName !== state.me.name) continue;
      keep(incident);
      seen.add(incident.id);
      if (incident.state === 'offered' && !state.rung.has(`${incident.id}@${incident.offerExpires}`)) {
        state.rung.add(`${incident.id}@${incident.offerExpires}`);
        ring();
      }
      if (!state.routes.has(incident.id)) {
        const detail = await api(`/api/incidents/${incident.id}`);
        if (detail.route) state.routes.set(incident.id, detail.route);
      }
    }
    for (const id of [...state.incidents.keys()]) if (!seen.has(id)) state.incidents.delete(id);
  } catch (error) {
    if (error.status) say(`${t('error')}: ${error.message}`);
  }
  render();
}

function routeDrawing(points, place) {
  if (!points || points.length < 2) return null;
  const lats = points.map((p) => p[0]), lons = points.map((p) => p[1]);
  const minLat = Math.min(...lats), maxLat = Math.max(...lats), minLon = Math.min(...lons), maxLon = Math.max(...lons);
  const cos = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
  const w = Math.max((maxLon - minLon) * cos, 1e-6), h = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min(300 / w, 140 / h);
  const x = (lon) => 10 + (lon - minLon) * cos * scale, y = (lat) => 150 - (lat - minLat) * scale;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p[1]).toFixed(1)},${y(p[0]).toFixed(1)}`).join(' ');
  return svg('svg', { viewBox: '0 0 320 160', role: 'img', 'aria-label': t('guard.route') },
    svg('path', { d: path, fill: 'none', stroke: '#4fc3f7', 'stroke-width': 4, 'stroke-linejoin': 'round' }),
    svg('circle', { cx: x(points[0][1]), cy: y(points[0][0]), r: 6, fill: '#66bb6a' }),
    svg('circle', { cx: x(place.longitude), cy: y(place.latitude), r: 7, fill: '#ff1744' }));
}

function actionsFor(incident) {
  const button = (action, className = action) => el('button', {
    className,
    onclick: () => {
      const note = action === 'clear' ? document.getElementById(`report-${incident.id}`)?.value || '' : undefined;
      send(`/api/incidents/${incident.id}/${action}`, note !== undefined ? { note } : {});
    },
  }, t(`guard.${action}`));
  switch (incident.state) {
    case 'offered': return [button('accept'), button('decline')];
    case 'accepted': return [button('depart'), button('arrive')];
    case 'enRoute': return [button('arrive')];
    case 'onScene': return [button('clear')];
    default: return [];
  }
}

function render() {
  if (state.picking && Date.now() - state.picking < 120000) return;
  const list = $('incidents');
  // What the guard is typing survives the redraw (the countdown redraws every second).
  const typed = new Map([...list.querySelectorAll('textarea')].map((box) => [box.id, box.value]));
  const focused = document.activeElement?.id;
  const shown = [...state.incidents.values()].sort((a, b) => b.id - a.id);
  clear(list, shown.map((incident) => {
    const left = incident.offerExpires ? Math.max(0, Math.round((Date.parse(incident.offerExpires) - Date.now()) / 1000)) : null;
    return el('article', { className: `incident state-${incident.state}`, dataset: { id: incident.id } },
      el('h2', {}, `${t(`guard.state.${incident.state}`)} · ${incident.summary}`),
      el('div', { className: 'meta' },
        incident.distanceMetres != null ? `${formatNumber(incident.distanceMetres, 0)} m${incident.routed ? ` ${t('guard.byRoute')}` : ''} · ` : '',
        formatTime(new Date(incident.created), { date: false }),
        incident.state === 'offered' && left !== null ? ` · ${t('guard.answerWithin', { seconds: left })}` : ''),
      incident.cameraId ? el('img', { src: `/api/cameras/${incident.cameraId}/snapshot.jpg?t=${Math.floor(Date.now() / 2000)}`, alt: t('guard.cameraPicture'),
        onerror: (event) => { event.target.hidden = true; } }) : null,
      routeDrawing(state.routes.get(incident.id), incident),
      incident.state === 'onScene' ? el('textarea', { id: `report-${incident.id}`, placeholder: t('guard.report'), maxLength: 4000 }) : null,
      el('div', { className: 'actions' }, actionsFor(incident), ['accepted', 'enRoute', 'onScene'].includes(incident.state) ? photoButton(incident) : null));
  }));
  for (const [id, value] of typed) { const box = document.getElementById(id); if (box) box.value = value; }
  if (focused) document.getElementById(focused)?.focus();
}

function renderDuty() {
  const button = $('duty');
  button.classList.toggle('on', state.onDuty);
  button.textContent = t(state.onDuty ? 'guard.endDuty' : 'guard.startDuty');
  const where = state.position ? `${state.position.latitude.toFixed(5)}, ${state.position.longitude.toFixed(5)}` : t('guard.noPositionYet');
  $('duty-status').textContent = state.onDuty
    ? `${t('guard.onDuty')} · ${where}${state.lastSent ? ` · ${formatTime(new Date(state.lastSent), { date: false })}` : ''}`
    : t('guard.offDuty');
}

async function panic() {
  if (!audio && window.AudioContext) audio = new AudioContext();
  state.panicSentAt = Date.now();
  startWatching();
  const body = state.position ? { latitude: state.position.latitude, longitude: state.position.longitude } : {};
  await send('/api/panic', body);
  state.panicAnsweredAt = Date.now();
  say(t('guard.panicSent'));
}

/// A printed checkpoint code opened this page (`?checkpoint=CODE`): the scan goes through the
/// queue with where the phone is (waiting a few seconds for a first position), and the address
/// loses the code so that a reload does not scan again.
async function scanCheckpoint(code) {
  history.replaceState(null, '', location.pathname);
  say(t('guard.scanning'));
  startWatching();
  for (let waited = 0; !state.position && waited < 8000; waited += 250) await new Promise((r) => setTimeout(r, 250));
  if (!state.onDuty) stopWatching();
  await send('/api/checkpoints/scan', { code, ...(state.position || {}) });
}

async function start() {
  await loadStrings();
  state.me = await api('/api/session');
  const [mine] = (await api('/api/duty')).duty.filter((d) => d.guardName === state.me.name);
  state.onDuty = !!mine?.onDuty;
  if (state.onDuty) { startWatching(); openStream(); }
  $('duty').addEventListener('click', toggleDuty);
  $('panic').addEventListener('click', panic);
  window.addEventListener('online', flush);
  window.addEventListener('aula-language', () => { renderDuty(); render(); saveQueue(queue()); });
  setInterval(() => { if (state.onDuty) sendDuty(); }, POSITION_EVERY_MS);
  setInterval(poll, POLL_EVERY_MS);
  setInterval(flush, POSITION_EVERY_MS);
  setInterval(render, 1000);
  saveQueue(queue());
  renderDuty();
  await flush();
  await poll();
  const checkpoint = new URLSearchParams(location.search).get('checkpoint');
  if (checkpoint) await scanCheckpoint(checkpoint);
  document.body.dataset.guardReady = 'true';
}

start();

// Playback: per camera a timeline of recorded runs, gaps and motion events over a window (10 min
// to 24 h); click it (or jump to a date and time) to choose a range, which plays from
// /api/cameras/{id}/recording.mp4 in a <video> (progressive MP4 with Range, docs/mp4.md) at 1×, 2×
// or 4×, and downloads from the same address (the server names the file). docs/ui.md.
import { api } from './api.js';
import { $, clear, el } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';
import { setUpPage } from './nav.js';

const params = new URLSearchParams(location.search);
const state = { cameras: [], camera: null, windowStart: null, windowEnd: null, runs: [], gaps: [], events: [], selection: null, rate: 1 };
// For tests and the benchmark: what the page shows and how long playback took to start.
window.aulaPlayback = state;

function iso(date) { return date.toISOString(); }

function message(text) { $('message').textContent = text || ''; }

function x(time) {
  const span = state.windowEnd - state.windowStart;
  return Math.max(0, Math.min(100, ((time - state.windowStart) / span) * 100));
}

async function loadTimeline() {
  const id = state.camera;
  if (!id) return;
  message('');
  const q = `start=${encodeURIComponent(iso(state.windowStart))}&end=${encodeURIComponent(iso(state.windowEnd))}`;
  try {
    const listing = await api(`/api/cameras/${id}/recordings?${q}`);
    state.runs = listing.runs.map((r) => ({ start: new Date(r.start), end: new Date(r.end), frames: r.frames, bytes: r.bytes }));
    state.gaps = listing.gaps.map((g) => ({ start: new Date(g.start), end: new Date(g.end), seconds: g.seconds }));
  } catch (error) {
    state.runs = []; state.gaps = [];
    message(error.message);
  }
  // Motion events, where the server has them (a 404 means this server has no events API yet).
  state.events = [];
  try {
    const response = await fetch(`/api/events?camera=${id}&${q}`);
    if (response.ok) {
      const body = await response.json();
      state.events = (body.events || []).map((e) => ({ ...e, start: new Date(e.start), end: new Date(e.end || e.start) }));
    }
  } catch { /* no events shown */ }
  state.loaded = Date.now();
  draw();
}

function draw() {
  const width = (from, to, least) => `${Math.max(least, x(to) - x(from))}%`;
  clear($('timeline'),
    state.runs.map((run) => el('div', {
      className: 'run', style: { left: `${x(run.start)}%`, width: width(run.start, run.end, 0.15) },
      title: `${formatTime(run.start)} – ${formatTime(run.end)}`,
    })),
    state.events.map((event) => el('div', {
      className: 'event', style: { left: `${x(event.start)}%`, width: width(event.start, event.end, 0.2) },
      title: `${t('playback.motion')} ${event.zone || ''} ${formatTime(event.start)}`, dataset: { start: event.start.toISOString() },
    })),
    state.selection && [
      el('div', { className: 'selection', style: { left: `${x(state.selection.start)}%`, width: width(state.selection.start, state.selection.end, 0.2) } }),
      el('div', { className: 'cursor', id: 'cursor', hidden: true }),
    ]);
  const span = state.windowEnd - state.windowStart;
  const ticks = [];
  for (let i = 0; i <= 6; i++) {
    const at = new Date(state.windowStart.getTime() + (span * i) / 6);
    const style = { left: `${(i / 6) * 100}%` };
    if (i === 0) style.transform = 'none';
    if (i === 6) style.transform = 'translateX(-100%)';
    ticks.push(el('span', { style }, formatTime(at, { seconds: span < 3_600_000, date: i === 0 || i === 6 })));
  }
  clear($('axis'), ticks);
  const recorded = state.runs.reduce((s, r) => s + (Math.min(r.end, state.windowEnd) - Math.max(r.start, state.windowStart)), 0);
  $('summary').textContent = t('playback.summary', {
    runs: state.runs.length, gaps: state.gaps.length, events: state.events.length,
    pct: formatNumber((100 * recorded) / span, 1),
  });
  $('zone').textContent = t('time.zone', { zone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  $('range').textContent = state.selection ? `${formatTime(state.selection.start)} – ${formatTime(state.selection.end)}` : t('playback.choose');
}

/// Chooses the range that starts at `time` (the length chosen), or, in a gap, at the next recording.
function select(time) {
  let start = time;
  const inside = state.runs.find((r) => r.start <= start && start < r.end);
  if (!inside) {
    const next = state.runs.find((r) => r.start > start);
    if (next) start = next.start;
  }
  const length = Number($('length').value) * 1000;
  state.selection = { start, end: new Date(start.getTime() + length) };
  draw();
  return state.selection;
}

function mp4URL() {
  const { start, end } = state.selection;
  return `/api/cameras/${state.camera}/recording.mp4?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}`;
}

/// Plays the chosen range; records the time from the choice to the first decoded frame.
function play() {
  if (!state.selection) { message(t('playback.choose')); return; }
  const video = $('video');
  const url = mp4URL();
  state.chosenAt = performance.now();
  state.firstFrameMs = null;
  state.error = null;
  video.defaultPlaybackRate = state.rate;
  video.src = url;
  video.playbackRate = state.rate;
  const first = () => { if (state.firstFrameMs === null) state.firstFrameMs = performance.now() - state.chosenAt; };
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(first);
  else video.addEventListener('loadeddata', first, { once: true });
  video.play().catch(() => {});
  const download = $('download');
  download.href = url;
  download.hidden = false;
  history.replaceState(null, '', `?camera=${state.camera}&start=${encodeURIComponent(iso(state.selection.start))}&end=${encodeURIComponent(iso(state.selection.end))}`);
}

function setWindow(centre, seconds) {
  const half = (seconds * 1000) / 2;
  state.windowStart = new Date(centre.getTime() - half);
  state.windowEnd = new Date(Math.min(Date.now(), centre.getTime() + half));
  if (state.windowEnd - state.windowStart < 60_000) state.windowStart = new Date(state.windowEnd.getTime() - seconds * 1000);
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

async function main() {
  const me = await setUpPage();
  if (!me) return;
  try {
    state.cameras = await api('/api/cameras');
  } catch (error) { message(error.message); return; }
  const cameraSelect = $('camera');
  cameraSelect.append(...state.cameras.map((c) => el('option', { value: c.id }, `${c.id} · ${c.name}`)));
  if (!state.cameras.length) { message(t('live.none')); return; }
  state.camera = Number(params.get('camera')) || state.cameras[0].id;
  cameraSelect.value = String(state.camera);
  const seconds = Number($('window').value);
  const start = params.get('start') ? new Date(params.get('start')) : null;
  const end = params.get('end') ? new Date(params.get('end')) : null;
  if (start && !Number.isNaN(start.getTime())) {
    setWindow(start, seconds);
    $('jump').value = localInput(start);
  } else {
    state.windowEnd = new Date();
    state.windowStart = new Date(state.windowEnd.getTime() - seconds * 1000);
  }
  await loadTimeline();
  if (start && end && end > start) {
    state.selection = { start, end };
    draw();
  }

  cameraSelect.addEventListener('change', async () => { state.camera = Number(cameraSelect.value); state.selection = null; await loadTimeline(); });
  $('window').addEventListener('change', () => $('show').click());
  $('show').addEventListener('click', async () => {
    const jump = $('jump').value ? new Date($('jump').value) : null;
    if (jump && !Number.isNaN(jump.getTime())) {
      setWindow(jump, Number($('window').value));
      await loadTimeline();
      select(jump);
    } else {
      state.windowEnd = new Date();
      state.windowStart = new Date(state.windowEnd.getTime() - Number($('window').value) * 1000);
      await loadTimeline();
    }
  });
  $('now').addEventListener('click', async () => { $('jump').value = ''; $('show').click(); });
  $('timeline').addEventListener('click', (event) => {
    const box = event.currentTarget.getBoundingClientRect();
    const at = new Date(state.windowStart.getTime() + ((event.clientX - box.left) / box.width) * (state.windowEnd - state.windowStart));
    select(at);
    play();
  });
  $('play').addEventListener('click', play);
  for (const button of document.querySelectorAll('button.speed')) {
    button.addEventListener('click', () => {
      state.rate = Number(button.dataset.rate);
      $('video').playbackRate = state.rate;
      $('video').defaultPlaybackRate = state.rate;
      document.querySelectorAll('button.speed').forEach((b) => b.classList.toggle('active', b === button));
    });
  }
  $('video').addEventListener('error', () => { state.error = t('playback.noVideo'); message(state.error); });
  $('video').addEventListener('timeupdate', () => {
    const cursor = $('cursor');
    if (!cursor || !state.selection) return;
    cursor.hidden = false;
    cursor.style.left = `${x(new Date(state.selection.start.getTime() + $('video').currentTime * 1000))}%`;
  });
  $('snapshot').addEventListener('click', () => showSnapshot(state.camera));
  window.addEventListener('aula-language', draw);
  document.body.dataset.ready = 'true';
}

/// The camera's current picture (its latest key frame) as a JPEG.
export function showSnapshot(camera) {
  const img = $('snapshot-image');
  img.hidden = false;
  img.onerror = () => message(t('snapshot.none'));
  img.src = `/api/cameras/${camera}/snapshot.jpg?at=${Date.now()}`;
}

main();

// Playback: per camera a timeline of recorded runs, gaps and motion events over a window (10 min
// to 24 h), and a player that runs on from any moment across sample files, runs and gaps until it
// is stopped (playback-player.js). Click the timeline to play from there; drag it to scrub, with
// the recorded key frame under the pointer as a preview (frame.jpg?at=); Shift-drag (or "Select a
// range" and drag) chooses a range to download as MP4 or as a signed evidence package. 1× to 16×,
// frame by frame, previous and next motion event. docs/ui.md, "Playback".
import { api, csrfToken } from './api.js';
import { $, clear, el } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';
import { setUpPage } from './nav.js';
import { CONVERTED_PIECE_MS, ChainedPlayer, PIECE_MS } from './playback-player.js';

const params = new URLSearchParams(location.search);
// For tests and the benchmark: what the page shows and how long pictures took.
const state = {
  cameras: [], camera: null, stream: 'main', windowStart: null, windowEnd: null, runs: [], gaps: [], events: [], selection: null, rate: 1,
  firstFrameMs: null, previewMs: null, seekAt: null, seeks: [], gapsSkipped: [], waiting: false, steps: 0, eventJumps: 0,
  previews: 0, error: null,
};
window.aulaPlayback = state;
let player;

function iso(date) { return new Date(date).toISOString(); }

/// The recorded stream shown: the main stream, or the sub stream when the camera records it too.
function streamQuery() { return state.stream === 'sub' ? '&stream=sub' : ''; }

/// The stream choice appears for a camera with a sub stream (its recordings may outlive the
/// setting that made them, so it does not wait for `record`).
function showStreams() {
  const camera = state.cameras.find((c) => c.id === state.camera);
  $('stream-choice').hidden = !camera?.subStream;
  if (!camera?.subStream && state.stream !== 'main') { state.stream = 'main'; $('stream').value = 'main'; player.stream = 'main'; }
  // H.265 footage in a browser without HEVC comes converted, a piece at a time: short pieces.
  const codec = state.stream === 'sub' ? camera?.subStream?.status?.codec : camera?.status?.codec;
  player.pieceMs = player.convert && codec === 'H.265' ? CONVERTED_PIECE_MS : PIECE_MS;
  state.pieceMs = player.pieceMs;
}

function message(text) { $('message').textContent = text || ''; }

function x(time) {
  const span = state.windowEnd - state.windowStart;
  return Math.max(0, Math.min(100, ((time - state.windowStart) / span) * 100));
}

/// The moment under a pointer's x on the timeline.
function timeAt(clientX) {
  const box = $('timeline').getBoundingClientRect();
  const f = Math.max(0, Math.min(1, (clientX - box.left) / box.width));
  return new Date(state.windowStart.getTime() + f * (state.windowEnd - state.windowStart));
}

async function loadTimeline() {
  const id = state.camera;
  if (!id) return;
  const q = `start=${encodeURIComponent(iso(state.windowStart))}&end=${encodeURIComponent(iso(state.windowEnd))}`;
  try {
    const fetched = Date.now();
    const listing = await api(`/api/cameras/${id}/recordings?${q}${streamQuery()}`);
    state.runs = listing.runs.map((r) => ({ start: new Date(r.start), end: new Date(r.end), frames: r.frames, bytes: r.bytes }));
    state.gaps = listing.gaps.map((g) => ({ start: new Date(g.start), end: new Date(g.end), seconds: g.seconds }));
    if (player && player.camera === id) player.know(state.windowStart.getTime(), state.windowEnd.getTime(), fetched, state.runs);
  } catch (error) {
    state.runs = []; state.gaps = [];
    message(error.message);
  }
  state.events = await fetchEvents(state.windowStart, state.windowEnd);
  state.loaded = Date.now();
  draw();
}

/// Motion events of the camera in a range, oldest first (none when the server or the role has no events).
async function fetchEvents(start, end) {
  try {
    const response = await fetch(`/api/events?camera=${state.camera}&start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}&limit=5000`);
    if (!response.ok) return [];
    const body = await response.json();
    return (body.events || []).map((e) => ({ ...e, start: new Date(e.start), end: new Date(e.end || e.start) })).sort((a, b) => a.start - b.start);
  } catch { return []; }
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
    state.selection && el('div', { className: 'selection', style: { left: `${x(state.selection.start)}%`, width: width(state.selection.start, state.selection.end, 0.2) } }),
    el('div', { className: 'cursor', id: 'cursor', hidden: true }));
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
  showRange();
  moveCursor();
}

/// The download link and the evidence button follow the selected range.
function showRange() {
  const download = $('download');
  if (!state.selection) { download.hidden = true; $('evidence').hidden = true; return; }
  const { start, end } = state.selection;
  download.href = `/api/cameras/${state.camera}/recording.mp4?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}${streamQuery()}`;
  download.hidden = false;
  $('evidence').hidden = false;
}

function moveCursor() {
  const cursor = $('cursor');
  const at = player?.position();
  state.position = at == null ? null : new Date(at);
  state.framesDecoded = player?.framesDecoded() || 0;
  if (!cursor || at == null) return;
  cursor.hidden = at < state.windowStart || at > state.windowEnd;
  cursor.style.left = `${x(at)}%`;
  $('clock').textContent = formatTime(new Date(at));
}

/// The range of the chosen length that starts at `time`, or, in a gap, at the next recording.
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

/// Shows `time` (a preview picture at once, then the video) and plays on from there unless paused.
let seeks = 0;
function seek(time, { play = true } = {}) {
  const id = ++seeks;
  state.seekAt = performance.now();
  state.firstFrameMs = null;
  state.previewMs = null;
  state.error = null;
  message('');
  // The key frame's picture until the video's own first frame is there (whichever comes first).
  $('video-preview').hidden = true;
  showPreview($('video-preview'), time, (ms) => { if (id === seeks && state.previewMs === null) state.previewMs = ms; },
    () => id === seeks && state.firstFrameMs === null);
  player.seek(time.getTime(), { play });
  history.replaceState(null, '', `?camera=${state.camera}&start=${encodeURIComponent(iso(state.selection?.start || time))}&end=${encodeURIComponent(iso(state.selection?.end || time))}`);
}

/// The recorded key frame at or before `time` as a JPEG in `img` (one request at a time: a newer
/// wish replaces an older one that has not started).
const previewQueue = new WeakMap();
function showPreview(img, time, done, visible = () => true) {
  const started = performance.now();
  // Whole seconds: the picture is a key frame anyway, and the browser may keep it.
  const at = new Date(Math.floor(time.getTime() / 1000) * 1000);
  const entry = previewQueue.get(img) || { busy: false, wanted: null };
  previewQueue.set(img, entry);
  entry.wanted = { at, started, done, visible };
  if (entry.busy) return;
  const next = () => {
    const wish = entry.wanted;
    entry.wanted = null;
    if (!wish) { entry.busy = false; return; }
    entry.busy = true;
    img.onload = () => { state.previews += 1; img.hidden = !wish.visible(); wish.done?.(performance.now() - wish.started); next(); };
    img.onerror = () => { img.hidden = true; next(); };
    img.src = `/api/cameras/${state.camera}/frame.jpg?at=${encodeURIComponent(iso(wish.at))}${streamQuery()}`;
  };
  next();
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

function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return t('playback.seconds', { n: s });
  if (s < 3600) return t('playback.minutes', { m: Math.floor(s / 60), s: s % 60 });
  return t('playback.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

function notice(text) {
  const box = $('notice');
  box.textContent = text;
  box.hidden = !text;
  clearTimeout(notice.timer);
  if (text) notice.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

/// Jumps to the start of the previous (−1) or next (+1) motion event, looking up to a day away.
async function jumpToEvent(direction) {
  const now = player.position() ?? state.windowEnd.getTime();
  const day = 86_400_000;
  const events = direction > 0 ? await fetchEvents(new Date(now), new Date(Math.min(Date.now(), now + day)))
    : await fetchEvents(new Date(now - day), new Date(now));
  const found = direction > 0 ? events.find((e) => e.start.getTime() > now + 500)
    : events.filter((e) => e.start.getTime() < now - 1000).pop();
  if (!found) { notice(t(direction > 0 ? 'playback.noNextEvent' : 'playback.noPreviousEvent')); return; }
  state.eventJumps += 1;
  state.lastEvent = { id: found.id, start: found.start };
  follow(found.start.getTime());
  seek(found.start, { play: player.playing });
  notice(t('playback.atEvent', { zone: found.zone || '', time: formatTime(found.start) }));
}

/// Keeps the playhead in the window: when playback runs out of it, the window moves on with it.
function follow(at) {
  if (at == null || (at >= state.windowStart && at <= state.windowEnd)) return;
  const span = state.windowEnd - state.windowStart;
  state.windowStart = new Date(at - span / 10);
  state.windowEnd = new Date(Math.min(Date.now(), state.windowStart.getTime() + span));
  if (state.windowEnd - state.windowStart < span) state.windowStart = new Date(state.windowEnd.getTime() - span);
  loadTimeline();
}

async function evidence() {
  if (!state.selection) return;
  const button = $('evidence');
  button.disabled = true;
  notice(t('playback.evidenceMaking'));
  try {
    const response = await fetch(`/api/cameras/${state.camera}/evidence`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'X-CSRF-Token': csrfToken() },
      body: JSON.stringify({ start: iso(state.selection.start), end: iso(state.selection.end) }),
    });
    if (!response.ok) { const p = await response.json().catch(() => ({})); throw new Error(p.detail || response.statusText); }
    const blob = await response.blob();
    const link = el('a', { href: URL.createObjectURL(blob), download: `aula-evidence-camera${state.camera}-${iso(state.selection.start).replace(/[:.]/g, '-')}.tar` });
    document.body.append(link);
    link.click();
    link.remove();
    notice(t('playback.evidenceDone'));
  } catch (error) { message(error.message); notice(''); } finally { button.disabled = false; }
}

/// Mouse on the timeline: a click plays from there; a drag scrubs with previews and plays from
/// where it is let go; with Shift or in range mode a drag selects a range.
function timelinePointer() {
  const timeline = $('timeline');
  const preview = $('scrub-preview');
  let drag = null;
  timeline.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    timeline.setPointerCapture?.(event.pointerId);
    drag = { x: event.clientX, from: timeAt(event.clientX), moved: false, range: event.shiftKey || $('range-mode').classList.contains('active') };
  });
  timeline.addEventListener('pointermove', (event) => {
    if (!drag) return;
    if (Math.abs(event.clientX - drag.x) > 4) drag.moved = true;
    if (!drag.moved) return;
    const at = timeAt(event.clientX);
    if (drag.range) {
      const [start, end] = at < drag.from ? [at, drag.from] : [drag.from, at];
      state.selection = { start, end };
      draw();
      return;
    }
    state.scrubbing = at;
    const box = timeline.getBoundingClientRect();
    preview.hidden = false;
    preview.style.left = `${Math.max(0, Math.min(box.width - 160, event.clientX - box.left - 80))}px`;
    $('scrub-time').textContent = formatTime(at);
    showPreview($('scrub-image'), at, () => { state.scrubPreviews = (state.scrubPreviews || 0) + 1; });
    const cursor = $('cursor');
    if (cursor) { cursor.hidden = false; cursor.style.left = `${x(at)}%`; }
  });
  const end = (event) => {
    if (!drag) return;
    const { moved, range } = drag;
    const at = timeAt(event.clientX);
    drag = null;
    preview.hidden = true;
    state.scrubbing = null;
    if (range && moved) { draw(); return; }
    if (!moved) select(at);
    seek(moved ? at : state.selection.start, { play: true });
  };
  timeline.addEventListener('pointerup', end);
  timeline.addEventListener('pointercancel', () => { drag = null; preview.hidden = true; });
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

  player = new ChainedPlayer([$('video'), $('video-next')], {
    firstFrame: (ms) => {
      if (state.firstFrameMs === null) { state.firstFrameMs = ms; state.seeks.push(ms); }
      $('video-preview').hidden = true;
    },
    gap: (gap, how) => {
      state.gapsSkipped.push({ from: new Date(gap.from), to: new Date(gap.to), how });
      notice(t('playback.gapSkipped', { from: formatTime(new Date(gap.from)), to: formatTime(new Date(gap.to)), length: duration(gap.to - gap.from) }));
    },
    waiting: (waiting) => {
      state.waiting = waiting;
      notice(waiting ? t('playback.waiting') : '');
    },
    error: (error) => { state.error = error.message; message(t('playback.noVideo') + ' ' + error.message); },
    state: () => {
      $('play').classList.toggle('active', player.playing);
      $('pause').classList.toggle('active', !player.playing);
    },
  });
  state.player = player;
  player.camera = state.camera;
  showStreams();

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
    seek(start, { play: false });
  }

  cameraSelect.addEventListener('change', async () => {
    state.camera = Number(cameraSelect.value);
    player.camera = state.camera;
    player.listing = null;
    state.selection = null;
    showStreams();
    await loadTimeline();
  });
  $('stream').addEventListener('change', async () => {
    state.stream = $('stream').value;
    player.stream = state.stream;
    player.listing = null;
    showStreams();
    await loadTimeline();
    const at = player.position();
    if (at != null) seek(new Date(at), { play: player.playing });
  });
  $('window').addEventListener('change', () => $('show').click());
  $('show').addEventListener('click', async () => {
    const jump = $('jump').value ? new Date($('jump').value) : null;
    if (jump && !Number.isNaN(jump.getTime())) {
      setWindow(jump, Number($('window').value));
      await loadTimeline();
      select(jump);
      seek(jump, { play: true });
    } else {
      state.windowEnd = new Date();
      state.windowStart = new Date(state.windowEnd.getTime() - Number($('window').value) * 1000);
      await loadTimeline();
    }
  });
  $('now').addEventListener('click', async () => { $('jump').value = ''; $('show').click(); });
  timelinePointer();
  $('play').addEventListener('click', () => {
    if (player.current) player.play();
    else if (state.selection) seek(state.selection.start, { play: true });
    else message(t('playback.choose'));
  });
  $('pause').addEventListener('click', () => player.pause());
  $('step-back').addEventListener('click', () => { state.steps += 1; player.step(-1); });
  $('step-forward').addEventListener('click', () => { state.steps += 1; player.step(1); });
  $('previous-event').addEventListener('click', () => jumpToEvent(-1));
  $('next-event').addEventListener('click', () => jumpToEvent(1));
  $('range-mode').addEventListener('click', () => $('range-mode').classList.toggle('active'));
  $('evidence').addEventListener('click', evidence);
  for (const button of document.querySelectorAll('button.speed')) {
    button.addEventListener('click', () => {
      state.rate = Number(button.dataset.rate);
      player.setRate(state.rate);
      document.querySelectorAll('button.speed').forEach((b) => b.classList.toggle('active', b === button));
    });
  }
  // The playhead, the clock and the window follow playback.
  setInterval(() => {
    if (state.scrubbing) return;
    moveCursor();
    if (player.playing) follow(player.position());
  }, 100);
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

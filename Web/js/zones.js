// Draw a camera's alert, ignore and privacy zones over its picture and save them with
// PUT /api/cameras/{id}/motion. Coordinates are normalised (0…1, top-left origin), so one drawing
// fits every stream of the camera. The picture is /api/cameras/{id}/snapshot.jpg when the server
// has it, otherwise the live video (fragmented MP4 over the live WebSocket, as on live.html).
// The shared header (nav.js) carries the language switch.
import { api } from './api.js';
import { clear, el } from './dom.js';
import { t } from './i18n.js';
import { setUpPage } from './nav.js';

const camera = Number(new URLSearchParams(location.search).get('camera'));
const stage = document.getElementById('stage');
const canvas = document.getElementById('overlay');
const context = canvas.getContext('2d');
const status = document.getElementById('status');
const zoneList = document.getElementById('zones');
const colours = { alert: '#ff5252', ignore: '#ffd740', privacy: '#000000' };
let state = { enabled: true, settings: {}, zones: [] };
let drawing = null; // points of the polygon being drawn
let selected = -1;
let statusKey = null; // the message in #status, re-translated on a language change

function setStatus(key, text = '') {
  statusKey = key;
  status.textContent = key ? t(key) : text;
}
window.aulaZones = () => state;

function showPicture() {
  const img = el('img', {
    onload: () => { stage.prepend(img); resize(); },
    onerror: () => showVideo(),
    src: `/api/cameras/${camera}/snapshot.jpg?t=${Date.now()}`,
  });
}

// The live stream into a <video>: the first initialization segment, then fragments.
function showVideo() {
  const video = el('video', { muted: true, autoplay: true, playsInline: true });
  stage.prepend(video);
  video.addEventListener('loadedmetadata', resize);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api/cameras/${camera}/live`);
  socket.binaryType = 'arraybuffer';
  let buffer = null;
  const queue = [];
  const pump = () => {
    if (!buffer || buffer.updating || !queue.length) return;
    buffer.appendBuffer(queue.shift());
    const ranges = video.buffered;
    if (ranges.length && ranges.end(ranges.length - 1) - video.currentTime > 1) video.currentTime = ranges.end(ranges.length - 1) - 0.1;
    if (video.paused) video.play().catch(() => {});
  };
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') {
      const message = JSON.parse(event.data);
      if (message.type !== 'init' || buffer) return;
      const source = new MediaSource();
      video.src = URL.createObjectURL(source);
      source.addEventListener('sourceopen', () => {
        buffer = source.addSourceBuffer(message.mime);
        buffer.addEventListener('updateend', pump);
        pump();
      }, { once: true });
    } else {
      queue.push(event.data);
      pump();
    }
  };
}

function resize() {
  const picture = stage.querySelector('img, video');
  const box = picture.getBoundingClientRect();
  canvas.width = box.width;
  canvas.height = box.height;
  draw();
}

function draw() {
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const path = (points) => {
    context.beginPath();
    points.forEach((p, i) => (i ? context.lineTo(p.x * width, p.y * height) : context.moveTo(p.x * width, p.y * height)));
  };
  state.zones.forEach((zone, i) => {
    path(zone.polygon.points);
    context.closePath();
    context.fillStyle = colours[zone.kind] + (zone.kind === 'privacy' ? 'cc' : '55');
    context.fill();
    context.lineWidth = i === selected ? 3 : 1.5;
    context.strokeStyle = zone.kind === 'privacy' ? '#fff' : colours[zone.kind];
    context.stroke();
    const first = zone.polygon.points[0];
    context.fillStyle = '#fff';
    context.font = '13px sans-serif';
    context.fillText(zone.name, first.x * width + 4, first.y * height + 14);
  });
  if (drawing?.length) {
    path(drawing);
    context.strokeStyle = '#00e5ff';
    context.lineWidth = 2;
    context.stroke();
    for (const p of drawing) context.fillRect(p.x * width - 3, p.y * height - 3, 6, 6);
  }
}

function renderList() {
  clear(zoneList, state.zones.map((zone, i) => {
    const name = el('input', { value: zone.name, size: 12, title: t('motion.zoneName') });
    name.oninput = () => { zone.name = name.value; draw(); };
    const kind = el('select', {}, ['alert', 'ignore', 'privacy'].map((k) => el('option', { value: k, selected: zone.kind === k }, t(`motion.kind.${k}`))));
    kind.onchange = () => { zone.kind = kind.value; draw(); };
    const schedule = el('input', {
      value: typeof zone.schedule === 'string' ? zone.schedule : '', placeholder: t('motion.always'), size: 14, title: t('motion.scheduleHelp'),
    });
    schedule.oninput = () => { zone.schedule = schedule.value.trim(); };
    const remove = el('button', { title: t('motion.remove') }, '✕');
    remove.onclick = () => { state.zones.splice(i, 1); selected = -1; renderList(); draw(); };
    const row = el('li', { className: i === selected ? 'selected' : null }, name, ' ', kind, ' ', schedule, ' ', remove);
    row.onclick = () => { selected = i; draw(); };
    return row;
  }));
}

canvas.addEventListener('click', (event) => {
  if (!drawing) return;
  const box = canvas.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  drawing.push({ x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) });
  draw();
});

document.getElementById('draw').onclick = () => {
  drawing = [];
  setStatus('motion.drawHelp');
};

document.getElementById('finish').onclick = () => {
  if (!drawing || drawing.length < 3) { setStatus('motion.needThree'); return; }
  const kind = document.getElementById('kind').value;
  let n = state.zones.length + 1;
  while (state.zones.some((z) => z.name === `${kind}-${n}`)) n++;
  state.zones.push({ name: `${kind}-${n}`, kind, polygon: { points: drawing }, schedule: '' });
  drawing = null;
  selected = state.zones.length - 1;
  setStatus(null);
  renderList();
  draw();
};

document.getElementById('save').onclick = async () => {
  const enabled = document.getElementById('enabled').checked;
  const sensitivity = Number(document.getElementById('sensitivity').value);
  try {
    state = await api(`/api/cameras/${camera}/motion`, {
      method: 'PUT',
      // timeZone as loaded: a PUT replaces the settings, and the page has no field for it.
      body: { enabled, settings: { ...state.settings, sensitivity }, timeZone: state.timeZone ?? null, zones: state.zones.map(({ name, kind, polygon, schedule }) => ({ name, kind, polygon, schedule: schedule || '' })) },
    });
    setStatus('motion.saved');
    renderList();
    draw();
  } catch (error) {
    setStatus(null, error.problem?.errors?.map((f) => `${f.field}: ${f.message}`).join('; ') || error.message);
  }
};

async function main() {
  await setUpPage();
  window.addEventListener('aula-language', () => { renderList(); if (statusKey) status.textContent = t(statusKey); });
  if (!camera) { setStatus('motion.noCamera'); return; }
  const playback = document.getElementById('playback-link');
  playback.href = `/playback.html?camera=${camera}`;
  playback.hidden = false;
  document.getElementById('events-link').href = `/events.html?camera=${camera}`;
  try {
    const [cam, motion] = await Promise.all([api(`/api/cameras/${camera}`), api(`/api/cameras/${camera}/motion`)]);
    document.getElementById('camera').textContent = cam.name;
    state = motion;
    document.getElementById('enabled').checked = motion.enabled;
    document.getElementById('sensitivity').value = motion.settings.sensitivity;
    renderList();
  } catch (error) {
    setStatus(null, error.message);
    return;
  }
  showPicture();
  window.addEventListener('resize', resize);
}

main();

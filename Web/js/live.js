// The live wall: 1 to 36 tiles, each a <video> fed by Media Source Extensions from one WebSocket
// for the whole page, /api/live (fragmented MP4 tagged by tile; docs/live.md). Each tile keeps
// within about a second of the live edge; the socket reconnects by itself. Wall tiles take the cameras' sub
// streams, a single camera its main stream; the page tells the server which codecs this browser
// decodes, so that an H.265 camera comes as its H.264 sub stream or an H.264 conversion.
// The layout (tiles, group, cameras) is the operator's own, saved at /api/wall.
import { api } from './api.js';
import { clear, el } from './dom.js';
import { t } from './i18n.js';
import { LiveSocket } from './live-socket.js';
import { setUpPage } from './nav.js';

const LIVE_EDGE_SECONDS = 1.0;
// `?timing=1` (the live benchmark): the server sends each frame's arrival time at Aula, and the
// page records how long after it the frame was appended (window.aulaLatencies, milliseconds;
// client and server share a clock when both run on one machine).
const TIMING = new URLSearchParams(location.search).get('timing') === '1';
window.aulaLatencies = [];

// What this browser's Media Source Extensions decode (`?codecs=` overrides it, for tests).
function decodableCodecs() {
  const forced = new URLSearchParams(location.search).get('codecs');
  if (forced !== null) return forced;
  const supported = (codecs) => window.MediaSource && MediaSource.isTypeSupported(`video/mp4; codecs="${codecs}"`);
  const list = [];
  if (supported('avc1.64001f') || supported('avc1.42e01e')) list.push('h264');
  if (supported('hvc1.1.6.L93.B0') || supported('hev1.1.6.L93.B0')) list.push('h265');
  return list.join(',');
}
const CODECS = decodableCodecs();
window.aulaCodecs = CODECS;
const LAYOUTS = [1, 4, 6, 9, 12, 16, 20, 25, 30, 36];

// The page's one live socket (opened as the page starts).
let liveSocket = null;

class Tile {
  constructor(camera, parent, stream) {
    this.camera = camera;
    this.stream = stream;
    this.source = null;
    this.video = el('video', { muted: true, autoplay: true, playsInline: true });
    this.label = el('span', { className: 'label' }, camera.name);
    this.state = el('span', { className: 'state waiting' }, camera.status?.state ? t(`state.${camera.status.state}`) : '…');
    this.element = el('div', { className: 'tile' }, this.video, this.label, this.state);
    parent.append(this.element);
    this.queue = [];
    this.arrivals = [];
    this.opened = performance.now();
    this.firstFrameMs = null;
    const firstFrame = () => { this.firstFrameMs = performance.now() - this.opened; };
    if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(firstFrame);
    else this.video.addEventListener('loadeddata', firstFrame, { once: true });
    // Where a first picture's time goes (the live benchmark): socket open, init, first append.
    this.marks = {};
    liveSocket ??= new LiveSocket({ timing: TIMING });
    this.index = liveSocket.freeIndex();
    if (this.index === null) {
      this.setState('waiting', t('live.ended.limit', { seconds: '–' }));
      return;
    }
    liveSocket.add(this);
    if (liveSocket.openedAt !== undefined) this.marks.open = 0;
  }

  // A wall's tile starts from the camera's newest key frame alone and goes on from the next one
  // (the server drops the frames between): sixteen tiles decoding half a GOP each to reach the
  // live edge delayed each other's first pictures. One camera full size takes the whole GOP.
  request() {
    return { camera: this.camera.id, stream: this.stream, codecs: CODECS, start: this.stream === 'sub' ? 'key-frame' : 'gop' };
  }

  onText(message) {
    if (message.type === 'init') {
      this.marks.open ??= liveSocket.openedAt - this.opened;
      this.marks.init ??= performance.now() - this.opened;
      this.source = message.source || null;
      this.start(message.mime);
    } else if (message.type === 'frame') {
      this.nextArrival = message.arrival;
    } else if (message.type === 'ended') {
      // The server stopped this tile for a while (a bound reached, access ended): say why, in the
      // user's language, and ask again after the time it gives.
      const seconds = message.retry || 30;
      const key = `live.ended.${message.reason}`;
      const text = t(key, { seconds });
      this.setState('error', text === key ? message.message : text);
      this.state.title = message.message || '';
      clearTimeout(this.retry);
      this.retry = setTimeout(() => liveSocket.again(this), seconds * 1000);
    } else if (message.type === 'error') {
      this.setState('error', message.message);
    }
  }

  onBinary(bytes) {
    this.queue.push({ data: bytes, arrival: this.nextArrival });
    this.nextArrival = undefined;
    this.pump();
  }

  onDisconnected() {
    this.setState('waiting', t('live.reconnecting'));
  }

  // A MediaSource made with the tile, so that it is open when the first initialization segment
  // comes (its `sourceopen` waits for the page's main thread, busy with the other tiles).
  prepare() {
    const source = new MediaSource();
    this.media = { source, mime: null };
    this.video.src = URL.createObjectURL(source);
    source.addEventListener('sourceopen', () => {
      if (this.media?.source === source && this.media.mime) this.attach(source, this.media.mime);
    }, { once: true });
  }

  // A new initialization segment (first, or after a parameter change or reconnect): a fresh
  // MediaSource, so that old and new timestamps never meet in one buffer.
  start(mime) {
    this.queue = [];
    this.buffer = null;
    if (!MediaSource.isTypeSupported(mime)) {
      this.setState('waiting', t('live.unsupported', { mime }));
      return;
    }
    if (!this.media || this.media.mime) this.prepare();
    this.media.mime = mime;
    if (this.media.source.readyState === 'open') this.attach(this.media.source, mime);
  }

  attach(source, mime) {
    this.buffer = source.addSourceBuffer(mime);
    this.buffer.mode = 'segments';
    this.buffer.addEventListener('updateend', () => {
      for (const arrival of this.appending || []) window.aulaLatencies.push(Date.now() - arrival / 1000);
      this.appending = undefined;
      this.pump();
    });
    this.pump();
  }

  pump() {
    const buffer = this.buffer;
    if (!buffer || buffer.updating) return;
    const ranges = this.video.buffered;
    if (ranges.length) {
      const end = ranges.end(ranges.length - 1);
      // Stay near the live edge: jump forward rather than play a growing backlog. Not before the
      // first picture is shown: a new viewer is sent the frames since the last key frame, and
      // seeking to their end would make the browser decode all of them before showing any; the key
      // frame shown first, the jump follows while it stays on screen.
      const last = ranges.start(ranges.length - 1);
      if (this.firstFrameMs === null) {
        // The stream's times go on from the camera's run: start at its first (key) frame.
        if (this.video.currentTime < ranges.start(0)) this.video.currentTime = ranges.start(0);
      } else if (end - this.video.currentTime > LIVE_EDGE_SECONDS) this.video.currentTime = end - 0.1;
      // A tile started from a key frame alone goes on from the next key frame, after a gap: when
      // playback stands at the end of a range, on to the last one.
      else if (this.video.currentTime < last && !this.inRange(ranges, this.video.currentTime + 0.05)) this.video.currentTime = last;
      // Keep the buffer short: drop what is more than 10 s behind.
      if (this.video.currentTime - ranges.start(0) > 10) {
        buffer.remove(0, this.video.currentTime - 5);
        return;
      }
    }
    if (!this.queue.length) return;
    try {
      // Everything queued in one append: a new viewer is sent the frames since the last key frame
      // at once, and one append per frame made the page wait for an `updateend` between each.
      const batch = this.queue.splice(0);
      this.appending = batch.map((item) => item.arrival).filter((arrival) => arrival !== undefined);
      let data = batch[0].data;
      if (batch.length > 1) {
        const joined = new Uint8Array(batch.reduce((n, item) => n + item.data.byteLength, 0));
        let at = 0;
        for (const item of batch) { joined.set(item.data, at); at += item.data.byteLength; }
        data = joined;
      }
      buffer.appendBuffer(data);
      this.marks.append ??= performance.now() - this.opened;
      this.setState('live', this.source && this.source !== 'main' ? `${t('live.live')} · ${t(`live.source.${this.source}`)}` : t('live.live'));
      if (this.video.paused) this.video.play().catch(() => {});
    } catch (error) {
      // The buffer refused the bytes: start this tile again with a fresh initialization segment.
      this.setState('waiting', error.name);
      liveSocket.remove(this);
      liveSocket.add(this);
    }
  }

  inRange(ranges, time) {
    for (let i = 0; i < ranges.length; i++) if (time >= ranges.start(i) && time < ranges.end(i)) return true;
    return false;
  }

  setState(kind, text) {
    if (this.state.textContent === text && this.state.className === `state ${kind}`) return;
    this.state.className = `state ${kind}`;
    this.state.textContent = text;
  }

  close() {
    clearTimeout(this.retry);
    liveSocket?.remove(this);
    this.element.remove();
  }
}

// The cameras of a group: all, a district's, or a post's (in the post's order).
function groupCameras(cameras, group, posts) {
  if (group.startsWith('district:')) return cameras.filter((c) => c.district === group.slice(9));
  if (group.startsWith('post:')) {
    const post = posts.find((p) => String(p.id) === group.slice(5));
    if (!post) return [];
    const byID = new Map(cameras.map((c) => [c.id, c]));
    return (post.cameras || []).map((id) => byID.get(id)).filter(Boolean);
  }
  return cameras;
}

// The wall's grid: as square as the count allows, wider than tall.
function grid(count) {
  const columns = Math.ceil(Math.sqrt(count));
  return { columns, rows: Math.ceil(count / columns) };
}

async function showSingle(me, wall, cameras, single) {
  const camera = cameras.find((c) => c.id === single);
  wall.classList.add('single');
  wall.style.gridTemplateColumns = '1fr';
  wall.style.gridTemplateRows = '1fr';
  document.getElementById('single').hidden = false;
  document.getElementById('wall-controls').hidden = true;
  document.getElementById('playback-link').href = `/playback.html?camera=${single}`;
  // Administrators draw this camera's motion zones.
  if (me?.role === 'administrator') {
    const zones = document.getElementById('zones-link');
    zones.href = `/zones.html?camera=${single}`;
    zones.hidden = false;
  }
  document.getElementById('snapshot').addEventListener('click', () => {
    const img = document.getElementById('snapshot-image');
    img.hidden = false;
    img.onerror = () => { document.getElementById('message').textContent = t('snapshot.none'); };
    img.src = `/api/cameras/${single}/snapshot.jpg?at=${Date.now()}`;
  });
  // A single camera full size: its main stream.
  window.aulaTiles = camera ? [new Tile(camera, wall, 'main')] : [];
}

async function main() {
  // The live socket opens while the page reads its user, cameras and wall.
  liveSocket = new LiveSocket({ timing: TIMING });
  const me = await setUpPage();
  const wall = document.getElementById('wall');
  const query = new URLSearchParams(location.search);
  // `?camera=ID`: one camera full size (a click on a tile of the wall), with a snapshot button.
  const single = Number(query.get('camera')) || null;
  let cameras;
  try {
    cameras = await api('/api/cameras');
  } catch (error) {
    document.getElementById('message').textContent = error.message;
    return;
  }
  if (single) return showSingle(me, wall, cameras, single);
  if (!cameras.length) document.getElementById('message').textContent = t('live.none');

  let posts = [];
  try { posts = (await api('/api/posts')).posts || []; } catch { /* an analyst reads no posts: groups by district only */ }
  let saved = { tiles: 4, group: 'all', cameras: [] };
  try { saved = await api('/api/wall'); } catch { /* the default wall */ }
  // `?tiles=N` shows N tiles without changing the saved wall (links, tests, the benchmark).
  const requested = Number(query.get('tiles'));
  const state = { ...saved, tiles: requested >= 1 && requested <= 36 ? Math.floor(requested) : saved.tiles };
  window.aulaWall = state;

  const layout = document.getElementById('layout');
  const groupSelect = document.getElementById('group');
  clear(layout, LAYOUTS.map((n) => el('option', { value: String(n) }, String(n))));
  if (!LAYOUTS.includes(state.tiles)) layout.append(el('option', { value: String(state.tiles) }, String(state.tiles)));
  layout.value = String(state.tiles);
  const districts = [...new Set(cameras.map((c) => c.district).filter(Boolean))].sort();
  clear(groupSelect,
    el('option', { value: 'all' }, t('live.groupAll')),
    districts.map((d) => el('option', { value: `district:${d}` }, `${t('live.groupDistrict')}: ${d}`)),
    posts.map((p) => el('option', { value: `post:${p.id}` }, `${t('live.groupPost')}: ${p.name}`)));
  groupSelect.value = [...groupSelect.options].some((o) => o.value === state.group) ? state.group : 'all';

  async function save() {
    try {
      const stored = await api('/api/wall', { method: 'PUT', body: { tiles: state.tiles, group: state.group, cameras: state.cameras.slice(0, state.tiles) } });
      window.aulaWallSaved = stored;
    } catch (error) {
      document.getElementById('message').textContent = error.message;
    }
  }

  function render() {
    for (const tile of window.aulaTiles || []) tile.close();
    clear(wall);
    const { columns, rows } = grid(state.tiles);
    wall.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
    wall.style.gridTemplateRows = `repeat(${rows}, 1fr)`;
    const inGroup = groupCameras(cameras, state.group, posts);
    const byID = new Map(cameras.map((c) => [c.id, c]));
    // The saved order first, then the rest of the group.
    const chosen = state.cameras.map((id) => byID.get(id)).filter(Boolean);
    const rest = inGroup.filter((c) => !chosen.includes(c));
    const shown = chosen.concat(rest).slice(0, state.tiles);
    // One tile: the camera full size, main stream; a wall: sub streams.
    const stream = state.tiles === 1 ? 'main' : 'sub';
    window.aulaTiles = shown.map((camera, index) => {
      const tile = new Tile(camera, wall, stream);
      // Choose another camera for this tile; the choice is saved as the wall's order.
      const picker = el('select', { className: 'picker', title: t('live.chooseCamera') },
        cameras.map((c) => el('option', { value: String(c.id) }, c.name)));
      picker.value = String(camera.id);
      picker.addEventListener('click', (event) => event.stopPropagation());
      picker.addEventListener('change', () => {
        const order = shown.map((c) => c.id);
        order[index] = Number(picker.value);
        state.cameras = order;
        save();
        render();
      });
      tile.element.append(picker);
      tile.element.addEventListener('click', () => { location.href = `/live.html?camera=${camera.id}`; });
      return tile;
    });
  }

  layout.addEventListener('change', () => { state.tiles = Number(layout.value); save(); render(); });
  groupSelect.addEventListener('change', () => { state.group = groupSelect.value; state.cameras = []; save(); render(); });
  render();
}

main();

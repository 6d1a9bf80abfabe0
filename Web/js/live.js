// The live wall: 1, 4, 9 or 16 tiles, each a <video> fed by Media Source Extensions from
// /api/cameras/{id}/live (fragmented MP4 over a WebSocket; docs/live.md). Each tile keeps within
// about a second of the live edge and reconnects by itself.
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { setUpPage } from './nav.js';

const LIVE_EDGE_SECONDS = 1.0;
// `?timing=1` (the live benchmark): the server sends each frame's arrival time at Aula, and the
// page records how long after it the frame was appended (window.aulaLatencies, milliseconds;
// client and server share a clock when both run on one machine).
const TIMING = new URLSearchParams(location.search).get('timing') === '1';
window.aulaLatencies = [];

class Tile {
  constructor(camera, parent) {
    this.camera = camera;
    this.video = el('video', { muted: true, autoplay: true, playsInline: true });
    this.label = el('span', { className: 'label' }, camera.name);
    this.state = el('span', { className: 'state waiting' }, camera.status?.state ? t(`state.${camera.status.state}`) : '…');
    this.element = el('div', { className: 'tile' }, this.video, this.label, this.state);
    parent.append(this.element);
    this.queue = [];
    this.opened = performance.now();
    this.firstFrameMs = null;
    const firstFrame = () => { this.firstFrameMs = performance.now() - this.opened; };
    if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(firstFrame);
    else this.video.addEventListener('loadeddata', firstFrame, { once: true });
    this.connect();
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new WebSocket(`${scheme}://${location.host}/api/cameras/${this.camera.id}/live${TIMING ? '?timing=1' : ''}`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        const message = JSON.parse(event.data);
        if (message.type === 'init') this.start(message.mime);
        if (message.type === 'frame') this.nextArrival = message.arrival;
      } else {
        this.queue.push({ data: event.data, arrival: this.nextArrival });
        this.nextArrival = undefined;
        this.pump();
      }
    };
    this.socket.onclose = () => {
      this.setState('waiting', t('live.reconnecting'));
      setTimeout(() => this.connect(), 2000);
    };
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
    const source = new MediaSource();
    this.video.src = URL.createObjectURL(source);
    source.addEventListener('sourceopen', () => {
      this.buffer = source.addSourceBuffer(mime);
      this.buffer.mode = 'segments';
      this.buffer.addEventListener('updateend', () => {
        if (this.appending !== undefined) window.aulaLatencies.push(Date.now() - this.appending / 1000);
        this.appending = undefined;
        this.pump();
      });
      this.pump();
    }, { once: true });
  }

  pump() {
    const buffer = this.buffer;
    if (!buffer || buffer.updating) return;
    const ranges = this.video.buffered;
    if (ranges.length) {
      const end = ranges.end(ranges.length - 1);
      // Stay near the live edge: jump forward rather than play a growing backlog.
      if (end - this.video.currentTime > LIVE_EDGE_SECONDS) this.video.currentTime = end - 0.1;
      // Keep the buffer short: drop what is more than 10 s behind.
      if (this.video.currentTime - ranges.start(0) > 10) {
        buffer.remove(0, this.video.currentTime - 5);
        return;
      }
    }
    if (!this.queue.length) return;
    try {
      const next = this.queue.shift();
      this.appending = next.arrival;
      buffer.appendBuffer(next.data);
      this.setState('live', t('live.live'));
      if (this.video.paused) this.video.play().catch(() => {});
    } catch (error) {
      this.setState('waiting', error.name);
      this.socket.close();
    }
  }

  setState(kind, text) {
    this.state.className = `state ${kind}`;
    this.state.textContent = text;
  }
}

async function main() {
  const me = await setUpPage();
  const wall = document.getElementById('wall');
  const query = new URLSearchParams(location.search);
  const requested = Number(query.get('tiles'));
  // `?camera=ID`: one camera full size (a click on a tile of the wall), with a snapshot button.
  const single = Number(query.get('camera')) || null;
  const count = single ? 1 : [1, 4, 9, 16].includes(requested) ? requested : 4;
  const side = Math.sqrt(count);
  wall.style.gridTemplateColumns = `repeat(${side}, 1fr)`;
  wall.style.gridTemplateRows = `repeat(${side}, 1fr)`;
  try {
    let cameras = await api('/api/cameras');
    if (single) {
      cameras = cameras.filter((c) => c.id === single);
      wall.classList.add('single');
      document.getElementById('single').hidden = false;
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
    }
    // For tests and for the health of the page: every tile, its camera and its video.
    window.aulaTiles = cameras.slice(0, count).map((camera) => new Tile(camera, wall));
    if (!single) {
      for (const tile of window.aulaTiles) tile.element.addEventListener('click', () => { location.href = `/live.html?camera=${tile.camera.id}`; });
    }
    if (!cameras.length) document.getElementById('message').textContent = t('live.none');
  } catch (error) {
    document.getElementById('message').textContent = error.message;
  }
}

main();

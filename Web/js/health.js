// Camera health for operators: each camera's state, frame rate, bit rate, last frame, share of the
// last 24 h it was streaming, recording gaps, disk use and retention horizon; and the disk as a
// whole. From GET /api/cameras, /api/camera-health and /api/storage, refreshed every 5 s.
import { api } from './api.js';
import { $, clear, el } from './dom.js';
import { formatNumber, formatTime, t, timeZone } from './i18n.js';
import { setUpPage } from './nav.js';

let last = null;
window.aulaHealth = { rows: 0 };

function bytes(n) {
  if (n === null || n === undefined) return t('notAvailable');
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${formatNumber(n, 1)} ${units[i]}`;
}

function duration(seconds) {
  if (!seconds) return '0';
  if (seconds < 120) return t('unit.seconds', { n: formatNumber(seconds, 0) });
  if (seconds < 7200) return t('unit.minutes', { n: formatNumber(seconds / 60, 0) });
  return t('unit.hours', { n: formatNumber(seconds / 3600, 1) });
}

const cell = (content, className) => el('td', { className }, content);

function render() {
  if (!last) return;
  const { cameras, health, storage } = last;
  $('zone').textContent = t('time.zone', { zone: timeZone() });
  const s = clear($('storage'));
  if (storage) {
    const rows = [
      [t('health.pressure'), t(`pressure.${storage.pressure}`)],
      [t('health.recordings'), bytes(storage.recordingsBytes)],
      [t('health.volume'), storage.volume ? t('health.free', { free: bytes(storage.volume.availableBytes), total: bytes(storage.volume.totalBytes) }) : t('notAvailable')],
      [t('health.quota'), storage.quotaBytes ? bytes(storage.quotaBytes) : t('health.noQuota')],
      [t('health.maxAge'), storage.defaultMaxAgeDays ? t('unit.days', { n: storage.defaultMaxAgeDays }) : t('health.untilQuota')],
      [t('health.lastRetention'), storage.lastRetentionTime ? formatTime(storage.lastRetentionTime) : t('notAvailable')],
      [t('health.writeFailures'), String(storage.writeFailures)],
    ];
    s.append(...rows.map(([k, v]) => el('tr', {}, cell(k), cell(v))));
  }
  const byId = new Map((health?.cameras || []).map((h) => [h.camera, h]));
  const body = clear($('cameras'));
  for (const c of cameras) {
    const st = c.status || {};
    const h = byId.get(c.id);
    const uptime = h && h.uptime !== null
      ? el('span', { title: h.changes.map((x) => `${formatTime(x.time)}: ${t(x.streaming ? 'state.streaming' : 'health.stopped')}`).join('\n') },
        el('span', { className: 'bar' }, el('i', { style: { width: `${Math.round(h.uptime * 100)}%` } })),
        `${formatNumber(h.uptime * 100, 1)} % (${t('health.of', { observed: duration(h.observedSeconds) })})`)
      : el('span', {}, t('notAvailable'));
    const thumb = el('a', { href: `/live.html?camera=${c.id}` }, t('snapshot.button'));
    thumb.addEventListener('click', (event) => {
      event.preventDefault();
      clear(thumb, el('img', {
        className: 'thumb', alt: c.name, src: `/api/cameras/${c.id}/snapshot.jpg?at=${Date.now()}`,
        onerror: () => { thumb.textContent = t('snapshot.none'); },
      }));
    });
    const tr = el('tr', { dataset: { camera: c.id } },
      cell(String(c.id)), cell(c.name), cell(t(`state.${st.state || 'connecting'}`), `state-${st.state || 'connecting'}`),
      cell(st.width ? `${st.codec} ${st.width}×${st.height} ${st.profile || ''}` : t('notAvailable')),
      cell(formatNumber(st.fps, 1)), cell(st.bitrate ? `${formatNumber(st.bitrate / 1000, 0)} kbit/s` : t('notAvailable')),
      cell(st.lastFrameTime ? formatTime(st.lastFrameTime) : t('notAvailable')),
      cell(uptime),
      cell(h ? t('health.gapSummary', { n: h.gaps, total: duration(h.gapSeconds), longest: duration(h.longestGapSeconds) }) : t('notAvailable')),
      cell(bytes(c.recording?.bytes ?? 0)),
      cell(c.recording?.oldestTime ? formatTime(c.recording.oldestTime) : t('notAvailable')),
      cell(st.lastError || ''),
      cell(thumb));
    body.append(tr);
    // The sub stream, when the camera has one: its own state and figures on a row beneath.
    const sub = c.subStream?.status;
    if (c.subStream) {
      const ss = sub || {};
      body.append(el('tr', { className: 'sub-stream', dataset: { camera: c.id, stream: 'sub' } },
        cell(''), cell(`↳ ${t('health.subStream')}`), cell(t(`state.${ss.state || 'connecting'}`), `state-${ss.state || 'connecting'}`),
        cell(ss.width ? `${ss.codec} ${ss.width}×${ss.height} ${ss.profile || ''}` : t('notAvailable')),
        cell(formatNumber(ss.fps, 1)), cell(ss.bitrate ? `${formatNumber(ss.bitrate / 1000, 0)} kbit/s` : t('notAvailable')),
        cell(ss.lastFrameTime ? formatTime(ss.lastFrameTime) : t('notAvailable')),
        cell(''), cell(''), cell(''), cell(''), cell(ss.lastError || ''), cell('')));
    }
  }
  window.aulaHealth = { rows: cameras.length, loaded: Date.now() };
}

async function refresh() {
  try {
    const [cameras, health, storage] = await Promise.all([
      api('/api/cameras'), api('/api/camera-health'), api('/api/storage').catch(() => null)]);
    last = { cameras, health, storage };
    $('message').textContent = '';
    render();
  } catch (error) {
    $('message').textContent = error.message;
  }
}

await setUpPage();
window.addEventListener('aula-language', render);
await refresh();
setInterval(refresh, 5000);
document.body.dataset.ready = 'true';

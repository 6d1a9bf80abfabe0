// Live alerts for operators (alerts.html) and guards (guard.html, the same module in a phone
// layout): a WebSocket to /api/alerts/stream sends every open alert the user may see, then each
// alert as it is raised, escalated or acknowledged (kept by id). New alerts beep through WebAudio
// (escalated ones twice); acknowledging is a POST so it passes CSRF protection and the audit trail.
// Both pages carry the shared header (nav.js): links, language switch, sign-out.
import { api } from './api.js';
import { clear, el } from './dom.js';
import { formatTime, t, timeZone } from './i18n.js';
import { setUpPage } from './nav.js';

const alerts = new Map();
const list = document.getElementById('alerts');
const status = document.getElementById('status');
const guardMode = document.body.dataset.mode === 'guard';
let showAll = false;
let audio = null;
let statusKey = null; // the connection state shown in #status, re-translated on a language change

function setStatus(key, text) {
  statusKey = key;
  status.textContent = key ? t(key) : text;
}

// Today's alerts show the time only; older ones the date too. Always with the time zone named.
function when(value) {
  const d = new Date(value);
  return formatTime(d, { date: d.toDateString() !== new Date().toDateString() });
}
// For tests and the health of the page.
window.aulaAlerts = alerts;
window.aulaBeeps = 0;

function beep(times = 1) {
  window.aulaBeeps += times;
  if (!audio) return;
  for (let i = 0; i < times; i++) {
    const start = audio.currentTime + i * 0.3;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.25);
  }
}

function kindText(alert) {
  const text = t(`alerts.kind.${alert.kind}`);
  return alert.zone ? `${text} · ${alert.zone}` : text;
}

function render() {
  const shown = [...alerts.values()]
    .filter((a) => showAll || a.state === 'open')
    .sort((a, b) => (a.state === b.state ? b.id - a.id : a.state === 'open' ? -1 : 1));
  clear(list, shown.map((alert) => {
    const title = `${alert.cameraName ?? (alert.cameraId ? `#${alert.cameraId}` : t('alerts.server'))} — ${kindText(alert)}`;
    const head = el('div', { className: 'head' },
      el('b', {}, title), ' ', el('time', { dateTime: alert.time }, when(alert.time)),
      alert.escalated && [' ', el('span', { className: 'flag' }, t('alerts.escalated'))]);
    const item = el('li', { className: `alert ${alert.state}${alert.escalated ? ' escalated' : ''} kind-${alert.kind}`, dataset: { id: alert.id } },
      head, el('div', { className: 'message' }, alert.message));
    if (alert.thumbnail) item.append(el('img', { src: alert.thumbnail, alt: t('alerts.thumbnail'), loading: 'lazy' }));
    if (alert.state === 'open') {
      const button = el('button', { className: 'ack' }, t('alerts.ack'));
      button.onclick = async () => {
        button.disabled = true;
        try {
          alerts.set(alert.id, await api(`/api/alerts/${alert.id}/ack`, { method: 'POST' }));
          render();
        } catch (error) {
          setStatus(null, error.message);
          button.disabled = false;
        }
      };
      item.append(button);
    } else {
      item.append(el('div', { className: 'by' }, t('alerts.ackedBy', { user: alert.acknowledgedBy ?? '?' })));
    }
    return item;
  }));
  const open = [...alerts.values()].filter((a) => a.state === 'open').length;
  document.title = `${open ? `(${open}) ` : ''}${t(guardMode ? 'alerts.guardTitle' : 'alerts.title')}`;
}

function receive(alert) {
  const old = alerts.get(alert.id);
  alerts.set(alert.id, alert);
  if (alert.state === 'open' && (!old || (alert.escalated && !old.escalated))) beep(alert.escalated ? 2 : 1);
  render();
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/api/alerts/stream`);
  socket.onopen = () => { setStatus('alerts.connected'); };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'alert') receive(message.alert);
  };
  socket.onclose = () => {
    setStatus('alerts.reconnecting');
    // A closed stream may mean the session ended: api() goes to the sign-in page on a 401.
    api('/api/session').catch(() => {});
    setTimeout(connect, 2000);
  };
}

function renderStatic() {
  const sound = document.getElementById('sound');
  sound.dataset.i18n = audio ? 'alerts.soundOn' : 'alerts.soundOff';
  sound.textContent = t(sound.dataset.i18n);
  const zone = document.getElementById('zone');
  if (zone) zone.textContent = t('time.zone', { zone: timeZone() });
  if (statusKey) status.textContent = t(statusKey);
}

async function main() {
  await setUpPage();
  renderStatic();
  render();
  window.addEventListener('aula-language', () => { renderStatic(); render(); });
  document.getElementById('sound').onclick = () => {
    audio = audio ?? new AudioContext();
    audio.resume();
    renderStatic();
    beep();
  };
  const all = document.getElementById('all');
  if (all) all.onchange = () => { showAll = all.checked; render(); };
  try {
    for (const alert of (await api(`/api/alerts?state=${guardMode ? 'open' : 'all'}`)).alerts) alerts.set(alert.id, alert);
    render();
  } catch (error) {
    setStatus(null, error.message);
  }
  connect();
}

main();

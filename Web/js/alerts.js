// Live alerts for operators (alerts.html) and guards (guard.html, the same module in a phone
// layout): a WebSocket to /api/alerts/stream sends every open alert the user may see, then each
// alert as it is raised, escalated or acknowledged (kept by id). New alerts beep through WebAudio
// (escalated ones twice); acknowledging is a POST so it passes CSRF protection and the audit trail.
import { api } from './api.js';
import { loadStrings, t } from './i18n.js';

const alerts = new Map();
const list = document.getElementById('alerts');
const status = document.getElementById('status');
const guardMode = document.body.dataset.mode === 'guard';
let showAll = false;
let audio = null;
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
  list.replaceChildren(...shown.map((alert) => {
    const item = document.createElement('li');
    item.className = `alert ${alert.state}${alert.escalated ? ' escalated' : ''} kind-${alert.kind}`;
    item.dataset.id = alert.id;
    const head = document.createElement('div');
    head.className = 'head';
    const title = document.createElement('b');
    title.textContent = `${alert.cameraName ?? (alert.cameraId ? `#${alert.cameraId}` : t('alerts.server'))} — ${kindText(alert)}`;
    const time = document.createElement('time');
    time.textContent = new Date(alert.time).toLocaleTimeString();
    head.append(title, ' ', time);
    if (alert.escalated) {
      const flag = document.createElement('span');
      flag.className = 'flag';
      flag.textContent = t('alerts.escalated');
      head.append(' ', flag);
    }
    const message = document.createElement('div');
    message.className = 'message';
    message.textContent = alert.message;
    item.append(head, message);
    if (alert.thumbnail) {
      const img = document.createElement('img');
      img.src = alert.thumbnail;
      img.alt = t('alerts.thumbnail');
      img.loading = 'lazy';
      item.append(img);
    }
    if (alert.state === 'open') {
      const button = document.createElement('button');
      button.className = 'ack';
      button.textContent = t('alerts.ack');
      button.onclick = async () => {
        button.disabled = true;
        try {
          alerts.set(alert.id, await api(`/api/alerts/${alert.id}/ack`, { method: 'POST' }));
          render();
        } catch (error) {
          status.textContent = error.message;
          button.disabled = false;
        }
      };
      item.append(button);
    } else {
      const by = document.createElement('div');
      by.className = 'by';
      by.textContent = t('alerts.ackedBy', { user: alert.acknowledgedBy ?? '?' });
      item.append(by);
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
  socket.onopen = () => { status.textContent = t('alerts.connected'); };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'alert') receive(message.alert);
  };
  socket.onclose = () => {
    status.textContent = t('alerts.reconnecting');
    // A closed stream may mean the session ended: api() goes to the sign-in page on a 401.
    api('/api/session').catch(() => {});
    setTimeout(connect, 2000);
  };
}

async function main() {
  await loadStrings(new URLSearchParams(location.search).get('lang') ?? navigator.language?.slice(0, 2));
  render();
  document.getElementById('sound').onclick = (event) => {
    audio = audio ?? new AudioContext();
    audio.resume();
    event.target.textContent = t('alerts.soundOn');
    beep();
  };
  const all = document.getElementById('all');
  if (all) all.onchange = () => { showAll = all.checked; render(); };
  try {
    for (const alert of (await api(`/api/alerts?state=${guardMode ? 'open' : 'all'}`)).alerts) alerts.set(alert.id, alert);
    render();
  } catch (error) {
    status.textContent = error.message;
  }
  connect();
}

main();

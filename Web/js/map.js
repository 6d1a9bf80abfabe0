import { api } from './api.js';
import { t } from './i18n.js';
import { setUpPage } from './nav.js';
import { MapView, coverageColour } from './view.js';
import { drawChart } from './chart.js';

const state = {
  city: null, geometry: null, streets: [], areas: new Map(), cameras: [], hotspots: null, plan: null,
  offences: null, pilot: null, evaluation: null, selected: null, edits: new Map(), drawMode: false,
  layers: { views: true, streets: true, courtyards: true, hotspots: false, plan: true, offences: false },
};
let view;
const $ = (id) => document.getElementById(id);
const fmt = (v, d = 1) => (v === null || v === undefined ? t('notAvailable') : Number(v).toFixed(d));

// MARK: start

async function start() {
  await setUpPage();
  // Figures and summaries are drawn in the page's language: draw them again in the new one.
  window.addEventListener('aula-language', () => location.reload());
  setUpTabs();
  setUpLayers();
  try {
    state.city = await api('/api/city');
  } catch (e) {
    if (e.status === 404) { showNoCity(); return; }
    status(`${t('error')}: ${e.message}`);
    return;
  }
  $('city-name').textContent = state.city.name;
  view = new MapView($('map'), state.city.centre);
  view.fit(state.city.bbox);
  state.geometry = await api('/api/city/geometry');
  setUpMouse();
  window.addEventListener('resize', () => { view.resize(); draw(); });
  await refreshCoverage();
  setUpHotspots();
  setUpPlanner();
  await setUpPilot();
  await applyLinkParameters();
  document.body.dataset.ready = 'true';
}

// Links can open a tab and run an action: ?tab=planner&plan=10, ?hotspots=1, ?tab=pilot&evaluate=demo.
async function applyLinkParameters() {
  const params = new URLSearchParams(location.search);
  const tab = params.get('tab');
  if (tab) document.querySelector(`.tabs button[data-tab="${tab}"]`)?.click();
  if (params.get('hotspots')) {
    await loadHotspots();
    state.layers.hotspots = true;
    $('layer-hotspots').checked = true;
  }
  if (params.get('plan')) { $('plan-value').value = params.get('plan'); await runPlan(); }
  if (params.get('evaluate') === 'demo') await evaluate({ scenario: true });
  draw();
}

function showNoCity() {
  $('no-city').hidden = false;
  $('no-city-text').textContent = t('noCity');
  document.body.dataset.ready = 'true';
}

function status(text) { $('status').textContent = text; }

function setUpTabs() {
  document.querySelectorAll('.tabs button').forEach((b) => b.addEventListener('click', () => {
    document.querySelectorAll('.tabs button').forEach((x) => x.classList.toggle('active', x === b));
    document.querySelectorAll('.panel').forEach((p) => { p.hidden = p.id !== `panel-${b.dataset.tab}`; });
  }));
}

function setUpLayers() {
  document.querySelectorAll('[data-layer]').forEach((box) => {
    box.checked = state.layers[box.dataset.layer];
    box.addEventListener('change', async () => {
      state.layers[box.dataset.layer] = box.checked;
      if (box.dataset.layer === 'hotspots' && box.checked && !state.hotspots) await loadHotspots();
      if (box.dataset.layer === 'offences' && box.checked && !state.offences) await loadOffences();
      draw();
    });
  });
}

// MARK: coverage

async function refreshCoverage() {
  const [figures, cameras, streets] = await Promise.all([
    api('/api/coverage'), api('/api/coverage/cameras'), api('/api/coverage/streets'),
  ]);
  state.cameras = cameras.features;
  state.streets = streets.features;
  state.areas = new Map(figures.areas.map((a) => [`${a.kind}:${a.index}`, a]));
  state.edits.clear();
  showFigures(figures, false);
  draw();
}

function showFigures(f, preview) {
  $('figures-note').textContent = preview ? t('figures.preview') : t('cameras', { n: f.cameras ?? state.cameras.length });
  $('figures-note').classList.toggle('preview', preview);
  const rows = f.districts.map((d) => [d.name, d.figures]);
  rows.push([t('outside'), f.outsideDistricts]);
  rows.push([t('city'), f.city]);
  const pct = (m) => (m.total > 0 ? `${fmt(m.percent)} %` : '—');
  $('figures').innerHTML = `<tr><th>${t('area')}</th><th>${t('mainStreets')}</th><th>${t('courtyards')}</th><th>${t('schoolGrounds')}</th></tr>`
    + rows.map(([name, m], i) => `<tr class="${i === rows.length - 1 ? 'total' : ''}"><td>${escape(name)}</td>`
      + `<td>${pct(m.mainStreets)}</td><td>${pct(m.courtyards)}</td><td>${pct(m.schoolGrounds)}</td></tr>`).join('');
}

function escape(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }

// Drag previews: one request in flight, the newest pending one sent when it returns.
let inFlight = false;
let pending = null;
function requestPreview(id, changes) {
  pending = { cameraId: id, ...changes };
  if (!inFlight) sendPreview();
}
async function sendPreview() {
  const body = pending;
  pending = null;
  inFlight = true;
  try {
    const r = await api('/api/coverage/preview', { method: 'POST', body });
    const camera = state.cameras.find((c) => c.properties.id === r.cameraId);
    if (camera) { camera.geometry = r.camera.geometry; camera.properties = r.camera.properties; }
    for (const piece of r.streets.features) state.streets[piece.properties.piece] = piece;
    state.areas = new Map(r.areas.map((a) => [`${a.kind}:${a.index}`, a]));
    showFigures(r, true);
    $('preview-ms').textContent = t('previewMs', { ms: fmt(r.computedMs, 1) });
    draw();
  } catch (e) {
    status(`${t('error')}: ${e.message}`);
  } finally {
    inFlight = false;
    if (pending) sendPreview();
  }
}

function selectCamera(camera) {
  state.selected = camera;
  $('camera-panel').hidden = !camera;
  if (!camera) return;
  const p = camera.properties;
  $('camera-name').textContent = p.name || `#${p.id}`;
  $('cam-heading').value = p.heading;
  $('cam-fov').value = p.fieldOfView;
  $('cam-range').value = p.range;
}

function editSelected(changes) {
  const c = state.selected;
  if (!c) return;
  const id = c.properties.id;
  const edit = { ...(state.edits.get(id) || {}), ...changes };
  state.edits.set(id, edit);
  Object.assign(c.properties, changes.location ? { lat: changes.location.lat, lon: changes.location.lon } : {}, changes);
  delete c.properties.location;
  selectCamera(c);
  requestPreview(id, edit);
}

async function saveSelected() {
  const c = state.selected;
  if (!c) return;
  const edit = state.edits.get(c.properties.id);
  if (!edit) return;
  try {
    await api(`/api/cameras/${c.properties.id}`, { method: 'PATCH', body: edit });
    status(t('saved'));
    await refreshCoverage();
    state.selected = state.cameras.find((x) => x.properties.id === c.properties.id) || null;
    selectCamera(state.selected);
  } catch (e) {
    status(`${t('error')}: ${e.message}`);
  }
}

// MARK: mouse

function cameraAt(sx, sy) {
  let best = null;
  let bestD = 10;
  for (const c of state.cameras) {
    const [x, y] = view.geoToScreen([c.properties.lon, c.properties.lat]);
    const d = Math.hypot(x - sx, y - sy);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

function handlePosition(c) {
  const [x, y] = view.geoToScreen([c.properties.lon, c.properties.lat]);
  const a = (c.properties.heading * Math.PI) / 180;
  return [x + 36 * Math.sin(a), y - 36 * Math.cos(a)];
}

function setUpMouse() {
  const canvas = $('map');
  let drag = null;
  canvas.addEventListener('mousedown', (e) => {
    const sx = e.offsetX;
    const sy = e.offsetY;
    if (state.drawMode) { drag = { kind: 'draw', from: view.screenToGeo(sx, sy), to: view.screenToGeo(sx, sy) }; return; }
    if (state.selected) {
      const [hx, hy] = handlePosition(state.selected);
      if (Math.hypot(hx - sx, hy - sy) < 9) { drag = { kind: 'turn' }; return; }
    }
    const c = cameraAt(sx, sy);
    if (c) { selectCamera(c); drag = { kind: 'move', moved: false }; draw(); return; }
    drag = { kind: 'pan', x: sx, y: sy, moved: false };
  });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const r = canvas.getBoundingClientRect();
    const sx = e.clientX - r.left;
    const sy = e.clientY - r.top;
    if (drag.kind === 'pan') {
      view.panBy(sx - drag.x, sy - drag.y);
      drag.moved = drag.moved || Math.hypot(sx - drag.x, sy - drag.y) > 2;
      drag.x = sx; drag.y = sy;
      draw();
    } else if (drag.kind === 'move') {
      const [lon, lat] = view.screenToGeo(sx, sy);
      drag.moved = true;
      editSelected({ location: { lat, lon } });
    } else if (drag.kind === 'turn') {
      const [x, y] = view.geoToScreen([state.selected.properties.lon, state.selected.properties.lat]);
      const heading = ((Math.atan2(sx - x, y - sy) * 180) / Math.PI + 360) % 360;
      editSelected({ heading: Math.round(heading * 10) / 10 });
    } else if (drag.kind === 'draw') {
      drag.to = view.screenToGeo(sx, sy);
      state.pilot = rectangle(drag.from, drag.to);
      draw();
    }
  });
  window.addEventListener('mouseup', async (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.kind === 'draw') { state.drawMode = false; $('map').classList.remove('drawing'); return; }
    if (d.kind === 'pan' && !d.moved && e.target === canvas) {
      if (state.selected) { selectCamera(null); draw(); }
      const [lon, lat] = view.screenToGeo(e.offsetX, e.offsetY);
      try {
        const r = await api(`/api/coverage/at?lat=${lat}&lon=${lon}`);
        status(r.cameras.length ? t('seenBy', { list: r.cameras.map((c) => c.name || c.id).join(', ') }) : t('seenByNone'));
      } catch (err) { status(err.message); }
    }
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const c = cameraAt(e.offsetX, e.offsetY);
    if (c) {
      selectCamera(c);
      const heading = (((c.properties.heading + (e.deltaY > 0 ? 5 : -5)) % 360) + 360) % 360;
      editSelected({ heading });
      return;
    }
    view.zoomAt(e.offsetX, e.offsetY, e.deltaY > 0 ? 1 / 1.2 : 1.2);
    draw();
  }, { passive: false });
  for (const [id, key] of [['cam-heading', 'heading'], ['cam-fov', 'fieldOfView'], ['cam-range', 'range']]) {
    $(id).addEventListener('change', () => editSelected({ [key]: Number($(id).value) }));
  }
  $('cam-save').addEventListener('click', saveSelected);
  $('cam-revert').addEventListener('click', async () => { await refreshCoverage(); selectCamera(null); });
}

function rectangle([x1, y1], [x2, y2]) {
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
}

// MARK: drawing

function draw() {
  if (!view) return;
  const ctx = view.ctx;
  ctx.fillStyle = '#f4f1ea';
  ctx.fillRect(0, 0, view.width, view.height);
  const features = state.geometry ? state.geometry.features : [];
  const of = (kind) => features.filter((f) => f.properties.kind === kind);
  for (const d of of('district')) view.polygon(d.geometry.coordinates, 'rgba(120,140,200,0.06)', 'rgba(80,90,160,0.6)', 1.5);
  if (state.layers.hotspots && state.hotspots) drawHotspots();
  for (const k of ['courtyard', 'schoolGround']) {
    for (const f of of(k)) {
      const a = state.areas.get(`${k}:${f.properties.index}`);
      const fraction = a && a.total > 0 ? a.covered / a.total : 0;
      const fill = state.layers.courtyards ? coverageColour(fraction, 0.45) : 'rgba(160,200,140,0.4)';
      view.polygon(f.geometry.coordinates, fill, k === 'schoolGround' ? '#7a4bb0' : 'rgba(60,90,40,0.6)', 1);
    }
  }
  for (const b of of('building')) view.polygon(b.geometry.coordinates, '#c9c3b8', '#a59e92', 0.5);
  const width = (main) => Math.max(main ? 2 : 1, Math.min(main ? 7 : 3, view.scale * (main ? 5 : 2.5)));
  if (state.layers.streets && state.streets.length) {
    for (const s of state.streets) {
      const p = s.properties;
      view.line(s.geometry.coordinates, p.isMain ? 'rgba(210,50,40,0.85)' : 'rgba(150,150,150,0.8)', width(p.isMain));
    }
    for (const s of state.streets) {
      for (const seg of s.properties.covered) view.line(seg, 'rgba(30,160,60,0.95)', width(s.properties.isMain));
    }
  } else {
    for (const s of of('street')) view.line(s.geometry.coordinates, s.properties.isMain ? '#999' : '#bbb', width(s.properties.isMain));
  }
  for (const l of of('lamp')) view.dot(l.geometry.coordinates, 2, '#f2c200');
  if (state.layers.offences && state.offences) {
    for (const o of state.offences.offences) if (o.lat !== undefined) view.dot([o.lon, o.lat], 1.6, 'rgba(120,0,120,0.5)');
  }
  if (state.layers.views) {
    for (const c of state.cameras) {
      if (c.geometry) view.polygon(c.geometry.coordinates, c === state.selected ? 'rgba(40,110,230,0.35)' : 'rgba(40,110,230,0.18)', 'rgba(40,110,230,0.7)', 1);
    }
  }
  if (state.layers.plan && state.plan) {
    for (const phase of state.plan.phases) {
      for (const c of phase.cameras) {
        if (c.view) view.polygon(c.view, 'rgba(240,140,0,0.22)', 'rgba(200,110,0,0.8)', 1);
        view.dot([c.lon, c.lat], 4, '#f08c00', '#fff');
      }
    }
  }
  if (state.pilot) view.polygon([state.pilot], 'rgba(0,150,150,0.08)', '#008c8c', 2.5);
  if (state.evaluation) {
    for (const c of state.evaluation.controls) view.polygon([c.ring], null, '#555', 1.5);
  }
  for (const c of state.cameras) {
    const p = c.properties;
    const selected = c === state.selected;
    view.dot([p.lon, p.lat], selected ? 6 : 4.5, selected ? '#1456c8' : '#2a6ee6', '#fff');
  }
  if (state.selected) {
    const [x, y] = view.geoToScreen([state.selected.properties.lon, state.selected.properties.lat]);
    const [hx, hy] = handlePosition(state.selected);
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(hx, hy); ctx.strokeStyle = '#1456c8'; ctx.lineWidth = 1.5; ctx.stroke();
    ctx.beginPath(); ctx.arc(hx, hy, 6, 0, 2 * Math.PI); ctx.fillStyle = '#fff'; ctx.fill(); ctx.stroke();
  }
  drawScale(ctx);
}

function drawScale(ctx) {
  const metres = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find((m) => m * view.scale > 60) || 5000;
  const px = metres * view.scale;
  const x = 12;
  const y = view.height - 14;
  ctx.fillStyle = 'rgba(255,255,255,0.8)';
  ctx.fillRect(x - 4, y - 16, px + 50, 22);
  ctx.strokeStyle = '#333'; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + px, y); ctx.stroke();
  ctx.fillStyle = '#333'; ctx.font = '11px sans-serif';
  ctx.fillText(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, x + px + 6, y + 4);
}

function drawHotspots() {
  const h = state.hotspots;
  const max = h.maxDensity || 1;
  for (const cell of h.features) {
    const p = cell.properties;
    let fill;
    if (p.class > 0) fill = `rgba(220,30,30,${0.2 + 0.15 * p.class})`;
    else if (p.class < 0) fill = `rgba(30,80,220,${0.15 + 0.1 * -p.class})`;
    else fill = `rgba(255,140,0,${0.35 * (p.density / max)})`;
    view.polygon(cell.geometry.coordinates, fill, null);
  }
}

// MARK: hot spots and offences

function selectedTypes() {
  return [...document.querySelectorAll('#hs-types input:checked')].map((b) => b.value);
}

function setUpHotspots() {
  $('hs-refresh').addEventListener('click', async () => { await loadHotspots(); state.layers.hotspots = true; $('layer-hotspots').checked = true; draw(); });
}

async function loadOffences() {
  state.offences = await api('/api/offences');
}

async function loadHotspots() {
  const q = new URLSearchParams();
  if ($('hs-from').value) q.set('from', $('hs-from').value);
  if ($('hs-to').value) q.set('to', $('hs-to').value);
  const types = selectedTypes();
  if (types.length) q.set('types', types.join(','));
  q.set('cell', $('hs-cell').value || '50');
  try {
    state.hotspots = await api(`/api/hotspots?${q}`);
    $('hs-summary').textContent = t('hotspots.summary', { n: state.hotspots.offenceCount, hot: state.hotspots.hotCells, cold: state.hotspots.coldCells })
      + (state.hotspots.synthetic ? ` ${t('synthetic')}` : '');
  } catch (e) { $('hs-summary').textContent = `${t('error')}: ${e.message}`; }
}

// MARK: planner

function setUpPlanner() {
  $('plan-run').addEventListener('click', runPlan);
}

async function runPlan() {
  {
    const n = Number($('plan-value').value);
    const body = $('plan-kind').value === 'money' ? { budget: n } : { cameras: Math.round(n) };
    $('plan-summary').textContent = t('planning');
    try {
      state.plan = await api('/api/plan', { method: 'POST', body });
      const p = state.plan;
      $('plan-summary').textContent = t('plan.summary', { n: p.cameraCount, cost: fmt(p.totalCost, 1), pct: fmt(p.coveredPercent, 1), s: fmt(p.seconds, 1) });
      $('plan-phases').innerHTML = `<tr><th>${t('phase')}</th><th>${t('district')}</th><th>${t('cameras', { n: '' }).trim()}</th><th>${t('cost')}</th><th>${t('added')}</th></tr>`
        + p.phases.map((ph) => `<tr><td>${ph.number}</td><td>${escape(ph.district)}</td><td>${ph.cameras.length}</td><td>${fmt(ph.cost, 1)}</td><td>${fmt(ph.added.weighted, 1)}</td></tr>`).join('');
      $('plan-report').hidden = false;
      state.layers.plan = true;
      $('layer-plan').checked = true;
      draw();
    } catch (e) { $('plan-summary').textContent = `${t('error')}: ${e.message}`; }
  }
}

// MARK: pilot evaluation

async function setUpPilot() {
  let scenario = null;
  try { scenario = (await api('/api/offences?from=2100-01-01')).scenario; } catch { /* no register */ }
  $('pilot-demo').hidden = !scenario;
  $('pilot-demo').addEventListener('click', () => evaluate({ scenario: true }));
  if (scenario) $('pilot-start').value = scenario.start.slice(0, 7);
  $('pilot-draw').addEventListener('click', () => {
    state.drawMode = true;
    $('map').classList.add('drawing');
    $('pilot-summary').textContent = t('pilot.drawHint');
  });
  $('pilot-run').addEventListener('click', () => {
    if (!state.pilot) { $('pilot-summary').textContent = t('pilot.drawHint'); return; }
    evaluate({ pilot: { name: t('pilot.pilot'), ring: state.pilot }, start: $('pilot-start').value });
  });
}

async function evaluate(body) {
  try {
    const e = await api('/api/evaluation', { method: 'POST', body });
    state.evaluation = e;
    state.pilot = e.pilot.ring;
    const res = e.relativeEffectSize;
    const did = e.differenceInDifferences;
    const wdq = e.displacement;
    $('pilot-summary').innerHTML = `
      ${e.synthetic ? `<p class="synthetic">${t('synthetic')}</p>` : ''}
      <table>
        <tr><th></th><th>${t('pilot.counts')}</th></tr>
        <tr><td>${t('pilot.pilot')}</td><td>${e.pilot.before} / ${e.pilot.after}</td></tr>
        <tr><td>${t('pilot.controls')}</td><td>${e.controlTotal.before} / ${e.controlTotal.after}</td></tr>
        <tr><td>${t('pilot.buffer')}</td><td>${wdq.buffer.before} / ${wdq.buffer.after}</td></tr>
      </table>
      <p><b>${t('pilot.res')}:</b> <span id="res-value">${res ? `${fmt(res.value, 2)} [${fmt(res.lower95, 2)}, ${fmt(res.upper95, 2)}]` : t('notAvailable')}</span></p>
      <p><b>${t('pilot.did')}:</b> ${did ? `${fmt(did.estimate, 2)} ± ${fmt(did.standardError, 2)} ${t('pilot.perMonth')}` : t('notAvailable')}</p>
      <p><b>${t('pilot.wdq')}:</b> ${wdq.wdq === null ? t('notAvailable') : fmt(wdq.wdq, 2)} — ${escape(wdq.interpretation)}</p>`;
    drawChart($('pilot-chart'), e.series, {
      pilot: t('pilot.pilot'), controls: t('pilot.controls'), buffer: t('pilot.buffer'), title: t('pilot.chart'),
    });
    draw();
  } catch (err) {
    $('pilot-summary').textContent = `${t('error')}: ${err.message}`;
  }
}

start();

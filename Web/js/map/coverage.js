// The coverage tab: figures per district, outside the districts and city-wide; the selected
// camera's panel (heading, field of view, range; save, revert). Every edit, typed or dragged on
// the map (map/mouse.js), is sent to the preview API and redrawn before it is saved.
import { api } from '../api.js';
import { $, clear, el } from '../dom.js';
import { t } from '../i18n.js';
import { draw } from './draw.js';
import { fmt, state, status } from './state.js';

/// Loads the saved coverage (figures, cameras and street pieces) and drops unsaved edits.
export async function refreshCoverage() {
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
  clear($('figures'), el('tbody', {},
    el('tr', {}, ...[t('area'), t('mainStreets'), t('courtyards'), t('schoolGrounds')].map((h) => el('th', {}, h))),
    rows.map(([name, m], i) => el('tr', { className: i === rows.length - 1 ? 'total' : '' },
      el('td', {}, name), el('td', {}, pct(m.mainStreets)), el('td', {}, pct(m.courtyards)), el('td', {}, pct(m.schoolGrounds))))));
}

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

/// Shows `camera` (or nothing, for null) in the camera panel; the caller redraws.
export function selectCamera(camera) {
  state.selected = camera;
  $('camera-panel').hidden = !camera;
  if (!camera) return;
  const p = camera.properties;
  $('camera-name').textContent = p.name || `#${p.id}`;
  $('cam-heading').value = p.heading;
  $('cam-fov').value = p.fieldOfView;
  $('cam-range').value = p.range;
}

/// Applies `changes` (location, heading, fieldOfView, range) to the selected camera and previews them.
export function editSelected(changes) {
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

/// The camera panel's fields and buttons.
export function setUpCoverage() {
  for (const [id, key] of [['cam-heading', 'heading'], ['cam-fov', 'fieldOfView'], ['cam-range', 'range']]) {
    $(id).addEventListener('change', () => editSelected({ [key]: Number($(id).value) }));
  }
  $('cam-save').addEventListener('click', saveSelected);
  $('cam-revert').addEventListener('click', async () => { await refreshCoverage(); selectCamera(null); });
}

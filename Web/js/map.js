// The map page (map.html): the city on a canvas and four tabs, one module each under map/:
// coverage (figures, camera editing), hotspots, planner and pilot. This entry loads the city,
// makes the view, wires the tabs, the layer switches and the mouse, and follows links that open
// a tab and run its action. map/state.js holds what the modules share; map/draw.js draws it.
import { api } from './api.js';
import { $ } from './dom.js';
import { t } from './i18n.js';
import { setUpPage } from './nav.js';
import { MapView } from './view.js';
import { refreshCoverage, setUpCoverage } from './map/coverage.js';
import { draw } from './map/draw.js';
import { loadHotspots, loadOffences, setUpHotspots } from './map/hotspots.js';
import { setUpMouse } from './map/mouse.js';
import { evaluate, setUpPilot } from './map/pilot.js';
import { runPlan, setUpPlanner } from './map/planner.js';
import { state, status } from './map/state.js';

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
  const view = new MapView($('map'), state.city.centre);
  state.view = view;
  view.fit(state.city.bbox);
  state.geometry = await api('/api/city/geometry');
  drawableRings(state.geometry.features);
  setUpMouse();
  setUpCoverage();
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

// A building or district with several outer rings comes as a MultiPolygon; the canvas draws every
// ring of a feature with the even-odd rule, so its parts' rings are simply listed one after another.
function drawableRings(features) {
  for (const f of features) {
    if (f.geometry?.type === 'MultiPolygon') f.geometry = { type: 'Polygon', coordinates: f.geometry.coordinates.flat(1) };
  }
  const drawable = features.filter((f) => f.geometry !== null);
  features.splice(0, features.length, ...drawable);
}

function showNoCity() {
  $('no-city').hidden = false;
  $('no-city-text').textContent = t('noCity');
  document.body.dataset.ready = 'true';
}

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

start();

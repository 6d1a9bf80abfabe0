// The hot spots tab: a period (months), offence types and a cell size give the Gi* cells over the
// density surface (GET /api/hotspots), shown as the hot spots layer. The offences layer's points
// (GET /api/offences) load here too, when that layer is first switched on.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { t } from '../i18n.js';
import { draw } from './draw.js';
import { state } from './state.js';

function selectedTypes() {
  return [...document.querySelectorAll('#hs-types input:checked')].map((b) => b.value);
}

export function setUpHotspots() {
  $('hs-refresh').addEventListener('click', async () => { await loadHotspots(); state.layers.hotspots = true; $('layer-hotspots').checked = true; draw(); });
}

export async function loadOffences() {
  state.offences = await api('/api/offences');
}

/// Loads the cells for the tab's choices into `state.hotspots`; the caller redraws.
export async function loadHotspots() {
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

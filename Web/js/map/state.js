// What the map page's modules share: the city, its layers and the camera being edited, the map
// view (set once the city has loaded), and small helpers for text. Each tab's module reads and
// changes `state`; map/draw.js draws it.
import { $ } from '../dom.js';
import { t } from '../i18n.js';

export const state = {
  city: null, geometry: null, streets: [], areas: new Map(), cameras: [], hotspots: null, plan: null,
  offences: null, pilot: null, evaluation: null, selected: null, edits: new Map(), drawMode: false,
  layers: { views: true, streets: true, courtyards: true, hotspots: false, plan: true, offences: false },
  view: null, // the MapView (view.js), once /api/city has answered
};

/// A number with `d` decimals, or "not available".
export const fmt = (v, d = 1) => (v === null || v === undefined ? t('notAvailable') : Number(v).toFixed(d));

/// The line of text in the header.
export function status(text) { $('status').textContent = text; }

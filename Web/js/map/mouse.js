// The mouse on the map: drag to pan, wheel to zoom; drag a camera to move it, drag its handle or
// turn the wheel over it to turn it (the coverage tab's edits); drag a rectangle in the pilot's
// draw mode; a click elsewhere says which cameras see that point.
import { api } from '../api.js';
import { $ } from '../dom.js';
import { t } from '../i18n.js';
import { editSelected, selectCamera } from './coverage.js';
import { draw, handlePosition } from './draw.js';
import { rectangle } from './pilot.js';
import { state, status } from './state.js';

function cameraAt(sx, sy) {
  let best = null;
  let bestD = 10;
  for (const c of state.cameras) {
    const [x, y] = state.view.geoToScreen([c.properties.lon, c.properties.lat]);
    const d = Math.hypot(x - sx, y - sy);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

export function setUpMouse() {
  const view = state.view;
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
}

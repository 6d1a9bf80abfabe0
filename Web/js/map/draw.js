// The map's canvas: districts, hot spot cells, courtyards and school grounds by coverage,
// buildings, streets (covered parts green), lamps, offences, camera views, the plan's cameras,
// the pilot and its controls, the cameras and the selected one's handle, and the scale bar.
// Every tab calls draw() after it changes `state`.
import { coverageColour } from '../view.js';
import { state } from './state.js';

export function draw() {
  const view = state.view;
  if (!view) return;
  const ctx = view.ctx;
  ctx.fillStyle = '#f4f1ea';
  ctx.fillRect(0, 0, view.width, view.height);
  const features = state.geometry ? state.geometry.features : [];
  const of = (kind) => features.filter((f) => f.properties.kind === kind);
  for (const d of of('district')) view.polygon(d.geometry.coordinates, 'rgba(120,140,200,0.06)', 'rgba(80,90,160,0.6)', 1.5);
  if (state.layers.hotspots && state.hotspots) drawHotspots(view);
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
  drawScale(view, ctx);
}

/// Where the selected camera's turning handle is on the screen: 36 px out along its heading.
export function handlePosition(c) {
  const [x, y] = state.view.geoToScreen([c.properties.lon, c.properties.lat]);
  const a = (c.properties.heading * Math.PI) / 180;
  return [x + 36 * Math.sin(a), y - 36 * Math.cos(a)];
}

function drawScale(view, ctx) {
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

function drawHotspots(view) {
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

// Monthly offences, pilot against controls and buffer, as an SVG line chart.
import { clear, svg as svgElement } from './dom.js';

export function drawChart(svg, series, labels) {
  const width = 320;
  const height = 180;
  const pad = { left: 30, right: 8, top: 18, bottom: 34 };
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clear(svg);
  const lines = [
    { values: series.pilot, colour: '#008c8c', label: labels.pilot },
    { values: series.controls, colour: '#555', label: labels.controls },
    { values: series.buffer, colour: '#e08a00', label: labels.buffer },
  ];
  const n = series.labels.length;
  const max = Math.max(1, ...lines.flatMap((l) => l.values));
  const x = (i) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, n - 1);
  const y = (v) => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / max;
  const add = (name, attrs, text) => svg.appendChild(svgElement(name, attrs, text));
  add('text', { x: pad.left, y: 12, 'font-size': 11 }, labels.title);
  add('line', { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), stroke: '#999' });
  add('line', { x1: pad.left, y1: y(0), x2: pad.left, y2: pad.top, stroke: '#999' });
  add('text', { x: 2, y: y(max) + 4, 'font-size': 9 }, String(max));
  add('text', { x: 2, y: y(0), 'font-size': 9 }, '0');
  const sx = x(series.startIndex - 0.5);
  add('line', { x1: sx, y1: pad.top, x2: sx, y2: y(0), stroke: '#c00', 'stroke-dasharray': '3 3' });
  for (let i = 0; i < n; i += Math.max(1, Math.ceil(n / 6))) {
    add('text', { x: x(i), y: height - pad.bottom + 12, 'font-size': 8, 'text-anchor': 'middle' }, series.labels[i]);
  }
  lines.forEach((l, k) => {
    add('polyline', { points: l.values.map((v, i) => `${x(i)},${y(v)}`).join(' '), fill: 'none', stroke: l.colour, 'stroke-width': 1.6 });
    add('rect', { x: pad.left + k * 90, y: height - 12, width: 10, height: 3, fill: l.colour });
    add('text', { x: pad.left + k * 90 + 14, y: height - 8, 'font-size': 9 }, l.label);
  });
}

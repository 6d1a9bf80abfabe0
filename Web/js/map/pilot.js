// The pilot tab: evaluate the demo pilot, or draw a pilot rectangle on the map (map/mouse.js) and
// choose the start month; POST /api/evaluation suggests the controls and gives the counts, RES
// with its 95 % interval, DiD ± SE, WDQ with its meaning, and the chart of monthly offences.
import { api } from '../api.js';
import { drawChart } from '../chart.js';
import { $, clear, el } from '../dom.js';
import { t } from '../i18n.js';
import { draw } from './draw.js';
import { fmt, state } from './state.js';

/// The ring of the rectangle with corners [x1, y1] and [x2, y2].
export function rectangle([x1, y1], [x2, y2]) {
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
}

export async function setUpPilot() {
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

export async function evaluate(body) {
  try {
    const e = await api('/api/evaluation', { method: 'POST', body });
    state.evaluation = e;
    state.pilot = e.pilot.ring;
    const res = e.relativeEffectSize;
    const did = e.differenceInDifferences;
    const wdq = e.displacement;
    const row = (label, counts) => el('tr', {}, el('td', {}, label), el('td', {}, counts));
    clear($('pilot-summary'),
      e.synthetic && el('p', { className: 'synthetic' }, t('synthetic')),
      el('table', {}, el('tbody', {},
        el('tr', {}, el('th'), el('th', {}, t('pilot.counts'))),
        row(t('pilot.pilot'), `${e.pilot.before} / ${e.pilot.after}`),
        row(t('pilot.controls'), `${e.controlTotal.before} / ${e.controlTotal.after}`),
        row(t('pilot.buffer'), `${wdq.buffer.before} / ${wdq.buffer.after}`))),
      el('p', {}, el('b', {}, `${t('pilot.res')}:`), ' ',
        el('span', { id: 'res-value' }, res ? `${fmt(res.value, 2)} [${fmt(res.lower95, 2)}, ${fmt(res.upper95, 2)}]` : t('notAvailable'))),
      el('p', {}, el('b', {}, `${t('pilot.did')}:`),
        ` ${did ? `${fmt(did.estimate, 2)} ± ${fmt(did.standardError, 2)} ${t('pilot.perMonth')}` : t('notAvailable')}`),
      el('p', {}, el('b', {}, `${t('pilot.wdq')}:`),
        ` ${wdq.wdq === null ? t('notAvailable') : fmt(wdq.wdq, 2)} — ${wdq.interpretation}`));
    drawChart($('pilot-chart'), e.series, {
      pilot: t('pilot.pilot'), controls: t('pilot.controls'), buffer: t('pilot.buffer'), title: t('pilot.chart'),
    });
    draw();
  } catch (err) {
    $('pilot-summary').textContent = `${t('error')}: ${err.message}`;
  }
}

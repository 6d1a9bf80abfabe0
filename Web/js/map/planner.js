// The planner tab: a number of cameras or a budget (POST /api/plan) gives the phases table, the
// proposed cameras and their views as the plan layer, and a link to the printable report.
import { api } from '../api.js';
import { $, clear, el } from '../dom.js';
import { t } from '../i18n.js';
import { draw } from './draw.js';
import { fmt, state } from './state.js';

export function setUpPlanner() {
  $('plan-run').addEventListener('click', runPlan);
}

export async function runPlan() {
  const n = Number($('plan-value').value);
  const body = $('plan-kind').value === 'money' ? { budget: n } : { cameras: Math.round(n) };
  $('plan-summary').textContent = t('planning');
  try {
    state.plan = await api('/api/plan', { method: 'POST', body });
    const p = state.plan;
    $('plan-summary').textContent = t('plan.summary', { n: p.cameraCount, cost: fmt(p.totalCost, 1), pct: fmt(p.coveredPercent, 1), s: fmt(p.seconds, 1) });
    const headings = [t('phase'), t('district'), t('cameras', { n: '' }).trim(), t('cost'), t('added')];
    clear($('plan-phases'), el('tbody', {},
      el('tr', {}, headings.map((h) => el('th', {}, h))),
      p.phases.map((ph) => el('tr', {}, [ph.number, ph.district, ph.cameras.length, fmt(ph.cost, 1), fmt(ph.added.weighted, 1)]
        .map((value) => el('td', {}, value))))));
    $('plan-report').hidden = false;
    state.layers.plan = true;
    $('layer-plan').checked = true;
    draw();
  } catch (e) { $('plan-summary').textContent = `${t('error')}: ${e.message}`; }
}

// The one header of every page: wall, playback, health, camera administration (administrators),
// map, audit trail (auditors), live alerts and motion events (operators, administrators), the
// guard's phone page (guards), language, sign-out. Loads the strings in the chosen language and
// returns the signed-in user (or null on the sign-in page).
import { api } from './api.js';
import { clear, el } from './dom.js';
import { LANGUAGES, currentLanguage, loadStrings, setLanguage } from './i18n.js';

const LINKS = [
  ['/live.html', 'nav.wall', ['administrator', 'operator', 'guard', 'analyst']],
  ['/playback.html', 'nav.playback', ['administrator', 'operator', 'analyst']],
  ['/health.html', 'nav.health', ['administrator', 'operator']],
  ['/cameras.html', 'nav.cameras', ['administrator']],
  ['/map.html', 'nav.map', ['administrator', 'operator', 'analyst']],
  ['/audit.html', 'nav.audit', ['administrator', 'auditor']],
  ['/alerts.html', 'nav.alerts', ['administrator', 'operator']],
  ['/events.html', 'nav.events', ['administrator', 'operator']],
  ['/dispatch.html', 'nav.dispatch', ['administrator', 'operator']],
  ['/guards.html', 'nav.guards', ['administrator', 'operator', 'auditor']],
  ['/guard.html', 'nav.guard', ['guard']],
];

export async function setUpPage({ signedIn = true } = {}) {
  const header = document.querySelector('header.nav') || document.body.insertBefore(el('header'), document.body.firstChild);
  header.classList.add('nav');
  let me = null;
  if (signedIn) {
    try { me = await api('/api/session'); } catch { /* api() sends a 401 to the sign-in page */ }
  }
  const links = LINKS.filter(([, , roles]) => me && (!roles || roles.includes(me.role))).map(([href, key]) =>
    el('a', { href, 'aria-current': location.pathname === href ? 'page' : null, 'data-i18n': key }));
  // What the page put in its header (its own controls) moves into the slot between links and the right.
  const slot = el('span', { className: 'nav-slot' }, [...header.childNodes]);
  const right = el('span', { className: 'nav-right' },
    el('select', { id: 'language', 'aria-label': 'Language' }, LANGUAGES.map(([code, name]) => el('option', { value: code }, name))),
    me && [' ', el('span', { className: 'nav-user' }, me.name), ' ', el('button', { id: 'signout', 'data-i18n': 'nav.signout' })]);
  clear(header, [el('b', {}, 'Aula'), ...links].flatMap((node) => [node, ' ']), slot, right);
  const select = header.querySelector('#language');
  select.value = currentLanguage();
  select.addEventListener('change', async () => {
    setLanguage(select.value);
    await loadStrings(select.value);
    window.dispatchEvent(new CustomEvent('aula-language'));
  });
  header.querySelector('#signout')?.addEventListener('click', async () => {
    try { await api('/api/session', { method: 'DELETE' }); } finally { location.href = '/login.html'; }
  });
  await loadStrings(currentLanguage());
  return me;
}

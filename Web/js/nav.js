// The one header of every page: wall, playback, health, camera administration (administrators),
// map, audit trail (auditors), live alerts and motion events (operators, administrators), the
// guard's phone page (guards), language, sign-out. Loads the strings in the chosen language and
// returns the signed-in user (or null on the sign-in page).
import { api } from './api.js';
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
  ['/guard.html', 'nav.guard', ['guard']],
];

export async function setUpPage({ signedIn = true } = {}) {
  const header = document.querySelector('header.nav') || document.body.insertBefore(document.createElement('header'), document.body.firstChild);
  header.classList.add('nav');
  let me = null;
  if (signedIn) {
    try { me = await api('/api/session'); } catch { /* api() sends a 401 to the sign-in page */ }
  }
  const parts = ['<b>Aula</b>'];
  for (const [href, key, roles] of LINKS) {
    if (!me || (roles && !roles.includes(me.role))) continue;
    const current = location.pathname === href ? ' aria-current="page"' : '';
    parts.push(`<a href="${href}"${current} data-i18n="${key}"></a>`);
  }
  parts.push('<span class="nav-slot"></span><span class="nav-right">');
  parts.push(`<select id="language" aria-label="Language">${LANGUAGES.map(([code, name]) => `<option value="${code}">${name}</option>`).join('')}</select>`);
  if (me) parts.push(` <span class="nav-user"></span> <button id="signout" data-i18n="nav.signout"></button>`);
  parts.push('</span>');
  const extra = [...header.childNodes];
  header.innerHTML = parts.join(' ');
  header.querySelector('.nav-slot').append(...extra);
  if (me) header.querySelector('.nav-user').textContent = me.name;
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

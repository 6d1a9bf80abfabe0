// Translations: strings live in /i18n/<lang>.json (kk, ru, en); English is the fallback for a
// missing key. The chosen language persists in localStorage ('aula.lang'); `?lang=` overrides it
// once (and is remembered). Times are shown in the user's time zone with the zone named.
let table = {};
let fallback = {};
let language = 'en';

export const LANGUAGES = [['kk', 'Қазақша'], ['ru', 'Русский'], ['en', 'English']];

export function currentLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  const stored = (() => { try { return localStorage.getItem('aula.lang'); } catch { return null; } })();
  const lang = asked || stored || (navigator.language || 'en').slice(0, 2);
  const known = LANGUAGES.some(([code]) => code === lang);
  if (asked && known && asked !== stored) setLanguage(asked);  // `?lang=` is remembered, as promised above
  return known ? lang : 'en';
}

export function setLanguage(lang) {
  try { localStorage.setItem('aula.lang', lang); } catch { /* private mode: this page only */ }
}

export async function loadStrings(lang = currentLanguage()) {
  fallback = await (await fetch('/i18n/en.json')).json();
  table = fallback;
  language = 'en';
  if (lang && lang !== 'en') {
    try {
      const r = await fetch(`/i18n/${lang}.json`);
      if (r.ok) { table = await r.json(); language = lang; }
    } catch { /* keep English */ }
  }
  document.documentElement.lang = language;
  applyStrings();
}

/// Fills every element with data-i18n (text) or data-i18n-placeholder / data-i18n-title.
export function applyStrings(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
  document.title = t(document.documentElement.dataset.title || 'title');
}

export function t(key, vars = {}) {
  const text = table[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function lang() { return language; }

/// A time in the user's zone, naming the zone ("02.12.2026, 10:15:03 GMT+5").
export function formatTime(value, { seconds = true, date = true } = {}) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return t('notAvailable');
  const options = { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  if (seconds) options.second = '2-digit';
  if (date) Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return new Intl.DateTimeFormat(locale(), options).format(d);
}

/// The user's time zone, named ("Asia/Almaty").
export function timeZone() { return Intl.DateTimeFormat().resolvedOptions().timeZone; }

export function locale() { return { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' }[language] || 'en-GB'; }

export function formatNumber(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return t('notAvailable');
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

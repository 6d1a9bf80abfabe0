// A small translation table: strings live in /i18n/<lang>.json; English is the fallback.
let table = {};
let fallback = {};

export async function loadStrings(lang) {
  fallback = await (await fetch('/i18n/en.json')).json();
  table = fallback;
  if (lang && lang !== 'en') {
    try {
      const r = await fetch(`/i18n/${lang}.json`);
      if (r.ok) table = await r.json();
    } catch { /* keep English */ }
  }
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.title = t('title');
}

export function t(key, vars = {}) {
  const text = table[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

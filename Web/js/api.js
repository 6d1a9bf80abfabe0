// JSON over HTTP; errors are RFC 9457 problem details, turned into Error objects with .problem.
// The session cookie goes with every request by itself; changes also carry the CSRF token
// (docs/security.md#csrf). Without a session the page goes to the sign-in page and comes back.
export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)aula_csrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : '';
}

export async function api(path, { method = 'GET', body, headers: extra = {} } = {}) {
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...extra };
  if (!['GET', 'HEAD'].includes(method)) headers['X-CSRF-Token'] = csrfToken();
  const response = await fetch(path, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && !location.pathname.endsWith('/login.html')) {
    location.href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
  }
  if (!response.ok) {
    const error = new Error(data?.detail || `${response.status} ${response.statusText}`);
    error.problem = data;
    error.status = response.status;
    throw error;
  }
  return data;
}

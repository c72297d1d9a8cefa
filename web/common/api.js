/**
 * Carnet API client for the pages (shop, desk): fetch + the API's error envelope.
 *
 *   import { createApi, ApiError } from "/web/common/api.js";
 *   const api = createApi({ token: () => session.token, onUnauthenticated: () => … });
 *   const org = await api.get(`/orgs/${id}/shop`);
 *   await api.post(`/orgs/${id}/carts/${c}/checkout`, body, { idempotent: true });
 *
 * Every failure is an ApiError {status, code, message, details}: the API's
 * `{"error": {code, message, details}}`, or code "network" (no answer), "service_unavailable"
 * (503 or a gateway timeout), "unexpected" (anything else that is not the envelope).
 * Pages show `i18n.error(err)` to people, never the raw message.
 * `idempotent: true` sends a fresh Idempotency-Key (pass `key` to reuse one on a retry);
 * `createApi({ idempotentPosts: true })` sends one on every POST (the desk: any POST of the
 * counter may be retried safely). `token: null` in a call's options sends no token (and a
 * 401 then is a refusal, not an ended session: `onUnauthenticated` is not called).
 * `api.download(path, filename)` saves a file (a CSV report) fetched with the token.
 * `sessionStore(key, storage)` keeps a session (token, expires_at, …) in local or session
 * storage and forgets it once expired.
 */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function createApi({ base = "/api/v1", token = () => null, onUnauthenticated,
                            idempotentPosts = false } = {}) {
  async function request(method, path, body, options = {}) {
    const headers = { Accept: "application/json" };
    const bearer = options.token === undefined ? token() : options.token;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (options.idempotent || options.key || (idempotentPosts && method === "POST")) {
      headers["Idempotency-Key"] = options.key || newKey();
    }
    let response;
    try {
      response = await fetch(base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError(0, "network", String(cause));
    }
    if (options.raw && response.ok) return response;
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (response.ok) return data;
    const error = data && data.error;
    if (error && error.code) {
      const failure = new ApiError(response.status, error.code, error.message, error.details);
      if (response.status === 401 && bearer && onUnauthenticated) onUnauthenticated(failure);
      throw failure;
    }
    const code = [502, 503, 504].includes(response.status) ? "service_unavailable" : "unexpected";
    throw new ApiError(response.status, code, `HTTP ${response.status}`);
  }

  /** Every item of a paginated list (`{items, next_cursor}`), up to `max` items. */
  async function all(path, params = {}, max = 1000) {
    const items = [];
    const [bare, search] = path.split("?");
    let cursor = null;
    do {
      const query = new URLSearchParams(search);
      for (const [name, value] of Object.entries(params)) query.set(name, value);
      if (!query.has("limit")) query.set("limit", "200");
      if (cursor) query.set("cursor", cursor);
      const page = await request("GET", `${bare}?${query}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return items;
  }

  /** A file (a CSV report) fetched with the token, saved through a link the browser downloads. */
  async function download(path, filename) {
    const response = await request("GET", path, undefined, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  return {
    request, all, download,
    get: (path, options) => request("GET", path, undefined, options),
    post: (path, body = {}, options) => request("POST", path, body, options),
    patch: (path, body, options) => request("PATCH", path, body, options),
    del: (path, options) => request("DELETE", path, undefined, options),
  };
}

/** The claims of a JWT (not verified: the API does that); {} when it cannot be read. */
export function tokenClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return {};
  }
}

/** A session kept under `key` in `storage` (localStorage: across tabs; sessionStorage: this
 * tab only); `load()` answers {} when there is none or it has expired. */
export function sessionStore(key, storage = localStorage) {
  return {
    load() {
      try {
        const stored = JSON.parse(storage.getItem(key) || "{}") || {};
        if (stored.expires_at && new Date(stored.expires_at) <= new Date()) return {};
        return stored;
      } catch {
        return {};
      }
    },
    save: (session) => storage.setItem(key, JSON.stringify(session)),
    clear: () => storage.removeItem(key),
  };
}

// The desk's client of the public API (/api/v1). One token per org, kept for the tab.
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
  // The error in words for a person at the counter (never raw JSON).
  get words() {
    const known = t(`err.${this.code}`, this.details);
    if (known !== `err.${this.code}`) return known;
    if (this.code === "validation_error") {
      const fields = Object.entries(this.details || {})
        .map(([field, msgs]) => `${t("field." + field, {}, field)}: ${[].concat(msgs).flat().join(" ")}`);
      return `${t("err.validation_error")} ${fields.join("; ")}`;
    }
    return this.message || t("err.unknown");
  }
}

const storeKey = (org) => `carnet.desk.${org}`;

export function session(org) {
  try { return JSON.parse(sessionStorage.getItem(storeKey(org))) || null; } catch { return null; }
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch { return {}; }
}

export async function login(org, apiKey) {
  const answer = await request("POST", "/auth/token", { api_key: apiKey }, { anonymous: true });
  const c = claims(answer.token);
  if (c.org_id && c.org_id !== org) throw new ApiError(403, "wrong_org", "");
  const saved = { token: answer.token, expires_at: answer.expires_at, role: c.role || "staff" };
  sessionStorage.setItem(storeKey(org), JSON.stringify(saved));
  return saved;
}

export function logout(org) { sessionStorage.removeItem(storeKey(org)); }

let currentOrg = null;
let onUnauthenticated = () => {};
export function bind(org, whenLoggedOut) { currentOrg = org; onUnauthenticated = whenLoggedOut; }

const uuid = () => (crypto.randomUUID ? crypto.randomUUID()
  : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

// request("GET", "/orgs/{org}/...") — "{org}" is replaced by the bound org.
export async function request(method, path, body, options = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!options.anonymous) {
    const s = session(currentOrg);
    if (s) headers.Authorization = `Bearer ${s.token}`;
  }
  // Every POST that books, charges, cancels or checks out may be retried safely.
  if (method === "POST") headers["Idempotency-Key"] = options.idempotencyKey || uuid();
  let response;
  try {
    response = await fetch(`/api/v1${path.replace("{org}", encodeURIComponent(currentOrg))}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "");
  }
  if (response.status === 204) return null;
  if (options.raw) {
    if (!response.ok) throw new ApiError(response.status, "unknown", "");
    return response;
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(response.status, e.code || `http_${response.status}`, e.message || "", e.details);
    if (response.status === 401 && !options.anonymous) { logout(currentOrg); onUnauthenticated(err); }
    throw err;
  }
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, body);
export const patch = (path, body) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

// Every page of a list (bounded: a desk list is never thousands long on one screen).
export async function all(path, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// A CSV report: fetched with the token, saved through a link the browser downloads.
export async function download(path, filename) {
  const response = await request("GET", path, undefined, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url; a.download = filename;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

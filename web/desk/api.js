// The desk's client of the public API (/api/v1): web/common/api.js (the error envelope, pages
// of lists, downloads), with an Idempotency-Key on every POST and one token per org kept for
// the tab (sessionStorage). Paths may say "{org}": it is replaced by the bound org.
import { ApiError, createApi, sessionStore, tokenClaims } from "../common/api.js";

export { ApiError };

const store = (org) => sessionStore(`carnet.desk.${org}`, sessionStorage);

export function session(org) {
  const saved = store(org).load();
  return saved.token ? saved : null;
}

let currentOrg = null;
let onUnauthenticated = () => {};
export function bind(org, whenLoggedOut) { currentOrg = org; onUnauthenticated = whenLoggedOut; }
export function logout(org) { store(org).clear(); }

const client = createApi({
  idempotentPosts: true,
  token: () => session(currentOrg)?.token,
  onUnauthenticated: (err) => { logout(currentOrg); onUnauthenticated(err); },
});
const at = (path) => path.replace("{org}", encodeURIComponent(currentOrg));

export async function login(org, apiKey) {
  const answer = await client.post("/auth/token", { api_key: apiKey }, { token: null });
  const claims = tokenClaims(answer.token);
  const tokenOrg = claims.org || claims.org_id;  // the token says "org" (docs/security.md)
  if (tokenOrg && tokenOrg !== org) throw new ApiError(403, "wrong_org", "");
  const saved = { token: answer.token, expires_at: answer.expires_at, role: claims.role || "staff" };
  store(org).save(saved);
  return saved;
}

export const request = (method, path, body, options) => client.request(method, at(path), body, options);
export const get = (path) => client.get(at(path));
export const post = (path, body = {}) => client.post(at(path), body);
export const patch = (path, body) => client.patch(at(path), body);
export const del = (path) => client.del(at(path));
// Every page of a list (bounded: a desk list is never thousands long on one screen).
export const all = (path) => client.all(at(path), {}, 1000);
export const download = (path, filename) => client.download(at(path), filename);

// The front desk and back office: one page per org (/desk/<org_id>), views by URL hash.
import * as api from "./api.js";
import { initLang, lang, setLang, t, words } from "./i18n.js";
import { setOrg } from "./fmt.js";
import { h, field, input, messageArea, say } from "./ui.js";
import * as counter from "./views/counter.js";
import * as agenda from "./views/agenda.js";
import * as client from "./views/client.js";
import * as rosters from "./views/rosters.js";
import * as setup from "./views/setup.js";
import * as reports from "./views/reports.js";
import * as team from "./views/team.js";

const ORG = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const VIEWS = { counter, agenda, client, rosters, setup, reports, team };
const NAV = ["counter", "agenda", "rosters", "setup", "reports", "team"];

const ctx = {
  org: null, role: null, client: null, refresh: () => route(),
  // The client selected at the counter, kept for the tab (the agenda and the file use it).
  selectClient(account) {
    ctx.client = account;
    if (account) sessionStorage.setItem(`carnet.desk.${ORG}.client`, JSON.stringify(account));
    else sessionStorage.removeItem(`carnet.desk.${ORG}.client`);
    renderClientBadge();
  },
  // A message shown once at the top of the next view (e.g. "created" after a reload).
  flashText: null,
  flash(text) { ctx.flashText = text; },
  go(hash) { if (location.hash === hash) route(); else location.hash = hash; },
};

const app = document.getElementById("app");

function langSwitch() {
  const other = lang() === "fr" ? "en" : "fr";
  return h("button", {
    type: "button", class: "lang", lang: other,
    "aria-label": other === "en" ? "Switch to English" : "Passer en français",
    onclick: () => { setLang(other); start(); },
  }, other === "en" ? "English" : "Français");
}

function renderLogin() {
  document.title = t("login.title");
  const key = input({ type: "password", autocomplete: "current-password", required: true, name: "api_key" });
  const msg = messageArea();
  const form = h("form", { class: "card login", onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api.login(ORG, key.value.trim());
      start();
    } catch (err) { say(msg, err.code === "invalid_api_key" || err.status === 401 ? t("login.bad_key") : words(err), "error"); }
  } },
  h("h1", {}, t("login.title")),
  h("p", {}, t("login.intro")),
  field(t("login.key"), key, t("login.key_hint")),
  h("button", { type: "submit" }, t("login.submit")), msg);
  app.replaceChildren(h("header", { class: "top" }, h("span", { class: "brand" }, "Carnet"), langSwitch()),
    h("main", { id: "main" }, form));
  key.focus();
}

function renderClientBadge() {
  const badge = document.getElementById("client-badge");
  if (!badge) return;
  if (!ctx.client) { badge.replaceChildren(h("span", { class: "muted" }, t("client.none_selected"))); return; }
  badge.replaceChildren(
    h("a", { href: `#client/${ctx.client.id}` }, t("client.selected", { name: ctx.client.name })),
    h("button", { type: "button", class: "link", "aria-label": t("client.deselect"),
      onclick: () => { ctx.selectClient(null); route(); } }, "×"));
}

function shell() {
  const nav = h("nav", { "aria-label": t("nav.label") }, h("ul", {}, NAV.map((v) =>
    h("li", {}, h("a", { href: `#${v}`, id: `nav-${v}` }, t(`nav.${v}`))))));
  app.replaceChildren(
    h("a", { href: "#main", class: "skip" }, t("nav.skip")),
    h("header", { class: "top" },
      h("span", { class: "brand" }, ctx.org.name),
      h("span", { id: "client-badge", class: "client-badge" }),
      h("span", { class: "role" }, t(`role.${ctx.role}`)),
      langSwitch(),
      h("button", { type: "button", class: "secondary", onclick: () => { api.logout(ORG); start(); } }, t("login.logout"))),
    nav,
    h("main", { id: "main", tabindex: "-1" }));
  renderClientBadge();
}

let routeSeq = 0;
async function route(moveFocus = false) {
  const [name, ...params] = (location.hash.slice(1) || "counter").split("/");
  const view = VIEWS[name] || counter;
  for (const v of NAV) {
    const a = document.getElementById(`nav-${v}`);
    if (a) { if (v === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current"); }
  }
  const main = document.getElementById("main");
  if (!main) return;
  document.title = `${t(`nav.${VIEWS[name] ? name : "counter"}`)} · ${ctx.org.name}`;
  // Each view renders into its own box; only the latest navigation is shown (a slow
  // earlier view never overwrites a later one).
  const token = ++routeSeq;
  const box = h("div", { class: "view" });
  const loading = setTimeout(() => { if (token === routeSeq) main.replaceChildren(h("p", { class: "muted" }, t("common.loading"))); }, 150);
  try {
    await view.render(box, ctx, params.map(decodeURIComponent));
  } catch (err) {
    box.replaceChildren(h("p", { class: "message error", role: "alert" }, words(err)));
  }
  clearTimeout(loading);
  if (token !== routeSeq) return;
  if (ctx.flashText) {
    box.prepend(h("p", { class: "message ok", role: "status" }, ctx.flashText));
    ctx.flashText = null;
  }
  main.replaceChildren(box);
  // After a navigation the keyboard and screen reader start at the new page's title.
  const title = moveFocus && box.querySelector("h1");
  if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: false }); }
}

async function start() {
  api.bind(ORG, () => renderLogin());
  const s = api.session(ORG);
  if (!s || (s.expires_at && Date.parse(s.expires_at) < Date.now())) {
    initLang(null);
    renderLogin();
    return;
  }
  ctx.role = s.role;
  try {
    ctx.org = await api.get("/orgs/{org}");
  } catch (err) {
    initLang(null);
    renderLogin();
    return;
  }
  setOrg(ctx.org);
  initLang(ctx.org.locale);
  try { ctx.client = JSON.parse(sessionStorage.getItem(`carnet.desk.${ORG}.client`)); } catch { ctx.client = null; }
  shell();
  await route();
}

window.addEventListener("hashchange", () => { if (ctx.org && api.session(ORG)) route(true); });
start();

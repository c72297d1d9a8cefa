/**
 * The shop: a single page at /shop/<org_id>, a client of the public API only.
 * Routes are the URL's hash (#/, #/activity/<id>, #/login, #/signup, #/cart, #/done/<invoice>,
 * #/purchases), so every view has its own address and the back button works.
 * The session (customer token, account id, open cart id) is kept in localStorage per org,
 * so a parent stays logged in across pages and tabs until the token expires or they log out.
 */
import { createApi, sessionStore, tokenClaims } from "/web/common/api.js";
import { h, mount } from "/web/common/dom.js";
import { createFormat } from "/web/common/format.js";
import { createI18n, merge, pickLanguage, rememberLanguage } from "/web/common/i18n.js";
import commonEn from "/web/common/i18n/en.js";
import commonFr from "/web/common/i18n/fr.js";
import shopEn from "./i18n/en.js";
import shopFr from "./i18n/fr.js";
import { loginView, signupView } from "./views/auth.js";
import { activityView } from "./views/activity.js";
import { cartView, doneView } from "./views/cart.js";
import { catalogView } from "./views/catalog.js";
import { purchasesView } from "./views/purchases.js";

const DICTIONARIES = { fr: merge(commonFr, shopFr), en: merge(commonEn, shopEn) };
const orgId = decodeURIComponent(location.pathname.split("/")[2] || "");
const STORE = sessionStore(`carnet.shop.${orgId}`);

const app = {
  orgId,
  org: null,
  session: STORE.load(),
  account: null,
  catalog: null,
  cart: null,
  flash: null,
  timers: [],
  path: (suffix = "") => `/orgs/${encodeURIComponent(orgId)}${suffix}`,
};
app.api = createApi({
  token: () => app.session.token,
  onUnauthenticated: () => { if (app.session.token) logout(false); },
});

app.saveSession = () => STORE.save(app.session);
app.loggedIn = () => Boolean(app.session.token && app.session.account_id);

app.login = async (email, password) => {
  const { token, expires_at } = await app.api.post("/auth/login",
                                                   { org_id: orgId, email, password });
  const claims = tokenClaims(token);
  app.session = { token, expires_at, account_id: claims.account, cart_id: null };
  app.saveSession();
  app.account = null;
  await app.loadAccount();
};

function logout(rerender = true) {
  app.session = {};
  app.account = null;
  app.cart = null;
  app.saveSession();
  app.flash = { kind: "ok", text: app.t("auth.logged_out") };
  if (rerender) { location.hash = "#/"; render(); }
}
app.logout = logout;

app.loadAccount = async () => {
  if (!app.loggedIn()) return null;
  if (!app.account) app.account = await app.api.get(app.path(`/accounts/${app.session.account_id}`));
  return app.account;
};

app.memberName = (memberId) => {
  const member = app.account?.members.find((m) => m.id === memberId);
  return member ? `${member.first_name} ${member.last_name}` : "";
};

app.loadCatalog = async (force = false) => {
  if (app.catalog && !force) return app.catalog;
  const [programs, activities, passTypes, memberships, plans] = await Promise.all(
    ["/shop/programs", "/shop/activities", "/shop/pass-types", "/shop/membership-types",
     "/shop/subscription-plans"].map((p) => app.api.all(app.path(p))));
  app.catalog = { programs, activities, passTypes, memberships, plans };
  return app.catalog;
};

app.activity = (id) => app.catalog?.activities.find((a) => a.id === id);

// -- the cart ---------------------------------------------------------------------------------
app.loadCart = async () => {
  app.cart = null;
  if (!app.loggedIn() || !app.session.cart_id) return null;
  try {
    const cart = await app.api.get(app.path(`/carts/${app.session.cart_id}`));
    if (cart.status === "open") app.cart = cart;
  } catch (err) {
    if (err.code !== "not_found" && err.code !== "forbidden") throw err;
  }
  if (!app.cart) { app.session.cart_id = null; app.saveSession(); }
  return app.cart;
};

async function openCart() {
  if (app.cart?.status === "open") return app.cart;
  if (await app.loadCart()) return app.cart;
  app.cart = await app.api.post(app.path("/carts"), { account_id: app.session.account_id });
  app.session.cart_id = app.cart.id;
  app.saveSession();
  return app.cart;
}

/** Add an item to the open cart (opening one if needed); the cart is read again after. */
app.addToCart = async (item) => {
  let cart = await openCart();
  let added;
  try {
    added = await app.api.post(app.path(`/carts/${cart.id}/items`), item);
  } catch (err) {
    if (err.code !== "cart_not_open") throw err;
    app.cart = null;
    app.session.cart_id = null;
    cart = await openCart();
    added = await app.api.post(app.path(`/carts/${cart.id}/items`), item);
  }
  await app.loadCart();
  updateHeader();
  return added;
};

app.cartCount = () => app.cart?.items.length || 0;

// -- language, formats ------------------------------------------------------------------------
function setLanguage(lang) {
  app.lang = lang;
  app.i18n = createI18n(DICTIONARIES, lang);
  app.t = app.i18n.t;
  app.fmt = createFormat({ lang, timeZone: app.org?.timezone || "UTC",
                           currency: app.org?.currency || "CAD" });
  document.documentElement.lang = lang;
}

app.errorText = (err) => app.i18n.error(err);

app.notice = (kind, text) => h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);

app.announce = (text) => { document.getElementById("live").textContent = text; };

// -- header and router ------------------------------------------------------------------------
const ROUTES = [
  [/^#?\/?$/, catalogView, "nav.catalog"],
  [/^#\/activity\/([^/]+)$/, activityView, "nav.catalog"],
  [/^#\/login$/, loginView, "nav.login"],
  [/^#\/signup$/, signupView, "nav.login"],
  [/^#\/cart$/, cartView, "nav.cart"],
  [/^#\/done\/([^/]+)$/, doneView, "nav.cart"],
  [/^#\/purchases$/, purchasesView, "nav.purchases"],
];

function currentRoute() {
  for (const [pattern, view, nav] of ROUTES) {
    const match = location.hash.match(pattern);
    if (match) return { view, nav, params: match.slice(1).map(decodeURIComponent) };
  }
  return { view: catalogView, nav: "nav.catalog", params: [] };
}

function updateHeader() {
  const route = currentRoute();
  const link = (href, key, extra) => h("li", {}, h("a", {
    href, "aria-current": route.nav === key ? "page" : false }, app.t(key), extra));
  const other = app.lang === "fr" ? "en" : "fr";
  mount(document.getElementById("bar"), h("div", { class: "bar-inner" },
    h("a", { class: "brand", href: "#/" }, app.org?.name || app.t("shop")),
    h("nav", { "aria-label": app.t("nav.label") }, h("ul", {},
      link("#/", "nav.catalog"),
      link("#/cart", "nav.cart", app.cartCount()
        ? h("span", { class: "cart-count", "aria-label": app.t("nav.cart_count", { count: app.cartCount() }) },
            String(app.cartCount())) : null),
      app.loggedIn() ? link("#/purchases", "nav.purchases") : null,
      app.loggedIn()
        ? h("li", {}, h("button", { class: "link", type: "button", onclick: () => logout() },
                        app.t("nav.logout")))
        : link("#/login", "nav.login"))),
    h("button", { class: "lang", type: "button", lang: other,
                  onclick: () => { rememberLanguage(other); setLanguage(other); render(); } },
      other === "en" ? "English" : "Français")));
}
app.updateHeader = updateHeader;

let rendering = 0;
async function render() {
  const ticket = ++rendering;
  app.timers.forEach(clearInterval);
  app.timers = [];
  const main = document.getElementById("main");
  const route = currentRoute();
  updateHeader();
  document.title = `${app.org?.name || ""} · ${app.t(route.nav)}`;
  const flash = app.flash;
  app.flash = null;
  mount(main, h("p", { class: "muted" }, app.t("loading")));
  const body = h("div");
  try {
    if (app.loggedIn()) await Promise.all([app.loadAccount(), app.cart ? null : app.loadCart()]);
    await route.view(app, body, ...route.params);
  } catch (err) {
    mount(body, app.notice("error", app.errorText(err)));
  }
  if (ticket !== rendering) return;
  updateHeader();
  // the flash is announced once, by the live region; the notice itself is plain text
  mount(main, flash ? h("div", { class: `notice ${flash.kind} flash` }, flash.text) : null, body);
  if (flash) app.announce(flash.text);
}
app.render = render;
app.go = (hash) => { if (location.hash === hash) render(); else location.hash = hash; };

async function start() {
  setLanguage(pickLanguage(null));
  try {
    app.org = await app.api.get(app.path("/shop"), { token: null });
  } catch (err) {
    mount(document.getElementById("main"), app.notice("error", err.code === "not_found"
      ? app.t("no_shop") : app.errorText(err)));
    return;
  }
  setLanguage(pickLanguage(app.org.locale));
  window.addEventListener("hashchange", () => {
    render().then(() => document.getElementById("main").focus({ preventScroll: false }));
  });
  await render();
}

start();

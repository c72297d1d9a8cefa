// The counter (caisse): find or create the client first, then sell anything to them in one
// cart and take the payment (R4.4: a bundle always goes to a named client).
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section } from "../ui.js";

const memberName = (m) => `${m.first_name} ${m.last_name}`;
const cartKey = (account) => `carnet.desk.cart.${account}`;

export async function render(main, ctx) {
  main.replaceChildren(h("h1", {}, t("nav.counter")), clientFinder(ctx),
    ctx.client ? await seller(ctx) : h("p", { class: "muted" }, t("counter.pick_first")));
}

function clientFinder(ctx) {
  const q = input({ type: "search", name: "q", autocomplete: "off" });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const msg = messageArea();
  const search = async (e) => {
    e.preventDefault();
    const found = await attempt(msg, () => api.get(`/orgs/{org}/accounts?q=${encodeURIComponent(q.value.trim())}&limit=20`));
    if (!found) return;
    results.replaceChildren(found.items.length ? h("ul", { class: "plain" }, found.items.map((a) => h("li", {},
      h("span", {}, h("strong", {}, a.name), " · ", a.email, " · ", a.members.map(memberName).join(", ")),
      h("span", { class: "row-actions" },
        h("button", { type: "button", onclick: () => { ctx.selectClient(a); ctx.refresh(); } },
          t("counter.select_client", { name: a.name })),
        h("a", { href: `#client/${a.id}`, onclick: () => ctx.selectClient(a) }, t("counter.open_file")))))) 
      : h("p", {}, t("counter.no_match")));
  };
  const finder = h("form", { class: "inline", role: "search", onsubmit: search },
    field(t("counter.search"), q, t("counter.search_hint")), h("button", { type: "submit" }, t("common.search")));
  return section(ctx.client ? t("counter.client_title_selected", { name: ctx.client.name }) : t("counter.client_title"),
    finder, results, msg, newClientForm(ctx));
}

function newClientForm(ctx) {
  const name = input({ name: "account_name", required: true, autocomplete: "off" });
  const email = input({ type: "email", name: "email", required: true, autocomplete: "off" });
  const first = input({ name: "first_name", required: true, autocomplete: "off" });
  const last = input({ name: "last_name", required: true, autocomplete: "off" });
  const birth = input({ type: "date", name: "birth_date", required: true });
  const msg = messageArea();
  const form = h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    const account = await attempt(msg, () => api.post("/orgs/{org}/accounts", {
      name: name.value.trim() || `${first.value} ${last.value}`, email: email.value.trim(),
      members: [{ first_name: first.value.trim(), last_name: last.value.trim(), birth_date: birth.value }],
    }));
    if (account) { ctx.selectClient(account); ctx.refresh(); }
  } }, field(t("client.first_name"), first), field(t("client.last_name"), last),
  field(t("client.account_name"), name), field(t("client.email"), email), field(t("client.birth_date"), birth),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("counter.create_client"))), msg);
  return h("details", { class: "new-client" }, h("summary", {}, t("counter.new_client")), form);
}

async function seller(ctx) {
  const account = await api.get(`/orgs/{org}/accounts/${ctx.client.id}`);
  const [bundleTypes, passTypes, memberships, plans, activities] = await Promise.all([
    api.all("/orgs/{org}/bundle-types"), api.all("/orgs/{org}/pass-types"),
    api.all("/orgs/{org}/membership-types"), api.all("/orgs/{org}/subscription-plans"),
    api.all("/orgs/{org}/activities")]);
  const cartBox = h("div", {});
  const msg = messageArea();
  const member = select(account.members.map((m) => [m.id, memberName(m)]), { name: "member_id" });
  const state = { cart: null };

  const loadCart = async () => {
    const id = sessionStorage.getItem(cartKey(account.id));
    state.cart = null;
    if (id) {
      try {
        const cart = await api.get(`/orgs/{org}/carts/${id}`);
        if (cart.status === "open") state.cart = cart;
      } catch { /* an old cart: start again */ }
    }
    drawCart();
  };
  const ensureCart = async () => {
    if (state.cart) return state.cart;
    state.cart = await api.post("/orgs/{org}/carts", { account_id: account.id });
    sessionStorage.setItem(cartKey(account.id), state.cart.id);
    return state.cart;
  };
  const add = (body) => attempt(msg, async () => {
    const cart = await ensureCart();
    await api.post(`/orgs/{org}/carts/${cart.id}/items`, { member_id: member.value, ...body });
    state.cart = await api.get(`/orgs/{org}/carts/${cart.id}`);
    drawCart();
  }, t("counter.added"));

  const addButton = (label, body) => h("button", { type: "button", class: "add", "aria-label": label, onclick: () => add(body) }, t("counter.add"));

  const tabs = {
    bundles: () => bundleTypes.length ? h("ul", { class: "plain" }, bundleTypes.flatMap((b) => b.divisions.map((d) =>
      h("li", {}, h("span", {}, `${b.name} — ${d.name}`), h("span", { class: "price" }, f.money(d.price)),
        addButton(t("counter.add_named", { name: `${b.name} — ${d.name}` }),
          { type: "bundle", bundle_type_id: b.id, division: d.name })))))
      : h("p", {}, t("counter.nothing_to_sell")),
    passes: () => list(passTypes, (p) => [p.name, f.money(p.price), { type: "pass", pass_type_id: p.id }]),
    memberships: () => list(memberships, (m) => [m.name, f.money(m.price), { type: "membership", membership_type_id: m.id }]),
    subscriptions: () => list(plans, (p) => [p.name, t("counter.per_month", { price: f.money(p.monthly_price) }), { type: "subscription", plan_id: p.id }]),
    activities: () => activityTab(activities, add),
  };
  function list(items, describe) {
    if (!items.length) return h("p", {}, t("counter.nothing_to_sell"));
    return h("ul", { class: "plain" }, items.map((x) => {
      const [name, price, body] = describe(x);
      return h("li", {}, h("span", {}, name), h("span", { class: "price" }, price), addButton(t("counter.add_named", { name }), body));
    }));
  }
  const panel = h("div", { class: "tabpanel", role: "tabpanel", id: "sell-panel" });
  const tabButtons = Object.keys(tabs).map((k) => h("button", { type: "button", role: "tab", id: `tab-${k}`,
    "aria-controls": "sell-panel", "aria-selected": "false", onclick: () => show(k) }, t(`counter.tab.${k}`)));
  function show(k) {
    for (const b of tabButtons) b.setAttribute("aria-selected", String(b.id === `tab-${k}`));
    panel.setAttribute("aria-labelledby", `tab-${k}`);
    panel.replaceChildren(tabs[k]());
  }

  function drawCart() {
    const cart = state.cart;
    const method = select([["cash", t("pay.cash")], ["card", t("pay.card")], ["account_credit", t("pay.account_credit")]], { name: "method" });
    const token = input({ name: "card_token", value: "tok_ok", autocomplete: "off" });
    const tokenField = field(t("pay.card_token"), token, t("pay.card_token_hint"));
    tokenField.hidden = true;
    method.addEventListener("change", () => { tokenField.hidden = method.value !== "card"; });
    const result = messageArea();
    const checkout = async () => {
      const body = { payment: { method: cart.total === 0 ? "none" : method.value } };
      if (method.value === "card") body.payment.card_token = token.value.trim();
      const done = await attempt(result, () => api.post(`/orgs/{org}/carts/${cart.id}/checkout`, body));
      if (!done) return;
      sessionStorage.removeItem(cartKey(account.id));
      state.cart = null;
      cartBox.replaceChildren(h("div", { class: "paid", role: "status" },
        h("p", {}, h("strong", {}, t("counter.paid", { number: done.invoice.number, total: f.money(done.invoice.total) }))),
        h("p", {}, h("button", { type: "button", class: "secondary", onclick: () =>
          attempt(result, () => api.download(`/orgs/{org}/invoices/${done.invoice.id}/receipt.pdf`, `receipt-${done.invoice.number}.pdf`)) },
        t("counter.receipt")), " ", h("a", { href: `#client/${account.id}` }, t("counter.open_file"))), result));
    };
    if (!cart || !cart.items.length) {
      cartBox.replaceChildren(h("p", { class: "muted" }, t("counter.cart_empty")));
      return;
    }
    cartBox.replaceChildren(
      h("ul", { class: "plain cart-items" }, cart.items.map((it) => h("li", {},
        h("span", {}, it.description || t(`item.${it.type}`)),
        it.hold_expires_at ? h("small", { class: "muted" }, t("counter.held_until", { time: f.time(it.hold_expires_at) })) : null,
        h("span", { class: "price" }, f.money(it.price)),
        h("button", { type: "button", class: "link", "aria-label": t("counter.remove", { name: it.description || it.type }),
          onclick: () => attempt(msg, async () => {
            await api.del(`/orgs/{org}/carts/${cart.id}/items/${it.id}`);
            state.cart = await api.get(`/orgs/{org}/carts/${cart.id}`);
            drawCart();
          }) }, "×")))),
      h("p", { class: "total" }, t("counter.total"), " ", h("strong", { id: "cart-total" }, f.money(cart.total))),
      cart.total > 0 ? h("div", { class: "grid" }, field(t("pay.method"), method), tokenField) : null,
      h("button", { type: "button", class: "primary", onclick: checkout }, t("counter.checkout")), result);
  }

  const sell = section(t("counter.sell_title", { name: account.name }),
    field(t("counter.for_member"), member),
    h("div", { role: "tablist", class: "tabs", "aria-label": t("counter.catalog") }, tabButtons), panel, msg);
  show("bundles");
  await loadCart();
  return h("div", { class: "two-col" }, sell, section(t("counter.cart"), cartBox));
}

function activityTab(activities, add) {
  if (!activities.length) return h("p", {}, t("counter.nothing_to_sell"));
  const box = h("div", {});
  const pick = select([["", t("common.choose")], ...activities.map((a) => [a.id, a.name])], { name: "activity" });
  pick.addEventListener("change", async () => {
    const a = activities.find((x) => x.id === pick.value);
    if (!a) { box.replaceChildren(); return; }
    const rows = [];
    if (a.session && a.session.enabled) rows.push(h("li", {}, h("span", {}, t("counter.whole_session", { name: a.name })),
      h("span", { class: "price" }, f.money(a.session.price)),
      h("button", { type: "button", class: "add", "aria-label": t("counter.add_named", { name: t("counter.whole_session", { name: a.name }) }),
        onclick: () => add({ type: "session", activity_id: a.id }) }, t("counter.add"))));
    if (a.a_la_carte && a.a_la_carte.enabled) {
      const from = f.localDate();
      const occ = await api.get(`/orgs/{org}/activities/${a.id}/occurrences?from=${from}&to=${f.addDays(from, 120)}&limit=30`);
      for (const o of occ.items) {
        const label = `${a.name} — ${f.datetime(o.starts_at)}`;
        rows.push(h("li", {}, h("span", {}, label, " ", h("small", { class: "muted" }, t("roster.left", { n: o.a_la_carte.available }))),
          h("span", { class: "price" }, f.money(o.a_la_carte.price)),
          h("button", { type: "button", class: "add", disabled: !o.a_la_carte.bookable, "aria-label": t("counter.add_named", { name: label }),
            onclick: () => add({ type: "a_la_carte", occurrence_id: o.id }) }, t("counter.add"))));
      }
    }
    box.replaceChildren(rows.length ? h("ul", { class: "plain" }, rows) : h("p", {}, t("counter.nothing_to_sell")));
  });
  return h("div", {}, field(t("counter.activity"), pick), box);
}

/**
 * The cart: each item with its participant, how it is paid and, for a held seat, the time
 * left on the hold (a lapsed hold is shown as lapsed and must be removed before paying: it
 * is never charged silently). Checkout with a test card, account credit, or nothing to pay.
 * Then the confirmation: invoice number, lines, receipt link.
 */
import { newKey } from "/web/common/api.js";
import { h, mount } from "/web/common/dom.js";

/** The sandbox provider's test cards (docs/shop.md): number → token. */
export const TEST_CARDS = { "4242424242424242": "tok_ok", "4000000000000002": "tok_decline" };

export async function cartView(app, main) {
  if (!app.loggedIn()) {
    app.afterLogin = "#/cart";
    mount(main, h("h1", {}, app.t("cart.title")),
      h("p", {}, app.t("cart.login_first"), " ", h("a", { href: "#/login" }, app.t("nav.login"))));
    return;
  }
  const cart = await app.loadCart();
  app.updateHeader();
  if (!cart || !cart.items.length) {
    mount(main, h("h1", {}, app.t("cart.title")), h("p", {}, app.t("cart.empty")),
      h("a", { class: "button primary", href: "#/" }, app.t("cart.keep_shopping")));
    return;
  }
  const occurrences = await occurrencesOf(app, cart.items);
  const credit = await app.api.get(app.path(`/accounts/${app.session.account_id}/credit`))
    .catch(() => ({ balance: 0 }));
  const message = h("div", { "aria-live": "assertive" });
  const list = h("ul", { class: "plain" }, cart.items.map((item) => itemRow(app, item, occurrences, message)));
  const lapsed = () => list.querySelectorAll("[data-lapsed=true]").length > 0;
  const payment = paymentForm(app, cart, credit, message, lapsed);
  mount(main, h("h1", {}, app.t("cart.title")), message,
    h("section", { class: "card", "aria-label": app.t("cart.items_label") }, list,
      h("p", { class: "spread total" }, h("span", {}, app.t("cart.total")),
        h("strong", { id: "cart-total" }, app.fmt.money(cart.total)))),
    h("p", {}, h("a", { href: "#/" }, app.t("cart.keep_shopping"))),
    payment);
  tick(app, list, payment);
}

async function occurrencesOf(app, items) {
  const ids = [...new Set(items.map((i) => i.occurrence_id).filter(Boolean))];
  const found = await Promise.all(ids.map((id) => app.api.get(app.path(`/occurrences/${id}`))
    .catch(() => null)));
  return Object.fromEntries(found.filter(Boolean).map((o) => [o.id, o]));
}

function describe(app, item, occurrences) {
  const ref = item.reference || {};
  const activity = app.activity(item.activity_id || ref.activity_id);
  const occurrence = occurrences[item.occurrence_id];
  if (item.type === "a_la_carte" && occurrence) {
    return `${occurrence.activity_name || activity?.name || ""} — ${app.fmt.dateTime(occurrence.starts_at)}`;
  }
  if (item.type === "session" && activity) return `${activity.name} — ${app.t("cart.whole_session")}`;
  const named = {
    pass: app.catalog?.passTypes.find((t) => t.id === ref.pass_type_id),
    membership: app.catalog?.memberships.find((t) => t.id === ref.membership_type_id),
    subscription: app.catalog?.plans.find((t) => t.id === ref.plan_id),
  }[item.type];
  return named ? `${app.t(`cart.kind.${item.type}`)} — ${named.name}` : item.description;
}

function itemRow(app, item, occurrences, message) {
  const who = item.member_id ? app.memberName(item.member_id) : null;
  const title = describe(app, item, occurrences);
  let paidWith = null;
  if (item.pay_with) {
    const passItem = app.cart.items.find((i) => i.id === item.pay_with.cart_item_id);
    paidWith = passItem ? app.t("cart.paid_with_cart_pass") : app.t("cart.paid_with_pass");
  }
  const hold = item.hold_expires_at
    ? h("span", { class: "hold small", "data-expires": item.hold_expires_at }) : null;
  return h("li", { "data-item": item.id, "data-type": item.type },
    h("div", { class: "spread" },
      h("span", {}, h("strong", {}, title), who ? h("span", { class: "muted" }, ` · ${who}`) : null),
      h("span", { class: "price" }, app.fmt.money(item.price))),
    h("div", { class: "spread small" },
      h("span", {}, paidWith ? h("span", { class: "tag ok" }, paidWith) : null, " ", hold),
      h("button", { type: "button", class: "link", "aria-label": app.t("cart.remove_named", { name: title }),
        onclick: async () => {
          try {
            await app.api.del(app.path(`/carts/${app.cart.id}/items/${item.id}`));
            app.flash = { kind: "ok", text: app.t("cart.removed") };
            app.cart = null;
            app.render();
          } catch (err) {
            mount(message, app.notice("error", app.errorText(err)));
          }
        } }, app.t("cart.remove"))));
}

function tick(app, list, payment) {
  const update = () => {
    for (const span of list.querySelectorAll("[data-expires]")) {
      const left = new Date(span.dataset.expires) - Date.now();
      const row = span.closest("li");
      if (left > 0) {
        span.className = "hold small tag";
        span.textContent = app.t("cart.hold_left", { time: app.fmt.countdown(left) });
      } else if (row.dataset.lapsed !== "true") {
        row.dataset.lapsed = "true";
        span.className = "hold small tag bad";
        span.textContent = app.t("cart.hold_lapsed");
        payment.dispatchEvent(new Event("lapsed"));
      }
    }
  };
  update();
  app.timers.push(setInterval(update, 1000));
}

function paymentForm(app, cart, credit, message, lapsed) {
  const section = h("section", { class: "card", "aria-labelledby": "pay" });
  const blocker = h("div");
  const refresh = () => {
    const blocked = lapsed();
    mount(blocker, blocked ? app.notice("warn", app.t("cart.remove_lapsed")) : null);
    section.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = blocked; });
  };
  section.addEventListener("lapsed", refresh);

  async function pay(payment, submit) {
    submit.disabled = true;
    mount(message);
    try {
      const result = await app.api.post(app.path(`/carts/${cart.id}/checkout`), { payment },
                                        { key: newKey() });
      app.session.cart_id = null;
      app.saveSession();
      app.cart = null;
      app.lastCheckout = result;
      app.go(`#/done/${encodeURIComponent(result.invoice.id)}`);
    } catch (err) {
      mount(message, app.notice("error", app.errorText(err)));
      message.scrollIntoView({ block: "center" });
      submit.disabled = false;
    }
  }

  if (cart.total === 0) {
    const submit = h("button", { type: "submit", class: "primary" }, app.t("cart.confirm_free"));
    mount(section, h("h2", { id: "pay" }, app.t("cart.pay_title")), blocker,
      h("form", { onsubmit: (e) => { e.preventDefault(); pay({ method: "none" }, submit); } }, submit));
    refresh();
    return section;
  }
  const cardError = h("div");
  const cardSubmit = h("button", { type: "submit", class: "primary" },
    app.t("cart.pay_card", { total: app.fmt.money(cart.total) }));
  const input = (id, label, attrs) => h("div", {}, h("label", { for: id }, label), h("input", { id, name: id, ...attrs }));
  const cardForm = h("form", { novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    const number = cardForm.querySelector("#card-number").value.replace(/\D/g, "");
    const token = TEST_CARDS[number];
    if (!token) {
      mount(cardError, app.notice("error", app.t("cart.unknown_card")));
      return;
    }
    mount(cardError);
    pay({ method: "card", card_token: token }, cardSubmit);
  } },
  h("h3", {}, app.t("cart.card")),
  h("p", { class: "testcards" }, app.t("cart.test_cards")),
  cardError,
  h("div", { class: "fields" },
    input("card-number", app.t("cart.card_number"), { inputmode: "numeric", autocomplete: "cc-number",
                                                      placeholder: "4242 4242 4242 4242", required: true }),
    input("card-name", app.t("cart.card_name"), { autocomplete: "cc-name" }),
    input("card-expiry", app.t("cart.card_expiry"), { autocomplete: "cc-exp", placeholder: "12/30" }),
    input("card-cvc", app.t("cart.card_cvc"), { inputmode: "numeric", autocomplete: "cc-csc", placeholder: "123" })),
  h("div", { class: "row", style: "margin-top:1rem" }, cardSubmit));
  let creditForm = null;
  if (credit.balance >= cart.total) {
    const submit = h("button", { type: "submit" }, app.t("cart.pay_credit", { total: app.fmt.money(cart.total) }));
    creditForm = h("form", { onsubmit: (e) => { e.preventDefault(); pay({ method: "account_credit" }, submit); } },
      h("h3", {}, app.t("cart.credit")),
      h("p", {}, app.t("cart.credit_balance", { balance: app.fmt.money(credit.balance) })), submit);
  }
  mount(section, h("h2", { id: "pay" }, app.t("cart.pay_title")), blocker, creditForm, cardForm);
  refresh();
  return section;
}

export async function doneView(app, main, invoiceId) {
  const invoice = app.lastCheckout?.invoice?.id === invoiceId ? app.lastCheckout.invoice
    : await app.api.get(app.path(`/invoices/${invoiceId}`));
  const receipt = h("a", { href: `/api/v1${app.path(`/invoices/${invoice.id}/receipt.pdf`)}`,
                           onclick: (event) => openReceipt(event, app, invoice, status) },
    app.t("done.receipt"));
  const status = h("span", { role: "status", class: "small" });
  mount(main,
    h("h1", {}, app.t("done.title")),
    app.notice("ok", app.t("done.invoice", { number: invoice.number })),
    invoiceTable(app, invoice),
    h("p", { class: "row" }, receipt, status),
    h("p", { class: "row" }, h("a", { class: "button primary", href: "#/purchases" }, app.t("nav.purchases")),
      h("a", { class: "button", href: "#/" }, app.t("cart.keep_shopping"))));
}

export function invoiceTable(app, invoice) {
  return h("table", { class: "card" },
    h("caption", { class: "visually-hidden" }, app.t("done.invoice", { number: invoice.number })),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, app.t("done.line")),
      h("th", { scope: "col" }, app.t("done.paid_with")), h("th", { scope: "col", class: "num" }, app.t("done.amount")))),
    h("tbody", {}, invoice.lines.map((line) => h("tr", {},
      h("td", {}, line.description, line.member_id && app.memberName(line.member_id)
        ? h("span", { class: "muted" }, ` · ${app.memberName(line.member_id)}`) : null),
      h("td", {}, line.paid_with === "money" && line.payment_method
        ? app.t(`done.method.${line.payment_method}`) : app.t(`done.with.${line.paid_with}`)),
      h("td", { class: "num" }, app.fmt.money(line.amount))))),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: "2" }, app.t("cart.total")),
      h("td", { class: "num" }, h("strong", {}, app.fmt.money(invoice.total))))));
}

/** The receipt needs the customer's token: fetch it and open the PDF from memory. */
export async function openReceipt(event, app, invoice, status) {
  event.preventDefault();
  try {
    await app.api.download(app.path(`/invoices/${invoice.id}/receipt.pdf`),
                           `receipt-${invoice.number}.pdf`);
  } catch (err) {
    status.textContent = err.code === "not_found" ? app.t("done.receipt_missing") : app.errorText(err);
  }
}

/**
 * "My purchases": registrations per member (upcoming, past), cancel where allowed with the
 * consequence stated first (R3.5: the use back to the pass, the amount to account credit,
 * or why it cannot be cancelled); passes with uses left and expiry; subscriptions with
 * "withdraw" (R6.3); invoices with their receipts; the account's credit. First, when there
 * are any, the waiting-list entries (R3.9): an offered seat with its deadline and "claim".
 */
import { h, mount } from "/web/common/dom.js";
import { openReceipt } from "./cart.js";
import { loadWaitlist, waitlistSection } from "./waitlist.js";

export async function purchasesView(app, main) {
  if (!app.loggedIn()) {
    app.afterLogin = "#/purchases";
    mount(main, h("h1", {}, app.t("nav.purchases")),
      h("p", {}, h("a", { href: "#/login" }, app.t("nav.login"))));
    return;
  }
  await app.loadCatalog();
  const account = `/accounts/${app.session.account_id}`;
  const [registrations, passes, subscriptions, invoices, credit, waitlist] = await Promise.all([
    app.api.all(app.path(`${account}/registrations`)),
    app.api.get(app.path(`${account}/passes`)).then((r) => r.items),
    app.api.get(app.path(`${account}/subscriptions`)).then((r) => r.items),
    app.api.all(app.path(`${account}/invoices`)),
    app.api.get(app.path(`${account}/credit`)),
    loadWaitlist(app),
  ]);
  const ctx = { app, passes, message: h("div", { "aria-live": "assertive" }) };
  mount(main,
    h("h1", {}, app.t("nav.purchases")), ctx.message,
    waitlist.length ? waitlistSection(app, waitlist, () => app.render()) : null,
    h("section", { "aria-labelledby": "regs" }, h("h2", { id: "regs" }, app.t("me.registrations")),
      app.account.members.map((m) => memberRegistrations(ctx, m,
        registrations.filter((r) => r.member_id === m.id && ["confirmed", "cancelled"].includes(r.status)))),
    ),
    h("section", { class: "card", "aria-labelledby": "passes" }, h("h2", { id: "passes" }, app.t("me.passes")),
      passes.length ? h("ul", { class: "plain" }, passes.map((p) => passRow(app, p)))
        : h("p", { class: "muted" }, app.t("me.none"))),
    h("section", { class: "card", "aria-labelledby": "subs" }, h("h2", { id: "subs" }, app.t("me.subscriptions")),
      subscriptions.length ? h("ul", { class: "plain" }, subscriptions.map((s) => subscriptionRow(ctx, s)))
        : h("p", { class: "muted" }, app.t("me.none"))),
    h("section", { class: "card", "aria-labelledby": "invoices" }, h("h2", { id: "invoices" }, app.t("me.invoices")),
      invoices.length ? h("ul", { class: "plain" }, invoices.map((i) => invoiceRow(app, i)))
        : h("p", { class: "muted" }, app.t("me.none"))),
    h("section", { class: "card", "aria-labelledby": "credit" }, h("h2", { id: "credit" }, app.t("me.credit")),
      h("p", { id: "credit-balance" }, app.fmt.money(credit.balance))));
}

function memberRegistrations(ctx, member, registrations) {
  const { app } = ctx;
  const now = new Date();
  const upcoming = registrations.filter((r) => r.status === "confirmed"
    && (!r.starts_at || new Date(r.starts_at) >= now));
  const past = registrations.filter((r) => !upcoming.includes(r));
  const byDate = (a, b) => String(a.starts_at).localeCompare(String(b.starts_at));
  return h("section", { class: "card", "data-member": member.id },
    h("h3", {}, `${member.first_name} ${member.last_name}`),
    h("h4", {}, app.t("me.upcoming")),
    upcoming.length ? h("ul", { class: "plain" }, upcoming.sort(byDate).map((r) => registrationRow(ctx, r)))
      : h("p", { class: "muted" }, app.t("me.none")),
    past.length ? [h("h4", {}, app.t("me.past")),
      h("ul", { class: "plain" }, past.sort(byDate).reverse().map((r) => registrationRow(ctx, r)))] : null);
}

function title(app, registration) {
  const activity = app.activity(registration.activity_id);
  const name = activity?.name || registration.description;
  if (registration.kind === "session") return `${name} — ${app.t("cart.whole_session")}`;
  return `${name} — ${registration.starts_at ? app.fmt.dateTime(registration.starts_at) : ""}`;
}

function paidWith(ctx, registration) {
  const { app, passes } = ctx;
  const paid = registration.paid_with || {};
  if (paid.type === "pass") {
    const pass = passes.find((p) => p.id === paid.id);
    return app.t("me.paid_pass", { name: pass?.name || "" });
  }
  if (paid.type === "subscription") return app.t("me.paid_subscription");
  return app.t("me.paid_money", { amount: app.fmt.money(registration.price) });
}

/** What cancelling does, or why it cannot be done: {allowed, text}. */
async function consequence(ctx, registration) {
  const { app, passes } = ctx;
  const activity = app.activity(registration.activity_id);
  if (registration.kind !== "a_la_carte") return { allowed: false, text: app.t("me.session_contact") };
  const policy = activity?.a_la_carte?.cancellation || {};
  if (!policy.allowed) return { allowed: false, text: app.t("errors.cancellation_not_allowed") };
  const deadline = new Date(new Date(registration.starts_at) - (policy.deadline_minutes_before || 0) * 60000);
  if (deadline <= new Date()) {
    return { allowed: false, text: app.t("me.deadline_passed", { date: app.fmt.dateTime(deadline) }) };
  }
  const paid = registration.paid_with || {};
  if (paid.type === "pass") {
    const pass = passes.find((p) => p.id === paid.id);
    let back = true;
    if (pass) {
      const terms = await app.api.get(app.path(`/pass-types/${pass.pass_type_id}?terms_version=${pass.terms_version}`))
        .catch(() => null);
      back = terms ? terms.credit_on_cancel : true;
    }
    return { allowed: true, text: back ? app.t("me.use_back", { name: pass?.name || "" })
      : app.t("me.use_lost", { name: pass?.name || "" }) };
  }
  if (paid.type === "subscription") return { allowed: true, text: app.t("me.seat_freed") };
  return { allowed: true, text: registration.price
    ? app.t("me.to_credit", { amount: app.fmt.money(registration.price) }) : app.t("me.seat_freed") };
}

function registrationRow(ctx, registration) {
  const { app } = ctx;
  const panel = h("div");
  const cancelled = registration.status === "cancelled";
  const upcoming = !cancelled && (!registration.starts_at || new Date(registration.starts_at) >= new Date());
  const button = upcoming ? h("button", { type: "button", class: "danger", "aria-expanded": "false",
    onclick: async () => {
      button.setAttribute("aria-expanded", "true");
      const result = await consequence(ctx, registration);
      const confirm = result.allowed ? h("button", { type: "button", class: "danger", onclick: async () => {
        confirm.disabled = true;
        try {
          const done = await app.api.post(app.path(`/registrations/${registration.id}/cancel`), {},
                                          { idempotent: true });
          app.flash = { kind: "ok", text: `${app.t("me.cancelled_ok")} ${result.text}` };
          if (done.refund_to_credit) app.flash.text = `${app.t("me.cancelled_ok")} ${app.t("me.to_credit", { amount: app.fmt.money(done.refund_to_credit) })}`;
          app.render();
        } catch (err) {
          mount(ctx.message, app.notice("error", app.errorText(err)));
          confirm.disabled = false;
        }
      } }, app.t("me.confirm_cancel")) : null;
      mount(panel, h("div", { class: "confirm-box", role: "status" }, h("p", {}, result.text),
        h("div", { class: "row" }, confirm,
          h("button", { type: "button", onclick: () => { mount(panel); button.setAttribute("aria-expanded", "false"); button.focus(); } },
            app.t("me.keep")))));
      (confirm || panel.querySelector("button")).focus();
    } }, app.t("me.cancel")) : null;
  return h("li", { "data-registration": registration.id },
    h("div", { class: "spread" }, h("strong", {}, title(app, registration)),
      cancelled ? h("span", { class: "tag bad" }, app.t("me.cancelled")) : button),
    h("div", { class: "small muted" }, paidWith(ctx, registration)), panel);
}

function passRow(app, pass) {
  const left = pass.uses_left == null ? app.t("pass.unlimited")
    : app.t("me.uses_left", { left: pass.uses_left, total: pass.uses_total });
  return h("li", { "data-pass": pass.id },
    h("div", { class: "spread" }, h("strong", {}, pass.name),
      h("span", { class: `tag ${pass.status === "active" ? "ok" : "bad"}` }, app.t(`me.pass_status.${pass.status}`))),
    h("div", {}, h("span", { class: "uses-left" }, left),
      pass.expires_at ? ` · ${app.t("me.expires", { date: app.fmt.shortDate(pass.expires_at) })}` : "",
      pass.family ? ` · ${app.t("pass.family")}` : ""));
}

function subscriptionRow(ctx, subscription) {
  const { app } = ctx;
  const panel = h("div");
  const end = app.fmt.shortDate(subscription.current_period_end);
  const withdrawing = subscription.cancel_at_period_end;
  const active = subscription.status !== "cancelled";
  const button = active && !withdrawing ? h("button", { type: "button", class: "danger", onclick: () => {
    const confirm = h("button", { type: "button", class: "danger", onclick: async () => {
      confirm.disabled = true;
      try {
        await app.api.post(app.path(`/subscriptions/${subscription.id}/cancel`), {}, { idempotent: true });
        app.flash = { kind: "ok", text: app.t("me.withdrawn", { date: end }) };
        app.render();
      } catch (err) {
        mount(ctx.message, app.notice("error", app.errorText(err)));
        confirm.disabled = false;
      }
    } }, app.t("me.confirm_withdraw"));
    mount(panel, h("div", { class: "confirm-box", role: "status" }, h("p", {}, app.t("me.withdraw_consequence", { date: end })),
      h("div", { class: "row" }, confirm, h("button", { type: "button", onclick: () => mount(panel) }, app.t("me.keep")))));
    confirm.focus();
  } }, app.t("me.withdraw")) : null;
  return h("li", {},
    h("div", { class: "spread" }, h("strong", {}, subscription.description || ""), button),
    h("div", { class: "small" }, app.t("plan.monthly", { price: app.fmt.money(subscription.monthly_price) }), " · ",
      !active ? app.t("me.sub_cancelled") : withdrawing ? app.t("me.sub_ends", { date: end })
        : app.t("me.sub_paid_through", { date: end }),
      subscription.status === "past_due" ? [" · ", h("span", { class: "tag bad" }, app.t("me.past_due"))] : null),
    panel);
}

function invoiceRow(app, invoice) {
  const status = h("span", { role: "status", class: "small" });
  return h("li", {},
    h("div", { class: "spread" },
      h("strong", {}, app.t("done.invoice", { number: invoice.number })),
      h("span", {}, app.fmt.money(invoice.total))),
    h("div", { class: "small row" },
      invoice.issued_at ? app.fmt.shortDate(invoice.issued_at) : "",
      invoice.status === "void" ? h("span", { class: "tag bad" }, app.t("me.void")) : null,
      h("a", { href: `/api/v1${app.path(`/invoices/${invoice.id}/receipt.pdf`)}`,
               onclick: (event) => openReceipt(event, app, invoice, status),
               "aria-label": app.t("me.receipt_named", { number: invoice.number }) }, app.t("done.receipt")),
      status));
}

// The client file (fiche client): members, contact, credit, passes with their ledger,
// bundles per service (total, booked, used, remaining — R4.5), memberships, subscriptions,
// invoices (void, refund), registrations and appointments with cancel.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as f from "../fmt.js";
import { h, field, input, select, messageArea, say, attempt, section, table, dialog, confirmDialog } from "../ui.js";

const safe = (p, empty) => p.catch(() => empty);
const signed = (n) => (n > 0 ? `+${n}` : String(n ?? 0));

export async function render(main, ctx, [accountId]) {
  const id = accountId || (ctx.client && ctx.client.id);
  if (!id) { main.replaceChildren(h("h1", {}, t("client.file")), h("p", {}, t("client.pick"), " ", h("a", { href: "#counter" }, t("nav.counter")))); return; }
  const account = await api.get(`/orgs/{org}/accounts/${id}`);
  if (!ctx.client || ctx.client.id !== account.id) ctx.selectClient(account);
  const none = { items: [] };
  const [credit, passes, bundles, memberships, subs, invoices, regs, appts, services, activities] = await Promise.all([
    safe(api.get(`/orgs/{org}/accounts/${id}/credit`), null), safe(api.get(`/orgs/{org}/accounts/${id}/passes`), none),
    safe(api.get(`/orgs/{org}/accounts/${id}/bundles`), none), safe(api.get(`/orgs/{org}/accounts/${id}/memberships`), none),
    safe(api.get(`/orgs/{org}/accounts/${id}/subscriptions`), none), safe(api.get(`/orgs/{org}/accounts/${id}/invoices?limit=100`), none),
    safe(api.get(`/orgs/{org}/accounts/${id}/registrations`), none), safe(api.get(`/orgs/{org}/accounts/${id}/appointments`), none),
    safe(api.all("/orgs/{org}/services"), []), safe(api.all("/orgs/{org}/activities"), [])]);
  const serviceName = (sid) => (services.find((s) => s.id === sid) || {}).name || sid;
  const activityName = (aid) => (activities.find((a) => a.id === aid) || {}).name || aid;
  const memberName = (mid) => { const m = account.members.find((x) => x.id === mid); return m ? `${m.first_name} ${m.last_name}` : "—"; };
  const msg = messageArea();
  const reload = () => ctx.go(`#client/${id}`);
  const now = new Date().toISOString();

  main.replaceChildren(
    h("h1", {}, t("client.file_of", { name: account.name })),
    h("p", { class: "toolbar" }, h("a", { href: "#counter", class: "button" }, t("client.sell")), " ",
      h("a", { href: "#agenda", class: "button secondary" }, t("client.book"))),
    msg,
    h("div", { class: "two-col" },
      section(t("client.contact"),
        h("dl", {}, h("dt", {}, t("client.email")), h("dd", {}, account.email),
          h("dt", {}, t("client.credit")), h("dd", { id: "credit-balance" }, credit ? f.money(credit.balance) : "—")),
        h("h3", {}, t("client.members")),
        h("ul", { class: "plain" }, account.members.map((m) => h("li", {}, `${m.first_name} ${m.last_name}`, " · ", f.plainDate(m.birth_date)))),
        addMember(id, reload)),
      section(t("client.bundles"), bundles.items.length ? bundles.items.map((b) => h("div", { class: "bundle", dataset: { bundle: b.id } },
        h("h3", {}, `${b.name || t("bundle.bundle")} — ${b.division}`, b.status === "revoked" ? ` (${t("status.revoked")})` : ""),
        table([t("bundle.service"), t("bundle.total"), t("bundle.booked"), t("bundle.used"), t("bundle.remaining")],
          b.items.map((i) => [serviceName(i.service_id), i.total, i.booked, i.used, h("strong", {}, String(i.remaining))])),
        h("button", { type: "button", class: "link", onclick: () => bundleLedger(b, serviceName) }, t("client.ledger"))))
        : h("p", { class: "muted" }, t("common.none")))),
    section(t("client.passes"), table([t("pass.name"), t("pass.member"), t("pass.uses_left"), t("pass.expires"), t("pass.status"), ""],
      passes.items.map((p) => [p.name, p.family ? t("pass.family") : memberName(p.member_id),
        p.uses_total === null ? t("pass.unlimited") : `${p.uses_left} / ${p.uses_total}`, f.date(p.expires_at), t(`status.${p.status}`, {}, p.status),
        h("button", { type: "button", class: "link", onclick: () => passLedger(p, activityName) }, t("client.ledger"))]))),
    section(t("client.memberships"), table([t("membership.name"), t("pass.member"), t("membership.from"), t("membership.to"), t("pass.status")],
      memberships.items.map((m) => [m.name, memberName(m.member_id), m.starts_on ? f.plainDate(m.starts_on) : "—", m.last_day ? f.plainDate(m.last_day) : "—", t(`status.${m.status}`, {}, m.status)]))),
    section(t("client.subscriptions"), table([t("sub.plan"), t("pass.member"), t("sub.price"), t("pass.status"), t("sub.next_charge"), ""],
      subs.items.map((s) => [s.description || s.plan_id, memberName(s.member_id), f.money(s.monthly_price),
        t(`status.${s.status}`, {}, s.status) + (s.cancel_at_period_end ? ` · ${t("sub.ends_at_period_end")}` : ""),
        s.status === "cancelled" || s.cancel_at_period_end ? "—" : f.plainDate(String(s.current_period_end).slice(0, 10)),
        s.status === "cancelled" ? "" : h("button", { type: "button", class: "secondary", onclick: async () => {
          if (!await confirmDialog(t("sub.withdraw_title"), [t("sub.withdraw_consequence", { date: f.plainDate(String(s.current_period_end).slice(0, 10)) })], t("sub.withdraw"))) return;
          if (await attempt(msg, () => api.post(`/orgs/{org}/subscriptions/${s.id}/cancel`, {}), t("sub.withdrawn"))) reload();
        } }, t("sub.withdraw"))]))),
    section(t("client.invoices"), table([t("invoice.number"), t("invoice.date"), t("invoice.total"), t("pass.status"), ""],
      invoices.items.map((inv) => [String(inv.number), f.datetime(inv.issued_at), f.money(inv.total), t(`status.${inv.status}`, {}, inv.status),
        h("span", { class: "row-actions" },
          h("button", { type: "button", class: "link", onclick: () => attempt(msg, () => api.download(`/orgs/{org}/invoices/${inv.id}/receipt.pdf`, `receipt-${inv.number}.pdf`)) }, t("counter.receipt")),
          inv.status !== "void" ? h("button", { type: "button", class: "secondary", onclick: () => voidInvoice(inv, msg, reload) }, t("invoice.void")) : null,
          inv.total > 0 ? h("button", { type: "button", class: "secondary", onclick: () => refund(inv, msg, reload) }, t("invoice.refund")) : null)]))),
    section(t("client.registrations"), table([t("reg.activity"), t("pass.member"), t("reg.kind"), t("reg.when"), t("reg.paid_with"), t("pass.status"), ""],
      regs.items.filter((r) => r.status !== "released" && r.status !== "expired").map((r) => [r.description || activityName(r.activity_id), r.member_name || memberName(r.member_id),
        t(`kind.${r.kind}`), r.starts_at ? f.datetime(r.starts_at) : t("kind.session"), t(`paid.${r.paid_with.type}`, {}, r.paid_with.type),
        t(`status.${r.status}`, {}, r.status),
        r.status === "confirmed" ? h("button", { type: "button", class: "secondary", onclick: () => cancelRegistration(r, msg, reload) }, t("reg.cancel")) : ""]))),
    section(t("client.appointments"), table([t("agenda.service"), t("pass.member"), t("reg.when"), t("agenda.staff"), t("invoice.total"), t("pass.status"), ""],
      appts.items.map((a) => [a.service_name || serviceName(a.service_id), a.member_name || memberName(a.member_id), f.datetime(a.starts_at),
        a.staff_name || "—", f.money(a.price), `${t(`appt.${a.status}`, {}, a.status)}${a.starts_at > now ? "" : ""}`,
        a.status === "booked" ? h("button", { type: "button", class: "secondary", onclick: async () => {
          if (await attempt(msg, () => api.post(`/orgs/{org}/appointments/${a.id}/cancel`, {}), t("agenda.cancelled"))) reload();
        } }, t("agenda.cancel")) : ""]))));
}

function addMember(accountId, reload) {
  const first = input({ name: "m_first", required: true }), last = input({ name: "m_last", required: true });
  const birth = input({ type: "date", name: "m_birth", required: true });
  const area = messageArea();
  return h("details", {}, h("summary", {}, t("client.add_member")), h("form", { class: "grid", onsubmit: async (e) => {
    e.preventDefault();
    if (await attempt(area, () => api.post(`/orgs/{org}/accounts/${accountId}/members`, { first_name: first.value.trim(), last_name: last.value.trim(), birth_date: birth.value }))) reload();
  } }, field(t("client.first_name"), first), field(t("client.last_name"), last), field(t("client.birth_date"), birth),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("client.add_member"))), area));
}

async function passLedger(p, activityName) {
  const area = messageArea();
  const data = await attempt(area, () => api.get(`/orgs/{org}/passes/${p.id}/ledger`));
  await dialog(t("client.ledger_of", { name: p.name }), (close) => h("div", {}, area,
    data ? table([t("ledger.when"), t("ledger.kind"), t("ledger.delta"), t("ledger.about"), t("ledger.reason")],
      data.items.map((e) => [f.datetime(e.created_at), t(`ledger.${e.kind}`, {}, e.kind), e.delta > 0 ? `+${e.delta}` : String(e.delta),
        e.activity_id ? `${activityName(e.activity_id)} ${e.occurrence_starts_at ? f.datetime(e.occurrence_starts_at) : ""}` : "—", e.reason || ""])) : null,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => close() }, t("common.close")))));
}

async function bundleLedger(b, serviceName) {
  const area = messageArea();
  const data = await attempt(area, () => api.get(`/orgs/{org}/bundles/${b.id}/ledger`));
  await dialog(t("client.ledger_of", { name: `${b.name || ""} — ${b.division}` }), (close) => h("div", {}, area,
    data ? table([t("ledger.when"), t("ledger.kind"), t("bundle.service"), t("bundle.booked"), t("bundle.used")],
      data.items.map((e) => [f.datetime(e.created_at), t(`ledger.${e.kind}`, {}, e.kind), e.service_id ? serviceName(e.service_id) : "—", signed(e.booked), signed(e.used)])) : null,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => close() }, t("common.close")))));
}

const CONSEQUENCE = { session: "void.seat", a_la_carte: "void.seat", pass: "void.pass", bundle: "void.bundle",
  membership: "void.membership", subscription: "void.subscription", appointment: "void.appointment" };

async function voidInvoice(summary, msg, reload) {
  const inv = await attempt(msg, () => api.get(`/orgs/{org}/invoices/${summary.id}`));
  if (!inv) return;
  const lines = inv.lines.filter((l) => l.amount >= 0).map((l) => `${l.description}: ${t(CONSEQUENCE[l.type] || "void.other")}`);
  lines.push(t("void.no_money"));
  const reason = await dialog(t("invoice.void_title", { number: inv.number }), (close) => {
    const why = input({ name: "void_reason", required: true });
    return h("form", { onsubmit: (e) => { e.preventDefault(); close(why.value.trim()); } },
      h("ul", { class: "consequences" }, lines.map((l) => h("li", {}, l))),
      field(t("invoice.void_reason"), why),
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => close(null) }, t("common.back")),
        h("button", { type: "submit", class: "danger" }, t("invoice.void_confirm"))));
  });
  if (!reason) return;
  if (await attempt(msg, () => api.post(`/orgs/{org}/invoices/${inv.id}/void`, { reason }), t("invoice.voided", { number: inv.number }))) reload();
}

async function refund(summary, msg, reload) {
  const [inv, done] = await Promise.all([api.get(`/orgs/{org}/invoices/${summary.id}`),
    api.get(`/orgs/{org}/invoices/${summary.id}/refunds`).catch(() => ({ items: [] }))]);
  const refunded = done.items.filter((r) => r.status !== "failed").reduce((s, r) => s + r.amount, 0);
  const paid = inv.payments.reduce((s, p) => s + (p.amount || 0), 0) || inv.total;
  const left = Math.max(0, paid - refunded);
  const choice = await dialog(t("invoice.refund_title", { number: inv.number }), (close) => {
    const amount = input({ name: "refund_amount", value: f.moneyInput(left), inputmode: "decimal", required: true });
    const to = select([["original", t("refund.original")], ["account_credit", t("refund.account_credit")]], { name: "refund_to" });
    const note = h("p", { class: "consequence", "aria-live": "polite" });
    const area = messageArea();
    const sync = () => { note.textContent = t(to.value === "original" ? "refund.original_effect" : "refund.credit_effect", { amount: f.money(f.parseMoney(amount.value) || 0) }); };
    amount.addEventListener("input", sync); to.addEventListener("change", sync); sync();
    return h("form", { onsubmit: (e) => {
      e.preventDefault();
      const minor = f.parseMoney(amount.value);
      if (!minor || minor <= 0) { say(area, t("refund.bad_amount"), "error"); return; }
      if (minor > left) { say(area, t("err.refund_exceeds_paid"), "error"); return; }
      close({ amount: minor, to: to.value });
    } }, h("p", {}, t("refund.left", { paid: f.money(paid), refunded: f.money(refunded), left: f.money(left) })),
    field(t("refund.amount"), amount), field(t("refund.to"), to), note, h("p", {}, t("refund.no_cancel")), area,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => close(null) }, t("common.back")),
      h("button", { type: "submit", class: "danger" }, t("refund.confirm"))));
  });
  if (!choice) return;
  if (await attempt(msg, () => api.post(`/orgs/{org}/invoices/${inv.id}/refunds`, choice), t("refund.done", { amount: f.money(choice.amount) }))) reload();
}

export async function cancelRegistration(r, msg, reload) {
  const byPass = r.paid_with.type === "pass";
  const answer = await dialog(t("reg.cancel_title"), (close) => {
    const give = input({ type: "checkbox", name: "restore_pass_use", checked: true, id: "restore-pass-use" });
    return h("div", {},
      h("ul", { class: "consequences" }, h("li", {}, t("reg.seat_freed")),
        r.paid_with.type === "money" ? h("li", {}, t("reg.money_rules")) : null,
        r.paid_with.type === "subscription" ? h("li", {}, t("reg.subscription_seat")) : null),
      byPass ? h("div", { class: "field check" }, give, h("label", { for: "restore-pass-use" }, t("reg.give_use_back"))) : null,
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => close(null) }, t("common.back")),
        h("button", { type: "button", class: "danger", onclick: () => close({ restore: byPass ? give.checked : undefined }) }, t("reg.cancel_confirm"))));
  });
  if (!answer) return;
  const body = answer.restore === undefined ? {} : { restore_pass_use: answer.restore };
  if (await attempt(msg, () => api.post(`/orgs/{org}/registrations/${r.id}/cancel`, body), t("reg.cancelled"))) reload();
}

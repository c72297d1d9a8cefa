/**
 * The waiting list in the shop (R3.9, docs/policies.md): on a full date or a full session a
 * parent puts a member on the list, sees their place and can leave it; when a seat frees it
 * is held for them until a deadline, and "Claim the seat" adds it to the cart (the same
 * occurrence or session for the same member takes the offered hold), then they pay as usual.
 */
import { h } from "/web/common/dom.js";

/**
 * The account's live entries: waiting, and offered while the offered hold is still held.
 * (The service marks an offer ``claimed``/``lapsed`` lazily, at the pool's next change, so
 * an ``offered`` entry whose hold is already confirmed or ended is not shown as an offer.)
 */
export async function loadWaitlist(app) {
  if (!app.loggedIn()) return [];
  const entries = await app.api.all(app.path(`/accounts/${app.session.account_id}/waitlist`));
  return entries.filter((e) => e.status === "waiting"
    || (e.status === "offered" && (e.registration_status ?? "held") === "held"));
}

/** The entry of ``member`` for this occurrence (a_la_carte) or this activity's session. */
export function entryFor(entries, member, { occurrenceId, activityId }) {
  return entries.find((e) => e.member_id === member.id && (occurrenceId
    ? e.kind === "a_la_carte" && e.occurrence_id === occurrenceId
    : e.kind === "session" && e.activity_id === activityId));
}

function cartItem(entry) {
  return entry.kind === "session"
    ? { type: "session", activity_id: entry.activity_id, member_id: entry.member_id }
    : { type: "a_la_carte", occurrence_id: entry.occurrence_id, member_id: entry.member_id };
}

export function inCart(app, entry) {
  return Boolean(app.cart?.items.some((i) => i.member_id === entry.member_id && (entry.kind === "session"
    ? i.type === "session" && i.activity_id === entry.activity_id
    : i.occurrence_id === entry.occurrence_id)));
}

/** Claim an offered seat: into the cart, then to the cart to pay. */
export async function claim(app, entry, status) {
  try {
    await app.addToCart(cartItem(entry));
    app.flash = { kind: "ok", text: app.t("waitlist.claimed", { name: entry.member_name || app.memberName(entry.member_id) }) };
    app.go("#/cart");
  } catch (err) {
    status.textContent = app.errorText(err);
  }
}

/**
 * What a member's row shows when the seat is full: "Waiting list" (join), their position
 * and "Leave", or the offered seat with its deadline and "Claim the seat".
 * ``where``: {occurrenceId} or {activityId}; ``refresh()`` redraws after a change.
 */
export function waitlistControl(app, member, where, entries, refresh) {
  const name = `${member.first_name} ${member.last_name}`;
  const entry = entryFor(entries, member, where);
  const status = h("span", { class: "small", role: "status" });
  const busy = (fn) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await fn();
    } catch (err) {
      status.textContent = app.errorText(err);
      button.disabled = false;
    }
  };
  if (!entry) {
    const path = where.occurrenceId ? `/occurrences/${where.occurrenceId}/waitlist`
      : `/activities/${where.activityId}/waitlist`;
    return h("span", { class: "row waitlist" }, status,
      h("button", { type: "button", class: "join-waitlist", "data-member": member.id,
        "aria-label": app.t("waitlist.join_named", { name }),
        onclick: busy(async () => {
          const joined = await app.api.post(app.path(path), { member_id: member.id });
          app.announce(app.t("waitlist.joined", { name, position: joined.position }));
          await refresh();
        }) }, app.t("waitlist.join")));
  }
  if (entry.status === "offered") {
    if (inCart(app, entry)) return h("span", { class: "tag ok" }, app.t("activity.in_cart"));
    return h("span", { class: "row waitlist" },
      h("span", { class: "tag ok offer" }, app.t("waitlist.offered_until", { date: app.fmt.dateTime(entry.offer_expires_at) })),
      h("button", { type: "button", class: "primary claim", "data-member": member.id,
        "aria-label": app.t("waitlist.claim_named", { name }),
        onclick: busy(() => claim(app, entry, status)) }, app.t("waitlist.claim")), status);
  }
  return h("span", { class: "row waitlist" },
    h("span", { class: "tag warn position" }, app.t("waitlist.position", { position: entry.position })),
    leaveButton(app, entry, name, busy, refresh), status);
}

function leaveButton(app, entry, name, busy, refresh) {
  return h("button", { type: "button", class: "leave-waitlist",
    "aria-label": app.t("waitlist.leave_named", { name }),
    onclick: busy(async () => {
      await app.api.del(app.path(`/waitlist/${entry.id}`));
      app.announce(app.t("waitlist.left", { name }));
      await refresh();
    }) }, app.t("waitlist.leave"));
}

/** "My purchases": the account's waiting-list entries, offers first. */
export function waitlistSection(app, entries, refresh) {
  const order = (e) => (e.status === "offered" ? 0 : 1);
  const sorted = [...entries].sort((a, b) => order(a) - order(b)
    || String(a.starts_at).localeCompare(String(b.starts_at)));
  return h("section", { class: "card", "aria-labelledby": "waitlist" },
    h("h2", { id: "waitlist" }, app.t("waitlist.title")),
    sorted.length ? h("ul", { class: "plain" }, sorted.map((entry) => entryRow(app, entry, refresh)))
      : h("p", { class: "muted" }, app.t("waitlist.none")));
}

function entryTitle(app, entry) {
  const name = app.activity(entry.activity_id)?.name || entry.description || "";
  return entry.kind === "session" ? `${name} — ${app.t("cart.whole_session")}`
    : `${name} — ${entry.starts_at ? app.fmt.dateTime(entry.starts_at) : ""}`;
}

function entryRow(app, entry, refresh) {
  const name = entry.member_name || app.memberName(entry.member_id);
  const status = h("span", { class: "small", role: "status" });
  const busy = (fn) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { await fn(); } catch (err) { status.textContent = app.errorText(err); button.disabled = false; }
  };
  const offered = entry.status === "offered";
  const claimed = offered && inCart(app, entry);
  return h("li", { "data-waitlist": entry.id, class: offered ? "offered" : "" },
    h("div", { class: "spread" }, h("strong", {}, entryTitle(app, entry)),
      offered ? h("span", { class: "tag ok" }, app.t("waitlist.seat_offered"))
        : h("span", { class: "tag warn position" }, app.t("waitlist.position", { position: entry.position }))),
    h("div", { class: "small" }, name),
    offered ? h("p", {}, app.t("waitlist.held_until", { date: app.fmt.dateTime(entry.offer_expires_at) })) : null,
    h("div", { class: "row" },
      offered && !claimed ? h("button", { type: "button", class: "primary claim",
        "aria-label": app.t("waitlist.claim_named", { name }),
        onclick: busy(() => claim(app, entry, status)) }, app.t("waitlist.claim")) : null,
      claimed ? h("a", { href: "#/cart" }, app.t("waitlist.in_cart_pay")) : null,
      leaveButton(app, entry, name, busy, refresh), status));
}

"""The words of each notice, in French and English (R7.4), as ``string.Template``s.

``render(kind, locale, values)`` fills the template with ``values`` (already formatted for
the locale by :func:`context`); a missing value renders empty, never fails.
"""
from collections import defaultdict
from string import Template

from . import formatting as fmt
from . import notices as n

_T = {
    n.RECEIPT: {
        "fr": ("Votre reçu ${invoice_number} — ${org_name}",
               "Bonjour ${account_name},\n\nMerci pour votre achat chez ${org_name}.\n"
               "Facture ${invoice_number} : ${total}.\n${lines}\n"
               "Votre reçu est joint à ce message.\n"),
        "en": ("Your receipt ${invoice_number} — ${org_name}",
               "Hello ${account_name},\n\nThank you for your purchase at ${org_name}.\n"
               "Invoice ${invoice_number}: ${total}.\n${lines}\n"
               "Your receipt is attached to this message.\n"),
    },
    n.REGISTRATION_CANCELLED: {
        "fr": ("Inscription annulée : ${description} — ${org_name}",
               "Bonjour ${account_name},\n\nL'inscription de ${member_name} à "
               "« ${description} » (${starts_at}) est annulée ${reason}.\n${refund}"),
        "en": ("Registration cancelled: ${description} — ${org_name}",
               "Hello ${account_name},\n\n${member_name}'s registration for "
               "\"${description}\" (${starts_at}) is cancelled ${reason}.\n${refund}"),
    },
    n.SUBSCRIPTION_CHARGED: {
        "fr": ("Abonnement renouvelé — ${org_name}",
               "Bonjour ${account_name},\n\nVotre abonnement est renouvelé : ${amount} "
               "ont été prélevés pour la période du ${period}.\n"
               "Prochaine échéance : ${current_period_end}.\n"),
        "en": ("Subscription renewed — ${org_name}",
               "Hello ${account_name},\n\nYour subscription is renewed: ${amount} was "
               "charged for the period starting ${period}.\n"
               "Next renewal: ${current_period_end}.\n"),
    },
    n.RENEWAL_DECLINED: {
        "fr": ("Paiement refusé pour votre abonnement — ${org_name}",
               "Bonjour ${account_name},\n\nLe paiement du renouvellement de votre "
               "abonnement (période du ${period}) a été refusé. Votre abonnement est en "
               "retard de paiement.\nNous réessaierons le ${next_attempt_at}. Mettez à jour "
               "votre carte auprès de ${org_name} pour le garder.\n"),
        "en": ("Payment declined for your subscription — ${org_name}",
               "Hello ${account_name},\n\nThe renewal payment of your subscription (period "
               "starting ${period}) was declined. Your subscription is past due.\n"
               "We will try again on ${next_attempt_at}. Update your card with ${org_name} "
               "to keep it.\n"),
    },
    n.SUBSCRIPTION_CANCELLED: {
        "fr": ("Abonnement terminé — ${org_name}",
               "Bonjour ${account_name},\n\nVotre abonnement prend fin le ${ended_at} "
               "${reason}.\n"),
        "en": ("Subscription ended — ${org_name}",
               "Hello ${account_name},\n\nYour subscription ends on ${ended_at} ${reason}.\n"),
    },
    n.APPOINTMENT_BOOKED: {
        "fr": ("Rendez-vous confirmé : ${service_name} — ${org_name}",
               "Bonjour ${account_name},\n\nLe rendez-vous de ${member_name} "
               "(${service_name}${with_staff}) est confirmé pour le ${starts_at}.\n"),
        "en": ("Appointment confirmed: ${service_name} — ${org_name}",
               "Hello ${account_name},\n\n${member_name}'s appointment (${service_name}"
               "${with_staff}) is confirmed for ${starts_at}.\n"),
    },
    n.APPOINTMENT_REMINDER: {
        "fr": ("Rappel : rendez-vous demain — ${org_name}",
               "Bonjour ${account_name},\n\nRappel : ${member_name} a rendez-vous "
               "(${service_name}${with_staff}) le ${starts_at}.\n"),
        "en": ("Reminder: appointment tomorrow — ${org_name}",
               "Hello ${account_name},\n\nA reminder: ${member_name} has an appointment "
               "(${service_name}${with_staff}) on ${starts_at}.\n"),
    },
    n.PASS_EXPIRING: {
        "fr": ("Votre carte « ${name} » expire bientôt — ${org_name}",
               "Bonjour ${account_name},\n\nVotre carte « ${name} » expire le ${expires_at}"
               " et il vous reste ${uses_left} utilisation(s).\n"),
        "en": ("Your pass \"${name}\" expires soon — ${org_name}",
               "Hello ${account_name},\n\nYour pass \"${name}\" expires on ${expires_at} "
               "and has ${uses_left} use(s) left.\n"),
    },
    n.PASS_LAST_USE: {
        "fr": ("Plus qu'une utilisation sur votre carte « ${name} » — ${org_name}",
               "Bonjour ${account_name},\n\nIl reste une seule utilisation sur votre carte "
               "« ${name} ».\n"),
        "en": ("One use left on your pass \"${name}\" — ${org_name}",
               "Hello ${account_name},\n\nYour pass \"${name}\" has one use left.\n"),
    },
    n.PASSWORD_RESET: {
        "fr": ("Réinitialisation de votre mot de passe — ${org_name}",
               "Bonjour ${account_name},\n\nPour choisir un nouveau mot de passe, ouvrez ce "
               "lien : ${reset_url}\nSi vous n'avez rien demandé, ignorez ce message.\n"),
        "en": ("Reset your password — ${org_name}",
               "Hello ${account_name},\n\nTo choose a new password, open this link: "
               "${reset_url}\nIf you did not ask for it, ignore this message.\n"),
    },
    n.WAITLIST_OFFER: {
        "fr": ("Une place vous attend : ${description} — ${org_name}",
               "Bonjour ${account_name},\n\nBonne nouvelle : une place s'est libérée. "
               "${what} est réservée pour ${member_name}${price} jusqu'au ${offer_expires_at}."
               "\n\nPour la prendre, ajoutez-la à votre panier avant cette heure et payez-la "
               "dans la boutique :\n${shop_url}\n(Mes achats → Liste d'attente → Prendre la "
               "place.) Passé ce délai, elle est offerte à la personne suivante.\n"
               "${household}"),
        "en": ("A seat is waiting for you: ${description} — ${org_name}",
               "Hello ${account_name},\n\nGood news: a seat came free. ${what} is held for "
               "${member_name}${price} until ${offer_expires_at}.\n\nTo take it, add it to "
               "your cart before then and pay for it in the shop:\n${shop_url}\n(My purchases "
               "→ Waiting list → Claim the seat.) After that, it is offered to the next person "
               "waiting.\n${household}"),
    },
}

_REASONS = {
    "fr": {"client": "à votre demande", "staff": "par l'établissement",
           "occurrence_cancelled": "car la séance est annulée",
           "invoice_void": "car la facture a été annulée",
           "withdrawn": "comme vous l'avez demandé",
           "payment_failed": "faute de paiement", "voided": "car la vente a été annulée"},
    "en": {"client": "at your request", "staff": "by the centre",
           "occurrence_cancelled": "because the class is cancelled",
           "invoice_void": "because the invoice was voided",
           "withdrawn": "as you asked", "payment_failed": "because payment failed",
           "voided": "because the sale was voided"},
}
_SIGNATURE = {"fr": "\n— ${org_name}\n(Message automatique, merci de ne pas y répondre.)\n",
              "en": "\n— ${org_name}\n(Automatic message, please do not reply.)\n"}


def context(kind, locale, params, org, account, invoice=None, shop_url=""):
    """The values a template reads, formatted for ``locale`` from the notice's params, the
    org (name, currency, timezone), the account (name) and, for a receipt, the invoice."""
    from zoneinfo import ZoneInfo
    params = params or {}
    currency = (invoice or {}).get("currency") or org.get("currency")
    try:
        tz = ZoneInfo(org.get("timezone") or "UTC")
    except Exception:  # noqa: BLE001 - an odd timezone must not stop a receipt
        tz = None
    values = defaultdict(str, {k: ("" if v is None else str(v)) for k, v in params.items()})
    values.update(org_name=org.get("name") or "", account_name=(account or {}).get("name") or "")
    for key in ("starts_at",):
        if params.get(key):
            values[key] = fmt.moment(params[key], locale)
    for key in ("expires_at", "ended_at", "next_attempt_at", "current_period_end"):
        if params.get(key):
            values[key] = fmt.day(fmt.in_zone(params[key], tz), locale)
    if params.get("valid_until") and kind == n.PASS_EXPIRING:
        values["expires_at"] = fmt.day(params["valid_until"], locale)
    if params.get("period"):
        values["period"] = fmt.day(params["period"], locale)
    for key in ("amount", "total"):
        if isinstance(params.get(key), int):
            values[key] = fmt.money(params[key], currency, locale)
    if params.get("reason"):
        values["reason"] = _REASONS[locale].get(params["reason"], "")
    if params.get("staff_name"):
        values["with_staff"] = (" avec " if locale == "fr" else " with ") + params["staff_name"]
    refund = params.get("refund_to_credit")
    if isinstance(refund, int) and refund > 0:
        amount = fmt.money(refund, currency, locale)
        values["refund"] = (f"{amount} sont portés au crédit de votre compte.\n" if locale == "fr"
                            else f"{amount} is credited to your account.\n")
    values["shop_url"] = shop_url or ""
    if kind == n.WAITLIST_OFFER:
        _waitlist_offer(values, locale, params, account, tz, currency)
    if invoice:
        values["invoice_number"] = str(invoice.get("number") or "")
        values["total"] = fmt.money(invoice.get("total"), currency, locale)
        values["lines"] = "".join(
            f"  • {line.get('description') or line.get('type')}: "
            f"{fmt.money(line.get('amount'), currency, locale)}\n"
            for line in invoice.get("lines") or [])
    return values


def _waitlist_offer(values, locale, params, account, tz, currency):
    """What is offered (a session or a date, with its start), the price, the deadline in
    the org's wall clock, and the household's members still waiting (R3.9)."""
    fr = locale == "fr"
    description = params.get("description") or ""
    starts = fmt.moment(params["starts_at"], locale) if params.get("starts_at") else ""
    if params.get("kind") == "session":
        what = (f"Une place à la session « {description} » (début le {starts})" if fr
                else f"A seat in the session \"{description}\" (starting {starts})")
    else:
        what = (f"Une place à « {description} » le {starts}" if fr
                else f"A seat in \"{description}\" on {starts}")
    values["what"] = what
    if params.get("offer_expires_at"):
        values["offer_expires_at"] = fmt.moment(fmt.in_zone(params["offer_expires_at"], tz),
                                                locale)
    price = params.get("price")
    values["price"] = ((f" (prix : {fmt.money(price, currency, locale)})" if fr
                        else f" (price: {fmt.money(price, currency, locale)})")
                       if isinstance(price, int) and price > 0 else "")
    still = params.get("household_still_waiting") or []
    if still:
        members = (account or {}).get("members") or []
        names = {m.get("id"): m.get("first_name") or "" for m in members}
        listed = ", ".join(names.get(i) or i for i in still)
        values["household"] = (
            f"\nToujours en attente : {listed}. Il ne s'est pas libéré assez de places pour "
            "toute la famille ; ils gardent leur rang dans la liste d'attente.\n"
            if fr else
            f"\nStill waiting: {listed}. Not enough seats came free for the whole family; "
            "they keep their place on the waiting list.\n")
    else:
        values["household"] = ""


def render(kind, locale, values):
    """``(subject, body)`` of a notice in ``locale`` (fr or en)."""
    locale = fmt.locale_of(locale)
    subject, body = _T[kind][locale]
    subject = Template(subject).safe_substitute(values)
    text = Template(body + _SIGNATURE[locale]).safe_substitute(values)
    return " ".join(subject.split()), text

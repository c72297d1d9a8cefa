"""Reports (R6.6, R7.2) over ``[from, to)`` in the org's local dates: the sales detail and
summary, payments by accounting code, taxes. The arithmetic is domain/reports.py."""
from ..adapters.refunds import ReportQueries
from ..domain import reports as report_rules


def _range(ctx, org_id, query):
    org = ctx.peers.org(org_id)
    start, end = report_rules.period(query["from"], query["to"], org["timezone"])
    head = {"from": query["from"], "to": query["to"], "timezone": org["timezone"],
            "currency": org["currency"]}
    return start, end, org["timezone"], head


def _sales_detail(ctx, org_id, query):
    start, end, tz, head = _range(ctx, org_id, query)
    with ctx.db.uow(readonly=True) as uow:
        invoices = ReportQueries(uow.session).invoices(org_id, start, end)
    return report_rules.sales_detail(invoices, start, end, tz), head


def sales_detail(ctx, org_id, query):
    """Every line of the invoices issued in the range, and the void lines (negative) of
    those voided in it."""
    rows, head = _sales_detail(ctx, org_id, query)
    return dict(head, items=rows, total=sum(r["amount"] for r in rows))


def sales_summary(ctx, org_id, query):
    """The sales detail totalled per type and item; ``total`` is the detail's sum."""
    rows, head = _sales_detail(ctx, org_id, query)
    return dict(head, **report_rules.sales_summary(rows))


def payments_by_accounting_code(ctx, org_id, query):
    """Payments (dated by their invoice) and completed refunds in the range, allocated
    to the accounting codes of the lines paid in money."""
    start, end, _tz, head = _range(ctx, org_id, query)
    with ctx.db.uow(readonly=True) as uow:
        reads = ReportQueries(uow.session)
        refunds = reads.refunds(org_id, start, end)
        invoices = reads.invoices(org_id, start, end,
                                  extra_ids={r["invoice_id"] for r in refunds})
    return dict(head, **report_rules.payments_by_accounting_code(invoices, refunds, start,
                                                                 end))


def tax_report(ctx, org_id, query):
    """R7.2: per tax code, taxes collected (invoices issued in the range), refunded
    (refunds, voids and cancellation credits in it) and net."""
    start, end, _tz, head = _range(ctx, org_id, query)
    org_taxes = ctx.peers.ask("catalog", "get_org", org_id).get("taxes") or []
    with ctx.db.uow(readonly=True) as uow:
        reads = ReportQueries(uow.session)
        refunds, credits = reads.tax_givebacks(org_id, start, end)
        invoices = reads.invoices(org_id, start, end)
    return dict(head, **report_rules.tax_report(invoices, refunds, credits, start, end,
                                                org_taxes))

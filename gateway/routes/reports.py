"""docs/http-api.md reports (R6.6), staff only, each in JSON or, with ``?format=csv``, as CSV: a
header row and the same columns as the JSON items.

- billing's reports over ``from``/``to`` (``from`` inclusive, ``to`` exclusive; dates read
  in the org's timezone): sales detail, sales summary, payments by accounting code. Their
  amounts are integers in minor units in JSON; in CSV they are in major units (``12.00``,
  negative ``-12.00``) with a ``currency`` column, so a spreadsheet sums them as numbers.
  The totals are in the JSON (``total``); the CSV has the rows only.
- the registration counts per occurrence of an activity (R3.8), from registration.
- the pass report (R4.2) is ``gateway/routes/passes.py``.
"""

from services.billing.contract import schemas as billing
from services.billing.contract.vocabulary import DETAIL_COLUMNS, PAYMENTS_COLUMNS, SUMMARY_COLUMNS
from services.registration.contract.schemas import (REGISTRATION_REPORT_COLUMNS,
                                           RegistrationReport, RegistrationReportQuery)

from ..auth import STAFF, authorize
from ..csvout import csv_response
from ..rpc import call
from .blueprint import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="reports: sales, payments by accounting code, registrations")

CSV_DOC = ("`?format=csv` answers `text/csv`: a header row, then the items with the same "
           "columns; amounts in major units (`12.00`) with a `currency` column.")


TAX_COLUMNS = ("net", "tax")


def _report(method, org, query, name, columns, money):
    result = call("billing", method, org, {"from": query["from"], "to": query["to"]})
    if query["format"] != "csv":
        return result
    if not (result.get("taxes") or any(i.get("taxes") for i in result["items"])):
        # R7.2: the tax columns only where there are taxes (an org without taxes: as before)
        columns = tuple(c for c in columns if c not in TAX_COLUMNS) \
            if method != "tax_report" else columns
    return csv_response(name, org, columns, result["items"], result["currency"], money)


@blp.route("/orgs/<org>/reports/sales-detail", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(billing.ReportQuery, location="query")
@blp.response(200, billing.SalesDetailReport)
@blp.doc(description=CSV_DOC)
def sales_detail(query, org):
    """Each invoice line sold in ``[from, to)``: date (local), invoice number, account,
    member, description, type, amount, how it was paid, accounting code. A voided
    invoice's lines stay on its date; its void adds the same lines, negative
    (``entry: void``), on the void's date. ``total`` is their sum."""
    return _report("sales_detail_report", org, query, "sales-detail", DETAIL_COLUMNS,
                   ("amount", "net", "tax"))


@blp.route("/orgs/<org>/reports/sales-summary", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(billing.ReportQuery, location="query")
@blp.response(200, billing.SalesSummaryReport)
@blp.doc(description=CSV_DOC)
def sales_summary(query, org):
    """The sales detail totalled per type and item (quantity: lines sold minus lines
    voided); ``total`` equals the sum of the sales detail."""
    return _report("sales_summary_report", org, query, "sales-summary", SUMMARY_COLUMNS,
                   ("amount", "tax"))


@blp.route("/orgs/<org>/reports/payments-by-accounting-code", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(billing.ReportQuery, location="query")
@blp.response(200, billing.PaymentsByCodeReport)
@blp.doc(description=CSV_DOC)
def payments_by_accounting_code(query, org):
    """Payments of the invoices issued in ``[from, to)`` and refunds made in it, allocated
    to the accounting codes of the lines paid in money, pro rata by line amount (largest
    remainder, no cent lost); ``net`` = payments − refunds; ``total.net`` is the money
    received."""
    return _report("payments_by_accounting_code_report", org, query,
                   "payments-by-accounting-code", PAYMENTS_COLUMNS,
                   ("payments", "refunds", "net"))


@blp.route("/orgs/<org>/reports/taxes", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(billing.ReportQuery, location="query")
@blp.response(200, billing.TaxReport)
@blp.doc(description=CSV_DOC)
def taxes(query, org):
    """R7.2: per tax code, the taxes collected on the invoices issued in ``[from, to)``,
    those given back in it (refunds in proportion, voids, cancellation credits) and the
    net; ``total`` of each. Reconciles with the sales detail's ``taxes`` and the refunds'
    ``taxes`` (docs/taxes.md)."""
    return _report("tax_report", org, query, "taxes", billing.TAX_REPORT_COLUMNS,
                   ("collected", "refunded", "net"))


@blp.route("/orgs/<org>/reports/registrations", methods=["GET"])
@authorize(*STAFF)
@blp.arguments(RegistrationReportQuery, location="query")
@blp.response(200, RegistrationReport)
@blp.doc(description="`?format=csv` answers `text/csv`: a header row, then one row per "
                     "occurrence.")
def registrations(query, org):
    """R3.8: per occurrence of the activity, the confirmed session registrations (each
    counts in every occurrence) and à la carte registrations, counted apart."""
    answer = call("registration", "activity_registrations", org, query["activity_id"])
    result = {"activity_id": answer.get("activity_id") or query["activity_id"],
              "session_count": answer["session_count"],
              "a_la_carte_count": answer["a_la_carte_count"],
              "items": answer.get("occurrences") or []}
    if query["format"] != "csv":
        return result
    return csv_response("registrations", org, REGISTRATION_REPORT_COLUMNS, result["items"])

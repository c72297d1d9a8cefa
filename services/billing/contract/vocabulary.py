"""The words of billing's contract: the kinds of cart item and the payment methods (R6.2)."""
ITEM_KINDS = ("session", "a_la_carte", "pass", "bundle", "membership", "subscription")

CASH = "cash"
CARD = "card"
ACCOUNT_CREDIT = "account_credit"
NONE = "none"
METHODS = (CASH, CARD, ACCOUNT_CREDIT, NONE)

# The columns of the sales reports' CSV (docs/http-api.md "Reports"), in order.
DETAIL_COLUMNS = ("date", "invoice_number", "account_id", "member_id", "description", "type",
                  "amount", "paid_with", "accounting_code", "entry", "item_id", "invoice_id",
                  "net", "tax")
SUMMARY_COLUMNS = ("type", "item_id", "description", "quantity", "amount", "tax")
PAYMENTS_COLUMNS = ("accounting_code", "payments", "refunds", "net")

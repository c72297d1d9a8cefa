"""The pass report (R4.2): every pass of the org, oldest purchase first, with its uses
summed from the ledger by the database."""
from ..adapters.presenters import pass_view, report_row
from ..adapters.repositories import PassRepository


def pass_report(ctx, org_id, query):
    now = ctx.clock.now()
    with ctx.db.uow(readonly=True) as uow:
        rows, next_cursor = PassRepository(uow.session).report_page(
            org_id, query["limit"], query["cursor"])
        return {"items": [report_row(pass_view(row, balance, used, now))
                          for row, balance, used in rows],
                "next_cursor": next_cursor}

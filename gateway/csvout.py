"""CSV answers of the reports (docs/http-api.md: ``?format=csv``, a header row and the same columns
as the JSON items)."""
import csv
import io

from flask import Response

from services.common.money import to_major


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula in a spreadsheet
    return value


def csv_response(name, org, columns, items, currency=None, money=()):
    """The rows as a CSV attachment; ``money`` columns in major units of ``currency``,
    which then gets a column of its own."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(columns) + (["currency"] if currency else []))
    for item in items:
        row = [to_major(item[c], currency) if c in money else cell(item.get(c))
               for c in columns]
        writer.writerow(row + ([currency] if currency else []))
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}-{org}.csv"'})

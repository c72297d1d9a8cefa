"""``GET /docs`` (Swagger UI over /openapi.json) works with no internet: every script and
style the page names is served by the gateway itself (gateway/pages.py), none by a CDN."""
import re
from urllib.parse import urlsplit

ASSET = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def test_docs_page_loads_only_local_assets_and_each_answers(api):
    page = api.get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    urls = ASSET.findall(page.text)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls), urls
    assert any(url.endswith("swagger-ui.css") for url in urls), urls
    remote = [url for url in urls if urlsplit(url).scheme or urlsplit(url).netloc]
    assert remote == []
    for url in urls:
        asset = api.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    assert '"/openapi.json"' in page.text
    assert api.get("/openapi.json").status_code == 200


def test_the_swagger_ui_folder_serves_its_own_files_only(api):
    assert api.get("/docs/swagger-ui/no-such-file.js").status_code == 404
    assert api.get("/docs/swagger-ui/..%2F__init__.py").status_code == 404

"""``/docs`` in Chromium with every address but the gateway's blocked (no internet, no CDN):
Swagger UI starts and lists the API's operations from /openapi.json."""
from urllib.parse import urlsplit


def test_docs_page_lists_the_operations_with_no_internet(browser, stack):
    gateway = urlsplit(stack.url).hostname
    blocked = []

    def only_the_gateway(route):
        if urlsplit(route.request.url).hostname == gateway:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800})
    try:
        context.set_default_timeout(15_000)
        context.route("**/*", only_the_gateway)
        page = context.new_page()
        page.goto("/docs")
        page.locator('.opblock-summary-path[data-path="/api/v1/orgs/{org}/carts/{cart_id}'
                     '/checkout"]').wait_for()
        assert page.locator(".opblock").count() > 50
        assert page.locator(".swagger-ui .info .title").first.inner_text().startswith("Carnet API")
        assert blocked == []
    finally:
        context.close()

"""A 405 (a form's address opened, say, or a page posted to) answers with the
site's own page saying what to do, not an empty body the browser shows as
"HTTP ERROR 405"."""

from django.shortcuts import render


class BrandedNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        branded = render(request, "405.html", status=405)
        branded["Allow"] = response.get("Allow", "")
        return branded

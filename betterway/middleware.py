from __future__ import annotations

from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreMiddleware:
    """Every page this app renders is personal or confidential (results, participation, answers):
    browsers and proxies must not keep copies. Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response

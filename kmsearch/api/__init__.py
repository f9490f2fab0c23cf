"""The HTTP service: JSON API, staff page, API keys."""

from kmsearch.api.app import create_app

__all__ = ["create_app"]

"""The JSON API under /api/v1, one router per area; `kmsearch.api.app` includes them all."""

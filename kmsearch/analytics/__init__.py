"""Search analytics and the knowledge audit: what staff ask, what they open, what the documents cannot answer,
who holds which knowledge, and an audit trail of administrative actions (issue 18).

The service calls `QueryLog.record` / `QueryLog.record_open` on every request (kmsearch/analytics/querylog.py);
the reports read the log back (reader.py) into knowledge gaps (gaps.py) and usage (usage.py).
"""

from kmsearch.analytics.querylog import QueryLog
from kmsearch.analytics.settings import AnalyticsSettings, analytics_settings

__all__ = ["AnalyticsSettings", "QueryLog", "analytics_settings"]

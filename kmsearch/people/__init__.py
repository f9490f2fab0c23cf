"""People in documents: names parsed and merged (names), mentions with role and page (extract), and mentions
resolved to people with stable ids against the skills register (link)."""

from kmsearch.people.extract import ROLES, Mention, find_mentions
from kmsearch.people.names import ParsedName, compatible, parse_name

__all__ = ["ROLES", "Mention", "ParsedName", "compatible", "find_mentions", "parse_name"]

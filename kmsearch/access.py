"""Who may read a document: the one access rule, in the two forms the code needs.

A document (or register entry) carries a set of access groups. A caller carries either None (an admin key, or
the open single-user mode: reads everything) or a set of groups (a reader's or librarian's key). The rule:

    the caller may read it  <=>  caller is None  or  the item has no groups  or  they share a group

`may_read` is that rule as a Python predicate; `sql_clause` is the same rule for SQLite (the catalogue stores
groups as a JSON list). They are tested to agree (tests/test_access.py). Group names compare case-insensitively,
after stripping whitespace and a byte-order mark: `group_name` is applied the same way to keys, registers and
`.kmsearch-groups` files, so "HR", "hr" and "\\ufeffhr" are one group.
"""

from __future__ import annotations

from typing import Iterable

Groups = frozenset[str] | None  # a caller's groups; None reads everything


def group_name(name: str) -> str:
    """The canonical form of a group name: no BOM, no surrounding space, case-folded."""
    return name.replace("\ufeff", "").strip().casefold()


def caller_groups(groups: Iterable[str] | None) -> Groups:
    """A caller's groups in canonical form; None stays None (reads everything)."""
    return None if groups is None else frozenset(g for g in map(group_name, groups) if g)


def may_read(caller: Groups, item_groups: Iterable[str]) -> bool:
    """True when a caller with `caller` groups may read an item restricted to `item_groups` (empty: open)."""
    if caller is None:
        return True
    wanted = {group_name(g) for g in item_groups} - {""}
    return not wanted or bool(wanted & {group_name(g) for g in caller})


def sql_clause(caller: Groups, column: str = "d.access_groups") -> tuple[str, list[str]]:
    """The rule as an SQL condition on a JSON-list column, with its parameters. Groups are stored canonical
    (`group_name`), so plain equality matches."""
    if caller is None:
        return "1", []
    groups = sorted({group_name(g) for g in caller} - {""})
    marks = ",".join("?" * len(groups))
    shared = f" OR EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN ({marks}))" if groups else ""
    return f"({column} = '[]'{shared})", groups

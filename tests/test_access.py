"""The access rule's two forms (Python predicate, SQL clause) agree on random documents and callers."""

import json
import random
import sqlite3

from kmsearch.access import caller_groups, group_name, may_read, sql_clause

GROUPS = ["hr", "HR", "finance", "legal", " exec ", "\ufeffhr", "Ops"]


def _random_groups(rng: random.Random) -> list[str]:
    return rng.sample(GROUPS, rng.randint(0, 3))


def test_predicate_and_sql_agree_on_random_documents_and_callers():
    rng = random.Random(7)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE documents (doc_id INTEGER PRIMARY KEY, access_groups TEXT NOT NULL)")
    docs = {i: _random_groups(rng) for i in range(300)}
    # stored as the catalogue stores them: canonical names, sorted, JSON
    conn.executemany("INSERT INTO documents VALUES (?, ?)",
                     [(i, json.dumps(sorted({group_name(g) for g in gs}))) for i, gs in docs.items()])
    callers = [None, frozenset()] + [caller_groups(_random_groups(rng)) for _ in range(60)]
    for caller in callers:
        where, args = sql_clause(caller)
        by_sql = {r[0] for r in conn.execute(f"SELECT doc_id FROM documents d WHERE {where}", args)}
        by_predicate = {i for i, gs in docs.items() if may_read(caller, gs)}
        assert by_sql == by_predicate, caller


def test_group_names_compare_without_case_space_or_bom():
    assert may_read(caller_groups(["HR"]), ["\ufeffhr"])
    assert may_read(caller_groups([" hr "]), ["Hr"])
    assert not may_read(caller_groups(["finance"]), ["hr"])
    assert not may_read(frozenset(), ["hr"])
    assert may_read(frozenset(), [])
    assert may_read(None, ["hr"])

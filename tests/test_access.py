"""The access rule: its two forms (Python predicate, SQL clause) agree on random documents and callers, and every
library read path (search, facets, who-knows, where-is, register gaps) returns only what the predicate allows."""

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

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


# --- the rule at the library level: every read path agrees with the predicate ------------------------------------
POOL = ["hr", "finance", "km", "legal"]
WORDS = ["amberwick", "brindlemoss", "cobaltfern", "duskhollow", "emberlark", "fernquist", "gildenrue",
         "hazelmorn", "irongrove", "juniperdale", "kestrelby", "larchmont"]
PEOPLE = ["Dr Ayanda Khumalo", "Ms Busisiwe Mahlangu", "Mr Chris Naidoo", "Prof Dineo Sebola", "Dr Eben Pretorius",
          "Ms Farah Osman", "Mr Gugu Tshabalala", "Dr Hendrik Visser"]
REGISTER_HEADER = "file,reference,title,type,date,building,room,cabinet,shelf,custodian,access_groups,supersedes\n"


def _caller(rng: random.Random) -> list[str]:
    """Group names as a key might spell them (any case), so the canonical comparison is exercised too."""
    return [g.upper() if rng.random() < 0.3 else g for g in rng.sample(POOL, rng.randint(0, 2))]


def _initialled(name: str) -> str:
    title, given, surname = name.split()
    return f"{title} {given[0]}. {surname}"


def _build_corpus(root: Path, rng: random.Random) -> dict:
    """Files with random groups in a documents register, paper-only entries, and an events register. Each file has
    a word of its own (found in it only), the shared word "ledger", an author, and names the next file's author
    by initial ("Dr A. Khumalo"): a second form of that name, seen only in this file."""
    from tests.fixtures import make_docx

    root.mkdir()
    files, rows, kinds = {}, [], {}
    authors = rng.sample(PEOPLE, len(PEOPLE))
    authors.append(authors[0])  # the last file names the first one's author by initial
    for i, word in enumerate(WORDS[:8]):
        groups = rng.sample(POOL, rng.choice([0, 0, 1, 1, 2]))
        name, kind = f"doc{i}.{'docx' if i % 3 == 0 else 'txt'}", rng.choice(["report", "study-tour report"])
        lines = [f"Report on {word} matters", f"Prepared by: {authors[i]}",
                 (f"The {word} ledger was reviewed and the {word} findings recorded. "
                  f"{_initialled(authors[i + 1])} noted the {word} ledger.")]
        if name.endswith(".docx"):
            make_docx(root / name, [lines], title=f"Report on {word} matters")
        else:
            (root / name).write_text("\n\n".join(lines), encoding="utf-8")
        files[name] = {"word": word, "groups": groups, "author": authors[i], "reference": f"REF/{i}",
                       "named": {authors[i]: authors[i], _initialled(authors[i + 1]): authors[i + 1]}}
        kinds[f"REF/{i}"] = kind
        rows.append(f"{name},REF/{i},Report on {word} matters,{kind},2010-0{i % 9 + 1}-01,HQ,R{i},C{i},1,"
                    f"Custodian {i},{';'.join(groups)},")
    paper = {}
    for j, word in enumerate(WORDS[8:]):
        groups = rng.sample(POOL, rng.choice([0, 1, 1, 2]))
        paper[f"PAPER/{j}"] = {"word": word, "groups": groups}
        kinds[f"PAPER/{j}"] = "study-tour report"
        rows.append(f",PAPER/{j},Study tour {word} file,study-tour report,2011,Annex,P{j},K{j},2,Keeper {j},"
                    f"{';'.join(groups)},")
    (root / "registers").mkdir()
    (root / "registers" / "documents.csv").write_text(REGISTER_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    cited = rng.sample([*(f["reference"] for f in files.values()), *paper], 4)
    events = [f"Tour {n},2009-0{n + 1}-01,,Nowhere,,{ref}" for n, ref in enumerate(cited)]
    events.append("Tour none,2009-09-09,,,,")
    (root / "registers" / "events.csv").write_text("name,start,end,place,participants,report_reference\n"
                                                   + "\n".join(events) + "\n", encoding="utf-8")
    return {"files": files, "paper": paper, "cited": set(cited), "cited_in_order": cited, "kinds": kinds}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_library_read_path_agrees_with_the_predicate(tmp_path, settings, embedder, seed):
    """Random documents, register entries and callers: search, facets, who-knows, where-is and register gaps
    return only what `may_read` allows, and everything it allows that matches is reachable."""
    from kmsearch.index.store import Index
    from kmsearch.ingest.pipeline import ingest
    from kmsearch.search import Filters, Searcher
    from kmsearch.search.experts import who_knows
    from kmsearch.search.facets import facets
    from kmsearch.search.gaps import register_gaps
    from kmsearch.search.where import where_is

    rng = random.Random(seed)
    truth = _build_corpus(tmp_path / "corpus", rng)
    ingest([tmp_path / "corpus"], settings, embedder)
    index = Index.open(settings, embedder)
    docs = {Path(d.path).name: d for d in index.catalog.iter_documents()}
    assert docs.keys() == truth["files"].keys()
    by_id = {d.doc_id: truth["files"][name] for name, d in docs.items()}
    searcher = Searcher(index)
    for caller in [None, frozenset(), *(caller_groups(_caller(rng)) for _ in range(6))]:
        allowed = {doc_id for doc_id, f in by_id.items() if may_read(caller, f["groups"])}
        readable_refs = {r for r, p in truth["paper"].items() if may_read(caller, p["groups"])} | {
            f["reference"] for f in by_id.values() if may_read(caller, f["groups"])}
        _check_search(searcher, Filters(groups=caller), by_id, allowed)
        _check_facets(index, facets, Filters(groups=caller), docs, allowed)
        _check_who_knows(index, who_knows, caller, by_id, allowed)
        _check_where_is(index, where_is, caller, by_id, truth["paper"], allowed, readable_refs)
        _check_gaps(register_gaps(index, groups=caller), truth, readable_refs)


def _check_search(searcher, filters, by_id, allowed) -> None:
    for mode in ("hybrid", "bm25", "dense"):
        found = {h.doc_id for h in searcher.search("ledger reviewed findings", k=50, mode=mode, filters=filters)}
        assert found <= allowed, (filters.groups, mode)
    assert {h.doc_id for h in searcher.search("ledger", k=50, mode="bm25", filters=filters)} == allowed
    for doc_id, f in by_id.items():  # a document's own word finds it exactly when the caller may read it
        found = [h.doc_id for h in searcher.search(f["word"], k=5, mode="bm25", filters=filters)]
        assert found == ([doc_id] if doc_id in allowed else []), (filters.groups, f["word"])


def _check_facets(index, facets, filters, docs, allowed) -> None:
    expected = Counter(d.doc_type for d in docs.values() if d.doc_id in allowed)
    assert facets(index, filters=filters)["type"] == dict(expected), filters.groups
    assert sum(facets(index, "ledger", filters, mode="bm25")["type"].values()) == len(allowed)
    # ids handed in (e.g. a search's candidates) count only when the caller may read them
    everything = {d.doc_id for d in docs.values()}
    assert sum(facets(index, filters=filters, doc_ids=everything)["type"].values()) == len(allowed)


def _check_who_knows(index, who_knows, caller, by_id, allowed) -> None:
    """Everyone shown is named in a document the caller may read, with evidence and aliases from those only."""
    seen_in: dict[str, set[str]] = {}  # a form of a name -> the documents it is written in
    person_of = {}
    for doc_id, f in by_id.items():
        for form, person in f["named"].items():
            seen_in.setdefault(form, set()).add(doc_id)
            person_of[form] = person
    for doc_id, f in by_id.items():
        people = who_knows(index, f["word"], k=10, groups=caller)
        for person in people:  # nobody here is in a skills register: a person needs readable evidence
            assert person.name in seen_in and seen_in[person.name] & allowed, (caller, person.name)  # a readable form
            assert person.evidence and all(e.doc_id in allowed for e in person.evidence), (caller, person.name)
            assert all(seen_in[alias] & allowed for alias in person.aliases), (caller, person.aliases)
        if doc_id in allowed:  # reachable (when not, the author may still show through another file naming them)
            assert f["author"] in [person_of.get(p.name, p.name) for p in people], (caller, f["word"])


def _check_where_is(index, where_is, caller, by_id, paper, allowed, readable_refs) -> None:
    for doc_id, f in by_id.items():
        found = where_is(index, f"the report on {f['word']} matters", k=5, groups=caller)
        for d in found:
            assert d.doc_id is None or d.doc_id in allowed, (caller, d.doc_id)
            assert d.reference is None or d.reference in readable_refs, (caller, d.reference)
            assert (d.location is None and d.custodian is None) or d.reference in readable_refs
        assert (doc_id in [d.doc_id for d in found]) == (doc_id in allowed), (caller, f["word"])
    for reference, p in paper.items():
        found = [d.reference for d in where_is(index, f"study tour {p['word']} file", k=5, groups=caller)]
        assert all(r is None or r in readable_refs for r in found)
        assert (reference in found) == (reference in readable_refs), (caller, reference)


def _check_gaps(gaps, truth, readable_refs) -> None:
    """An event whose report the caller may not read shows as having none filed; only readable reports are listed,
    and every readable event report that no event cites is."""
    events = {f"Tour {n}": ref for n, ref in enumerate(truth["cited_in_order"])}
    expected_missing = {"Tour none"} | {name for name, ref in events.items() if ref not in readable_refs}
    assert {e["name"] for e in gaps.events_without_report} == expected_missing
    event_reports = {r for r in readable_refs if truth["kinds"][r] == "study-tour report"}
    assert {r["reference"] for r in gaps.reports_without_event} == event_reports - truth["cited"]

"""South Africa's languages: detection, per-language BM25, the language on hits and as a filter (issue 20).

The tests on real documents use ../shared/corpus-real and skip cleanly when it is absent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import tantivy

from kmsearch.errors import IndexError_
from kmsearch.index import analysis
from kmsearch.index.lexical import LexicalWriter, query_terms
from kmsearch.index.store import FORMAT_VERSION, Index
from kmsearch.ingest.extract import extract
from kmsearch.ingest.language import agrees, detect_document, detect_passage, normalise
from kmsearch.ingest.pipeline import ingest
from kmsearch.search import Filters, Searcher
from kmsearch.search.facets import facets

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus-real"
LANGS = CORPUS / "za-sa-languages"
real = pytest.mark.skipif(not LANGS.is_dir(), reason=f"real corpus not found at {CORPUS}")
MANUAL = "fasset__images__policies_S14_Manual_Afrikaans.pdf"
EDITIONS = {"afr": "af", "zul": "zu", "xho": "xh", "sot": "st", "set": "tn", "tso": "ts"}


def test_codes_from_metadata():
    assert [normalise(c) for c in ("af-ZA", "EN", "zul", "nso", "NSO", "xx", None)] == [
        "af", "en", "zu", "nso", "nso", None, None]


def test_sepedi_passages_detected_as_a_relative_agree_with_a_sepedi_document():
    assert agrees("nso", "st") and agrees("nso", "tn") and agrees("af", None)
    assert not agrees("nso", "en") and not agrees("st", "tn")  # lingua tells Sesotho from Setswana itself


def test_short_or_letterless_passages_get_no_guess():
    assert detect_passage("2019/20  R 1 234 567  12,5%") is None


def test_each_language_has_its_analyzer():
    assert query_terms("The Records of the records-management unit") == ["record", "manag", "unit"]  # as before
    assert query_terms("Die reg op privaatheid van die persoon", "af") == ["reg", "privaatheid", "persoon"]
    assert query_terms("Die reg op privaatheid van die persoon")[:3] == ["die", "reg", "op"]  # English keeps them
    assert query_terms("les procès-verbaux des séances", "fr") == ["proces", "verbal", "séanc"]
    assert query_terms("Ilungelo lokuthola indlu", "xh") == ["ilungelo", "lokuthola", "indlu"]


AF = ("Die Handleiding is gepubliseer in terme van die Wet op Bevordering van Toegang tot Inligting. Versoeke vir "
      "toegang tot rekords wat deur die instelling gehou word, moet aan die Inligtingsbeampte gerig word.")
ZU = ("Wonke umuntu unelungelo lokuthola indlu efanelekile. Umbuso kufanele uthathe izinyathelo zomthetho "
      "ezifanele nezinye izinyathelo ngokwezimali ezinazo ukuze leli lungelo lifezeke kancane kancane.")
EN = ("The committee approved the records management policy and asked every unit to report on the file plan "
      "before the end of the financial year, with the names of its records champions.")


def test_a_mixed_document_is_indexed_passage_by_passage():
    # A notice that is mostly English with an isiZulu and an Afrikaans passage: those two are analysed in their own languages.
    assert analysis.passage_languages("en", [EN, ZU, EN, AF, EN]) == ["en", "zu", "en", "af", "en"]
    assert analysis.passage_languages("en", [EN, EN, "Table 3"]) == ["en", "en", "en"]
    # Sepedi (the Constitution's section 28), which lingua calls Sesotho or Setswana, stays Sepedi; English does not.
    nso = ("ka beyago kotsing go phela gabotse ga ngwana, thuto, boitekanelo bja mmele le monagano, goba semoya, "
           "maitshwaro goba tšwelopele setšhabeng; go se golegwe, ntle le ge seo e le kgato fela yeo e ka tšewago")
    assert analysis.passage_languages("nso", [nso, EN]) == ["nso", "en"]


def test_each_passage_is_searched_in_its_languages_field(tmp_path):
    writer = LexicalWriter(tmp_path / "bm25")
    writer.add([(0, "d-en", EN), (1, "d-mixed", EN), (2, "d-mixed", ZU), (3, "d-af", AF)],
               {"d-en": "en", "d-mixed": "en", "d-af": "af"})
    assert writer.commit() == 4
    from kmsearch.index.lexical import Lexical

    bm25 = Lexical.load(tmp_path / "bm25")
    assert set(bm25.languages) == {"en", "zu", "af"}
    assert [c for c, _ in bm25.search("ilungelo lokuthola indlu", 5)] == [2]
    assert [c for c, _ in bm25.search("versoeke vir toegang tot rekords", 5)] == [3]
    assert {c for c, _ in bm25.search("records policies", 5)} == {0, 1}  # English stems still match


def test_hits_carry_their_language(tmp_path, settings, embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "handleiding.txt").write_text(AF, encoding="utf-8")
    (folder / "policy.txt").write_text(EN, encoding="utf-8")
    (folder / "izindlu.txt").write_text(ZU, encoding="utf-8")
    ingest([folder], settings, embedder)
    searcher = Searcher(Index.open(settings, embedder))
    hits = searcher.search("toegang tot rekords inligtingsbeampte", mode="bm25")
    assert hits[0].to_json()["language"] == "af" and hits[0].path.endswith("handleiding.txt")
    found = searcher.search("indlu efanelekile", mode="hybrid", filters=Filters(language="zu"))
    assert [h.language for h in found] == ["zu"]
    assert searcher.search("records policy", mode="bm25", filters=Filters(language="af")) == []
    assert searcher.search("records policy", filters=Filters(language="nso")) == []  # a code without 639-1 is taken
    assert facets(searcher.index)["language"] == {"af": 1, "en": 1, "zu": 1}


def test_an_index_of_the_english_only_format_is_rebuilt_by_the_next_ingest(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    manifest_path = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    lexical = settings.index_dir / manifest["generation"] / "lexical"
    shutil.rmtree(lexical)
    old = tantivy.SchemaBuilder()  # format 3: one English "text" field
    old.add_unsigned_field("chunk", indexed=True, fast=True)
    old.add_text_field("doc", tokenizer_name="raw", index_option="basic")
    old.add_text_field("text", tokenizer_name="en_stem", index_option="freq")
    lexical.mkdir()
    tantivy.Index(old.build(), path=str(lexical))
    manifest["format_version"] = 3
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexError_, match="upgrade it in place"):
        Index.open(settings, embedder)
    ingest([corpus], settings, embedder)
    index = Index.open(settings, embedder)
    assert index.manifest["format_version"] == FORMAT_VERSION == 4
    assert len(index.lexical) == index.catalog.counts()["chunks"]
    assert Searcher(index).search("retrieval times file plan", mode="bm25")


# --- real documents ---------------------------------------------------------------------------------------------


@real
@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_constitution_editions_are_identified(edition):
    doc = extract(LANGS / f"constitution__SAConstitution-web-{edition}.pdf")
    assert doc.language == EDITIONS[edition]
    passages = [p.text for p in doc.pages[8:40] if len(p.text) > 400]
    right = sum(detect_passage(text) == EDITIONS[edition] for text in passages)
    assert right >= 0.8 * len(passages)


@real
def test_sepedi_comes_out_as_a_sotho_tswana_relative():
    doc = extract(LANGS / "constitution__SAConstitution-web-sep.pdf")
    assert doc.language in ("st", "tn")  # lingua has no Sepedi; documented in kmsearch/ingest/language.py


@real
def test_afrikaans_manual_and_french_minutes_are_identified():
    assert extract(LANGS / MANUAL).language == "af"
    assert detect_document(extract(CORPUS / "pdfplumber-gov" / "2023-06-20-PV.pdf").text) == "fr"

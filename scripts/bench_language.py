"""Language identification on real passages: lingua (restricted to kmsearch's languages) against py3langid.

Run by hand: python scripts/bench_language.py [--corpus DIR] [--per-language N] [--cache FILE].
Prints Markdown for docs/benchmarks.md.

The passages are kmsearch's own: each document of ../shared/corpus-real goes through `extract` and the
`Chunker` (the default model's tokenizer, the default chunk size), and each passage is labelled with its
document's language: the Constitution in seven South African languages and an Afrikaans PAIA manual
(za-sa-languages), the two French Quebec/Ontario documents and six English ones. A passage that is really in
another language (an English heading in an isiZulu edition, a table of numbers) counts against every detector
alike. Up to N passages per language are drawn with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

DOCUMENTS = {
    "za-sa-languages/constitution__SAConstitution-web-afr.pdf": "af",
    "za-sa-languages/fasset__images__policies_S14_Manual_Afrikaans.pdf": "af",
    "za-sa-languages/constitution__SAConstitution-web-zul.pdf": "zu",
    "za-sa-languages/constitution__SAConstitution-web-xho.pdf": "xh",
    "za-sa-languages/constitution__SAConstitution-web-sot.pdf": "st",
    "za-sa-languages/constitution__SAConstitution-web-set.pdf": "tn",
    "za-sa-languages/constitution__SAConstitution-web-sep.pdf": "nso",
    "za-sa-languages/constitution__SAConstitution-web-tso.pdf": "ts",
    "pdfplumber-gov/2023-06-20-PV.pdf": "fr",
    "pdfplumber-gov/chelsea_pdta.pdf": "fr",
    "za-openup/idp-process-guide/003-understanding-municipal-budgets.pdf": "en",
    "za-openup/idp-process-guide/001-understanding-the-idp.pdf": "en",
    "people-za-fasset-seta/images__Language_Policy.pdf": "en",
    "pdfplumber-gov/federal-register-2020-17221.pdf": "en",
    "pdfplumber-gov/scotus-transcript-p1.pdf": "en",
    "us-docx-pptx/US-DOJ-EOUST_Handbook-Chapter1-excerpt__handbook-1p.docx": "en",
}
# What py3langid is restricted to today (kmsearch/ingest/extract before this benchmark).
PY3LANGID_LANGUAGES = ["en", "af", "zu", "xh", "nl", "fr", "de", "pt", "es", "it", "sw"]


def passages(corpus: Path, cache: Path | None) -> dict[str, list[str]]:
    """Passage texts by true language, through kmsearch's extraction and chunking (cached as JSON)."""
    if cache and cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    from kmsearch.config import Settings
    from kmsearch.index.embed import make_embedder
    from kmsearch.ingest.chunk import Chunker
    from kmsearch.ingest.extract import extract

    settings = Settings()
    chunker = Chunker(make_embedder(settings).tokenizer, settings.chunk_tokens, settings.chunk_overlap)
    out: dict[str, list[str]] = defaultdict(list)
    for rel, lang in DOCUMENTS.items():
        doc = extract(corpus / rel, settings)
        out[lang].extend(c.text for c in chunker.chunk(doc))
    if cache:
        cache.write_text(json.dumps(out), encoding="utf-8")
    return dict(out)


def detectors() -> dict[str, object]:
    """Name -> callable(text) -> ISO code or None."""
    from lingua import LanguageDetectorBuilder
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from kmsearch.language import DETECTED, code_of

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(PY3LANGID_LANGUAGES)
    high = LanguageDetectorBuilder.from_languages(*DETECTED).build()
    low = LanguageDetectorBuilder.from_languages(*DETECTED).with_low_accuracy_mode().build()

    def lingua(detector):
        return lambda text: code_of(detector.detect_language_of(text))

    return {
        "py3langid (today, 11 languages)": lambda text: str(identifier.classify(text)[0]),
        "lingua, high accuracy (11 languages)": lingua(high),
        "lingua, low accuracy (11 languages)": lingua(low),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus-real")
    parser.add_argument("--per-language", type=int, default=200)
    parser.add_argument("--cache", type=Path, default=None, help="JSON file to keep the extracted passages in")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        args.corpus = Path("/work/shared/corpus-real")
    by_lang = passages(args.corpus, args.cache)
    rng = random.Random(20)
    sample = {lang: rng.sample(texts, min(args.per_language, len(texts))) for lang, texts in sorted(by_lang.items())}
    langs = list(sample)
    import lingua
    import py3langid

    print(f"Machine: {platform.processor() or platform.machine()}, {platform.python_version()}; "
          f"lingua-language-detector {getattr(lingua, '__version__', '2.1.1')}, py3langid {py3langid.__version__}; "
          f"{time.strftime('%Y-%m-%d')}.")
    print(f"Passages per language: {', '.join(f'{lang} {len(t)}' for lang, t in sample.items())}.\n")
    print("| detector | " + " | ".join(langs) + " | all | ms per passage |")
    print("|---" * (len(langs) + 3) + "|")
    confusions = {}
    for name, detect in detectors().items():
        right, wrong, seconds, n = {}, {}, 0.0, 0
        for lang, texts in sample.items():
            detect(texts[0])  # load the model outside the clock
            start = time.perf_counter()
            guesses = [detect(t) for t in texts]
            seconds += time.perf_counter() - start
            n += len(texts)
            right[lang] = sum(g == lang for g in guesses) / len(texts)
            wrong[lang] = Counter(g for g in guesses if g != lang).most_common(2)
        total = sum(right[lang] * len(sample[lang]) for lang in langs) / n
        cells = " | ".join(f"{right[lang]:.3f}" for lang in langs)
        print(f"| {name} | {cells} | {total:.3f} | {seconds / n * 1000:.2f} |")
        confusions[name] = wrong
    print("\nMost frequent wrong answers (language: answer x count):\n")
    for name, wrong in confusions.items():
        shown = "; ".join(f"{lang}: " + ", ".join(f"{g} x{c}" for g, c in w) for lang, w in wrong.items() if w)
        print(f"- {name}: {shown or 'none'}")


if __name__ == "__main__":
    main()

"""`kmsearch eval` and `kmsearch model`: measuring retrieval and who-knows on judged collections, and preparing
the embedding model. Added to the main group by kmsearch/cli/__init__.py; the libraries load inside each command."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kmsearch.cli.common import Context, _run, model_option
from kmsearch.config import FUSIONS


@click.group(name="eval")
def eval_group() -> None:
    """Measure retrieval quality."""


@eval_group.command("beir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--mode", "modes", multiple=True, type=click.Choice(["hybrid", "dense", "bm25", "all"]), default=["all"],
              show_default=True, help="Repeatable; all = bm25, dense and hybrid with each fusion.")
@click.option("--fusion", type=click.Choice(FUSIONS), default=None, help="Fusion for hybrid [default: both].")
@click.option("--split", default="test", show_default=True)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Scratch index, kept for the next run [default: indexes/eval/<folder name>].")
@model_option
@click.option("--quiet", "-q", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def eval_beir(obj: Context, folder: Path, modes: tuple[str, ...], fusion: str | None, split: str,
              workdir: Path | None, model: str | None, quiet: bool, as_json: bool) -> None:
    """Ingest a BEIR collection into a scratch index; print nDCG@10, Recall@100 and MRR@10 per mode.

    \b
    Example:
        kmsearch eval beir ../shared/eval/scifact --mode all
    """
    from kmsearch.eval.beir import METRICS, evaluate

    fusions = [fusion] if fusion else ["rrf", "score"]
    wanted = {"bm25", "dense", "hybrid"} if "all" in modes else set(modes)
    runs = [(m, "rrf") for m in ("bm25", "dense") if m in wanted]
    runs += [("hybrid", f) for f in fusions if "hybrid" in wanted]
    settings = obj.settings(index_dir=workdir or Path("indexes/eval") / folder.name, model=model)
    results = evaluate(folder, settings, runs, split=split, show_progress=not quiet)
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"{'run':<14}" + "".join(f"{m:>12}" for m in METRICS))
    for name, scores in results.items():
        click.echo(f"{name:<14}" + "".join(f"{scores[m]:>12.4f}" for m in METRICS))


@eval_group.command("experts")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="BEIR-style corpus.jsonl; metadata.authors lists each document's people.")
@click.option("--topics", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="topic-id<TAB>text per line (with --corpus).")
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="TREC qrels: topic-id 0 person grade (with --corpus).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Score an index already ingested (e.g. from ../shared/corpus-real) instead of a corpus.")
@click.option("--judged", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="With --index: a judged folder (who_knows_topics.tsv with splits, who_knows.qrels.trec, "
                   "people.tsv), e.g. tests/data/judged/real.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Scratch index, kept for the next run [default: indexes/eval/experts-<corpus folder>].")
@model_option
@click.option("--quiet", "-q", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_run
def eval_experts(obj: Context, corpus: Path | None, topics: Path | None, qrels: Path | None, index_dir: Path | None,
                 judged: Path | None, workdir: Path | None, model: str | None, quiet: bool, as_json: bool) -> None:
    """Rank people for each judged topic; print MAP, MRR and P@5 (a corpus) or, per split, MAP, MRR, P@3 and
    the topics with a right person in the top three (an ingested index and a judged folder).

    With --corpus, the corpus is indexed into a scratch index first, and unjudged people are left out of each
    ranking. With --index, every person returned counts, unjudged ones as wrong; judged people are matched by
    id or by a compatible form of their name (people.tsv).

    \b
    Example:
        kmsearch eval experts --corpus corpus.jsonl --topics topics.tsv --qrels qrels.trec
        kmsearch eval experts --index indexes/corpus-real --judged tests/data/judged/real
    """
    from kmsearch.errors import InvalidParameterError

    if index_dir is not None:
        if judged is None or corpus is not None:
            raise InvalidParameterError("--index needs --judged FOLDER, and takes no --corpus")
        from kmsearch.eval.judged import evaluate_judged
        from kmsearch.index.store import Index

        results = evaluate_judged(Index.open(obj.settings(index_dir=index_dir, model=model)), judged)
        if as_json:
            click.echo(json.dumps(results, indent=2))
            return
        click.echo(f"{'split':<10}{'topics':>8}{'MAP':>10}{'MRR':>10}{'P@3':>10}{'top 3':>10}")
        for split in [k for k in results if k != "topics"]:
            r = results[split]
            click.echo(f"{split:<10}{r['topics']:>8}{r['map']:>10.4f}{r['mrr']:>10.4f}{r['precision@3']:>10.4f}"
                       f"{r['top3_topics']:>10}")
        return
    if corpus is None or topics is None or qrels is None:
        raise InvalidParameterError("give --corpus, --topics and --qrels, or --index and --judged")
    from kmsearch.eval.experts import evaluate_corpus

    workdir = workdir or Path("indexes/eval") / f"experts-{corpus.resolve().parent.name}"
    results = evaluate_corpus(corpus, topics, qrels, obj.settings(index_dir=workdir, model=model),
                              show_progress=not quiet)
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"{'topics':>8}{'MAP':>10}{'MRR':>10}{'P@5':>10}")
    click.echo(f"{results['topics']:>8}{results['map']:>10.4f}{results['mrr']:>10.4f}{results['precision@5']:>10.4f}")


@click.group(name="model")
def model_group() -> None:
    """Prepare the embedding model."""


@model_group.command("export")
@click.option("--model", default=None, help="Sentence-transformers model name or folder [default: the setting].")
@click.option("--force", is_flag=True, help="Export again even if a finished export exists.")
@click.pass_obj
@_run
def model_export(obj: Context, model: str | None, force: bool) -> None:
    """Export the embedding model to ONNX (fp32 and int8) for the CPU backends, ahead of their first use.

    The export is local (nothing is downloaded) and kept in onnx_dir (~/.cache/kmsearch/onnx, or
    KMSEARCH_ONNX_DIR), in a folder named by a hash of the model's files.

    \b
    Example:
        kmsearch model export
        kmsearch model export --model /models/bge-small-en-v1.5
    """
    from kmsearch.config import DEFAULT_MODEL
    from kmsearch.index.embed import check_export, model_folder, resolve_model
    from kmsearch.index.onnx_export import META, ensure_export, export

    settings = obj.settings(model=model)
    model_id = settings.model or DEFAULT_MODEL
    path = model_folder(resolve_model(model_id))
    folder = (export if force else ensure_export)(path, model_id, settings.onnx_dir, check=check_export)
    check = json.loads((folder / META).read_text(encoding="utf-8")).get("check", {})
    click.echo(f"{folder}  (cosine with torch on the check sentences: "
               + ", ".join(f"{b} {c:.4f}" for b, c in check.items()) + ")")

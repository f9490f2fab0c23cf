"""The analytics report: knowledge gaps and usage over a window of the query log, as JSON or text."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from kmsearch.analytics.clustering import DEFAULT_DISTANCE
from kmsearch.analytics.gaps import ExpertLike, knowledge_gaps
from kmsearch.analytics.querylog import stamp
from kmsearch.analytics.reader import LogReader
from kmsearch.analytics.usage import usage

TREND_DAYS = 30  # a gap's trend: the last 30 days against the 30 before


def build_report(log_path: Path, now: datetime, days: int = 90,
                 documents: Iterable[tuple[str, str, str]] | None = None,
                 embed: Callable[[list[str]], np.ndarray] | None = None,
                 who_knows: Callable[[str], Sequence[ExpertLike]] | None = None,
                 distance: float = DEFAULT_DISTANCE, top: int = 20) -> dict[str, Any]:
    """Gaps and usage for the `days` before `now`. The inputs are those of `knowledge_gaps` and `usage`:
    the index's document list, its embedder, and who-knows, each optional (the report says what is missing)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    since = now - timedelta(days=days)
    reader = LogReader(log_path)
    try:
        queries, opens = reader.queries(since, now), reader.opens(since, now)
        shown, dropped = reader.shown_counts(since, now), reader.dropped(since, now)
    finally:
        reader.close()
    gaps = knowledge_gaps(queries, now, embed, who_knows, TREND_DAYS, distance, limit=top)
    used = usage(queries, opens, shown, documents, embed, distance, top)
    notes = list(used.notes)
    if embed is None:
        notes.append("no embedder: only identical queries are grouped")
    if who_knows is None:
        notes.append("no who-knows: gaps show no person")
    if days < 2 * TREND_DAYS:
        notes.append(f"the window is under {2 * TREND_DAYS} days: trends compare part windows")
    return {"log": str(log_path), "from": stamp(since), "to": stamp(now), "days": days,
            "gaps": [g.to_json() for g in gaps], "usage": {k: v for k, v in used.to_json().items() if k != "notes"},
            "dropped": {"records": sum(d["records"] for d in dropped),
                        "reasons": sorted({d["reason"] for d in dropped})},
            "notes": notes}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def format_report(report: dict[str, Any], listed: int = 10) -> list[str]:
    """The report as lines of plain text, for the terminal."""
    u = report["usage"]
    asked = sum(u["requests"].values())
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(u["requests"].items())) or "none"
    lines = [f"Query log {report['log']}: {report['days']} days, {report['from'][:10]} to {report['to'][:10]}",
             (f"Requests: {asked} ({kinds}); {u['unanswered']} with no strong match "
              f"({_percent(u['unanswered'], asked)})")]
    if report["dropped"]["records"]:
        lines.append(f"Dropped by the log: {report['dropped']['records']} records "
                     f"({'; '.join(report['dropped']['reasons'])})")
    lines += ["", "Knowledge gaps: what staff ask that the documents cannot answer"]
    for g in report["gaps"]:
        lines.append(f"  {g['count']:>4}  {g['label']}  [{g['trend']}: {g['recent']} in the last 30 days, "
                     f"{g['previous']} before; last {g['last_seen'][:10]}]"
                     + ("  answered since" if g["answered_since"] else ""))
        person = g["person"]
        extra = f" ({person['via']}{'; ' + person['unit'] if person.get('unit') else ''})" if person else ""
        lines.append(f"        {g['finding']}{extra}")
        others = [v["query"] for v in g["variants"][1:4]]
        if others:
            lines.append(f"        also asked as: {'; '.join(others)}")
    if not report["gaps"]:
        lines.append("  none")
    lines += ["", "Most asked topics"] + [f"  {t['count']:>4}  {t['label']}" for t in u["topics"][:listed]]
    lines += ["", "Most opened documents"]
    for d in u["most_opened"][:listed]:
        rank = f", mean rank {d['mean_rank']}" if d["mean_rank"] is not None else ""
        lines.append(f"  {d['opens']:>4}  {d['title'] or '(no longer in the index)'}  {d['path'] or d['doc_id']}"
                     f"  ({d['views']} views, {d['downloads']} downloads{rank})")
    ct = u["click_through"]
    lines += ["", (f"Click-through: {ct['opened']} of {ct['result_lists']} result lists led to an open "
                   f"({_percent(ct['opened'], ct['result_lists'])}); mean rank opened {ct['mean_rank_opened'] or '-'}")]
    if ct["queries_never_opened"]:
        lines.append("  results never opened for: " + "; ".join(
            f"{q['query']} ({q['count']})" for q in ct["queries_never_opened"][:listed]))
    if u["documents"] is not None:
        for key, verb in (("never_found", "in no result list"), ("never_opened", "never opened")):
            lines += ["", f"Documents {verb}: {len(u[key])} of {u['documents']}"]
            lines += [f"  {d['path']}  {d['title']}" for d in u[key][:listed]]
            if len(u[key]) > listed:
                lines.append(f"  ... and {len(u[key]) - listed} more (--json lists all)")
    if u["per_unit"]:
        lines += ["", "Per unit (key group): requests, no strong match, opens"]
        lines += [f"  {r['group']:<24} {r['requests']:>6} {r['unanswered']:>6} {r['opens']:>6}" for r in u["per_unit"]]
    if u["over_time"]:
        lines += ["", "Per week: requests, no strong match, opens"]
        lines += [f"  {w['week']}  {w['requests']:>6} {w['unanswered']:>6} {w['opens']:>6}" for w in u["over_time"]]
    if report["notes"]:
        lines += ["", "Notes: " + "; ".join(report["notes"])]
    return lines

"""Librarians' corrections (kmsearch.ingest.overrides) applied to a generation being written, after its registers.

Title, type, date and authors replace what extraction or a register gave. Groups are one more restriction, like
a register row's: they narrow who may read (a reader needs a group every restriction names) and never open a
document up; a correction whose groups share none with the document's is not applied, and the document is
withheld until it is fixed, as with disagreeing register rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kmsearch.ingest.overrides import Overrides, has_overrides
from kmsearch.index.store import IndexWriter
from kmsearch.ingest.protect import stricter


@dataclass
class Applied:
    corrected: list[str] = field(default_factory=list)  # paths whose catalogue entry changed
    withheld: dict[str, str] = field(default_factory=dict)  # path -> why it is not published


def apply_edits(writer: IndexWriter) -> Applied:
    """Apply every stored correction to the documents this generation holds."""
    applied = Applied()
    if not has_overrides(writer.settings.index_dir):
        return applied
    with Overrides(writer.settings.index_dir) as store:
        edits = store.by_document()
    if not edits:
        return applied
    docs = writer.catalog.documents(list(edits))
    for doc_id, fields in edits.items():
        doc = docs.get(doc_id)
        if doc is None:  # its file is gone or not ingested yet: the correction waits
            continue
        fields = dict(fields)
        if "groups" in fields:
            groups, why = stricter([("its file and registers", tuple(doc.access_groups)),
                                    ("the librarian's correction", tuple(fields["groups"]))])
            if groups is None:
                writer.remove(doc_id)
                applied.withheld[doc.path] = f"not published: {why}"
                continue
            fields["groups"] = groups
        before = writer.changed
        writer.changed = False
        writer.correct(doc_id, fields)
        if writer.changed:
            applied.corrected.append(doc.path)
        writer.changed |= before
    return applied

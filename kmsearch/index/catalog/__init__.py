"""The SQLite catalogue of one index generation: documents, pages, chunks, register rows, people and mentions,
and the title index. This package is the only code that opens the index's SQLite file or writes SQL for it
(the embedding cache, index/cache.py, the API key store, api/keys.py, and the query log and audit trail,
analytics/querylog.py and trail.py, keep files of their own, outside generations).

- schema.py   every table, and how a generation's file is opened (read-only, or to write the next one)
- reader.py   `Catalog`: named queries returning frozen records from kmsearch.types
- writer.py   `CatalogWriter`: the reader plus every change an ingest makes
- query.py    search filters and access groups as a WHERE clause
- titles.py   the title index where-is reads
- vocabulary.py the passages' words (did-you-mean) and the acronyms they define
- records.py  rows decoded into records; the text the models see for a passage
- listing.py  every record, indexed or in a register only, filtered, sorted and paged for librarians
"""

from kmsearch.index.catalog.listing import CatalogueOptions, CatalogueQuery, Listing
from kmsearch.index.catalog.query import DocumentFilter, like_literal
from kmsearch.index.catalog.reader import Catalog, ChunkSpan, FacetRow
from kmsearch.index.catalog.records import embed_text
from kmsearch.index.catalog.schema import SCHEMA, connect_readonly, connect_writable, copy_catalog, count_documents
from kmsearch.index.catalog.titles import PAPER_ONLY, title_text
from kmsearch.index.catalog.writer import CatalogWriter

__all__ = [
    "PAPER_ONLY", "SCHEMA", "Catalog", "CatalogWriter", "CatalogueOptions", "CatalogueQuery", "ChunkSpan",
    "DocumentFilter", "FacetRow", "Listing", "connect_readonly",
    "connect_writable", "copy_catalog", "count_documents", "embed_text", "like_literal", "title_text",
]

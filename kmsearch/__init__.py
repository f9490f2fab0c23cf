"""kmsearch: semantic search over a department's documents: find the passage, the document, and who knows."""

__version__ = "0.1.0"

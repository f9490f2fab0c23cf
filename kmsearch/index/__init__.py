"""The index folder: embeddings (with their cache), FAISS, BM25, the SQLite catalogue, and atomic generations."""

"""From files to chunks: extract (per format), clean, chunk; `pipeline` ties them to the index."""

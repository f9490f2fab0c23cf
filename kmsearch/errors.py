"""The few errors kmsearch raises on purpose; each message names what went wrong and how to fix it."""


class KmsearchError(Exception):
    """Base class: the CLI prints these as one line, without a traceback."""


class ExtractionError(KmsearchError):
    """A file could not be turned into text (corrupt, encrypted, empty, unsupported)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(KmsearchError):
    """The index folder is missing, unreadable, or built with other settings."""


class ModelMismatchError(IndexError_):
    """The index was built with another embedding model than the one configured."""


class DamagedIndexError(IndexError_):
    """The live manifest or generation is damaged (truncated, deleted, emptied); the message names the fix."""


class DiskFullError(KmsearchError):
    """No space was left where the index is written; the message names the disk and the index."""


class IndexLockedError(IndexError_):
    """Another ingest holds the index's write lock."""


class InvalidParameterError(KmsearchError):
    """A search or CLI parameter is out of range or malformed."""


def describe_os_error(exc: OSError) -> str:
    """A file's OSError as a report reason."""
    import errno

    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link or file vanished"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read file ({exc.strerror or exc})"

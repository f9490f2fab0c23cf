"""Connecting to a Ray cluster, and shipping this kmsearch to nodes that lack it."""

from __future__ import annotations

import copy
import hashlib
import logging
from pathlib import Path
from typing import Any

from kmsearch.errors import KmsearchError

log = logging.getLogger(__name__)

RAY_MISSING = "--ray needs Ray, which is not installed here: pip install 'kmsearch[ray]'"


def import_ray() -> Any:
    """The `ray` module, or a one-line error that says how to install it."""
    try:
        import ray
    except ImportError:
        raise KmsearchError(RAY_MISSING) from None
    return ray


class RayCluster:
    """A connection to the cluster `address` names, for the length of a `with` block.

    `address`: "auto" (the cluster this machine belongs to, else an error), "local" (a throwaway cluster on this
    machine, gone at the end of the block), or a head's address, "HOST:6379" or "ray://HOST:10001". When Ray is
    already initialised in this process, that connection is used and left open.
    """

    def __init__(self, address: str):
        self.address = address
        self.ray = import_ray()
        self.runtime_env: dict[str, Any] | None = None  # the job's, when kmsearch is shipped with it
        self._connected_here = False

    def __enter__(self) -> RayCluster:
        if self.ray.is_initialized():
            if self.address != "local" and self._needs_code():
                raise KmsearchError(
                    "the Ray cluster's workers lack this version of kmsearch and Ray was initialised before the "
                    f"ingest: install it on the workers, or call ray.init(runtime_env={shipped_code()!r}) yourself"
                )
            return self
        self._connect()
        try:
            # A cluster started here ("local") runs this interpreter, so this code. Elsewhere, ask every node;
            # local folders can only be shipped with a job, so reconnect with them when some node needs them.
            if self.address != "local" and self._needs_code():
                log.info("shipping kmsearch to the Ray cluster: some of its nodes lack this version")
                self.ray.shutdown()
                self.runtime_env = shipped_code()
                self._connect()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._connected_here:
            self.ray.shutdown()
            self._connected_here = False

    def _connect(self) -> None:
        try:
            runtime_env = copy.deepcopy(self.runtime_env)  # Ray rewrites it (the folder becomes its upload's URI)
            throwaway = {"include_dashboard": False} if self.address == "local" else {}
            self.ray.init(address=self.address, runtime_env=runtime_env, log_to_driver=False,
                          logging_level=logging.WARNING, **throwaway)
        except Exception as exc:  # ConnectionError; ValueError for a malformed address; a runtime env refused...
            raise KmsearchError(f"cannot connect to the Ray cluster at {self.address!r}: {exc}") from exc
        self._connected_here = True

    def local_fingerprint(self) -> str:
        return code_fingerprint()

    def _needs_code(self) -> bool:
        """Whether some node cannot import kmsearch, or imports another version of it."""
        ray = self.ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        mine = self.local_fingerprint()
        probe = ray.remote(code_fingerprint)
        nodes = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
        refs = [probe.options(num_cpus=0, max_retries=0,
                              scheduling_strategy=NodeAffinitySchedulingStrategy(n, soft=False)).remote()
                for n in nodes]
        for ref in refs:
            try:
                theirs = ray.get(ref, timeout=120)
            except Exception as exc:  # most likely: no kmsearch on that node
                log.info("a Ray node cannot run kmsearch as installed there: %s", exc)
                return True
            if theirs != mine:
                return True
        return False


def shipped_code() -> dict[str, Any]:
    """The runtime environment that carries this kmsearch package to a cluster's workers."""
    return {"py_modules": [str(Path(__file__).resolve().parents[2])], "excludes": ["__pycache__", "*.pyc"]}


def code_fingerprint() -> str:
    """A hash of kmsearch's Python files: the same here and on a node means the same code runs on both."""
    import kmsearch

    root = Path(kmsearch.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()

"""What every `kmsearch` command shares: the context object with the settings, the error handling, and the
--index, --model and --backend options. Apart from the commands so that kmsearch/cli/service.py can use them
without importing the main group (which adds its commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from kmsearch.config import BACKENDS, Settings
from kmsearch.errors import KmsearchError


class Context:
    """What the group's options give every command: the settings file, -v, and --backend."""

    def __init__(self, config: str | None, verbose: bool):
        self.config = config
        self.verbose = verbose
        self.backend: str | None = None  # --backend, given with --model on any command that takes one

    def settings(self, **overrides: Any) -> Settings:
        return Settings.load(self.config, **({"backend": self.backend} | overrides))


def _run(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line, and anything unexpected into one line plus a hint."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        try:
            return fn(*args, **kwargs)
        except KmsearchError as exc:
            if ctx and ctx.verbose:
                raise
            raise click.ClickException(str(exc)) from None
        except (KeyboardInterrupt, click.ClickException, click.exceptions.Exit):
            raise
        except Exception as exc:
            if ctx and ctx.verbose:
                raise
            raise click.ClickException(f"unexpected {type(exc).__name__}: {exc} (run with -v for details)") from None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Index folder [default: indexes/default, or KMSEARCH_INDEX_DIR].",
)


def _set_backend(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    obj = ctx.find_object(Context)
    if value is not None and obj is not None:
        obj.backend = value
    return value


def model_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--model, and --backend beside it (read by Context.settings, so commands need no extra parameter)."""
    fn = click.option("--backend", type=click.Choice(BACKENDS), default=None, expose_value=False,
                      callback=_set_backend, help="Embedding backend: auto (torch on a GPU, else onnx-int8), torch, "
                      "onnx or onnx-int8 [default: auto, or KMSEARCH_BACKEND].")(fn)
    return click.option("--model", default=None, help="Sentence-transformers model name or folder.")(fn)



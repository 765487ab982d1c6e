"""DOT -> SVG with Graphviz's `dot -Tsvg`, run as a subprocess on the DOT text."""

from __future__ import annotations

import shutil
import subprocess

from datumc.errors import DatumcError
from datumc.secrets.redact import visible

DOT_TIMEOUT = 120.0  # seconds; a routing graph of thousands of models lays out in a few
_DETAIL_LINES = 5

NOT_INSTALLED = (
    "--format svg needs Graphviz's `dot` command, which is not on PATH; install Graphviz "
    "(e.g. `apt-get install graphviz`, `brew install graphviz`), or use --format mermaid "
    "or --format dot"
)


class GraphvizError(DatumcError):
    """`dot` is missing, failed or produced nothing."""


def find_dot() -> str:
    found = shutil.which("dot")
    if found is None:
        raise GraphvizError(NOT_INSTALLED)
    return found


def to_svg(dot_text: str, *, dot: str | None = None, timeout: float = DOT_TIMEOUT) -> bytes:
    """The SVG `dot` draws for `dot_text`; GraphvizError with dot's own words when it fails."""
    exe = dot if dot is not None else find_dot()
    try:
        proc = subprocess.run([exe, "-Tsvg"], input=dot_text.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz dot did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise GraphvizError(f"cannot run Graphviz dot ({visible(exe)}): "
                            f"{exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise GraphvizError(_failure(proc.returncode, proc.stderr))
    if not proc.stdout.strip():
        raise GraphvizError("Graphviz dot produced no SVG" + _detail(proc.stderr))
    return proc.stdout


def _failure(code: int, stderr: bytes) -> str:
    how = f"was killed by signal {-code}" if code < 0 else f"failed with exit code {code}"
    return f"Graphviz dot {how}{_detail(stderr)}"


def _detail(stderr: bytes) -> str:
    lines = [visible(line) for line in stderr.decode("utf-8", "replace").splitlines()
             if line.strip()]
    if not lines:
        return ""
    shown = lines[:_DETAIL_LINES] + (["..."] if len(lines) > _DETAIL_LINES else [])
    return ":\n    " + "\n    ".join(shown)

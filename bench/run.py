"""datumc's benchmark: one command, whole processes, ratios to a baseline measured in the same run.

    python bench/run.py                     # 100, 1,000 and 10,000 datums, 5 runs each
    python bench/run.py --sizes 100 --runs 1 --no-litellm   # a quick smoke run

See docs/bench.md for what each row measures and the targets it is checked against.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import DEFAULT_SEED, generate
from bench.measure import CommandFailed, Sample, Spec, Stats, measure_all
from bench.report import Targets, table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE = HERE / "baseline.py"
# The floor of a cold `datumc lint`: start Python and import what datumc cannot do without.
IMPORT_FLOOR = "import pydantic, click"
# What validating with pydantic costs before any datum is read, to put the lint that runs
# every rule in context: one pydantic model defined (pydantic imports its machinery on
# first use), and datumc's own models (the datum and datumc.toml schemas) built.
ONE_MODEL = "import click\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    x: int"
DATUMC_MODELS = "import click, datumc.validate.check, datumc.validate.project"
LSP_CHANGES = 30
DEFAULT_SIZES = (100, 1_000, 10_000)
PRECOMMIT_FILES = 20
# A strong throwaway key: the LiteLLM proxy refuses weak ones. Never a real secret.
BENCH_MASTER_KEY = "sk-datumc-bench-4c1f0e9a7b2d4e6f8a1c3b5d7e9f0a2b"


def datumc_command() -> list[str]:
    """The installed `datumc` entry point of this interpreter's environment, as users run it."""
    script = Path(sys.executable).parent / "datumc"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "datumc"]


def litellm_command() -> list[str] | None:
    script = Path(sys.executable).parent / "litellm"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("litellm")
    return [found] if found else None


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)  # plain text output everywhere
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["LITELLM_MASTER_KEY"] = BENCH_MASTER_KEY
    # Compiled templates are kept between runs as users' are (the warm-up round fills
    # them, as it fills Python's bytecode cache), in a directory of the bench's own.
    # Every lint figure but the cached cold lint runs the rules: `--no-cache`.
    env["DATUMC_CACHE_DIR"] = _cache_dir()
    env.pop("DATUMC_NO_CACHE", None)
    return env


@functools.cache
def _cache_dir() -> str:
    path = tempfile.mkdtemp(prefix="datumc-bench-cache-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def all_targets() -> list[str]:
    """Every target this datumc has: the bench builds whatever exists."""
    from datumc.targets import TARGETS

    return list(TARGETS)


# -- the output directory, and proof that a no-op build writes nothing ------------------


def snapshot(directory: Path) -> dict[str, tuple[int, int, int, int]]:
    """relpath -> (inode, mtime_ns, size, mode) of every file under `directory`."""
    out = {}
    for path in directory.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(directory).as_posix()] = (
                st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode
            )
    return out


def changed_files(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# -- one size ------------------------------------------------------------------------------


class NoopCheck:
    """Snapshot the output directory before each no-op build and compare after it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.before: dict[str, Any] = {}
        self.written: list[str] = []

    def snapshot(self) -> None:
        if not self.out.is_dir():
            raise CommandFailed("the no-op build runs after a build, but there is no build")
        self.before = snapshot(self.out)

    def check(self, sample: Sample) -> None:
        self.written.extend(changed_files(self.before, snapshot(self.out)))
        if "wrote " in sample.stdout:
            self.written.append("(datumc reported a write)")


class SizeBench:
    """The measured commands for one generated project."""

    def __init__(self, root: Path, count: int, *, seed: int, targets: list[str]):
        self.root = root
        self.count = count
        self.env = bench_env()
        self.datumc = datumc_command()
        shutil.rmtree(root, ignore_errors=True)  # ours (DIR/p<size>): start from nothing
        self.paths = generate(root, count, seed=seed, targets=targets)
        self.out = root / "build"
        self.noop = NoopCheck(self.out)

    def spec(self, name: str, *args: str, **kwargs: Any) -> Spec:
        return Spec(name, [*self.datumc, *args], self.root, self.env, **kwargs)

    def specs(self) -> list[Spec]:
        """In round order: the baseline, a full build into an empty directory, a no-op
        rebuild (checked to write no file), lint, and lint of 20 changed files."""
        dest = self.root.parent / f"baseline-{self.count}.yaml"
        return [
            Spec("baseline", [sys.executable, str(BASELINE), str(self.root), str(dest)],
                 self.root, self.env),
            self.spec("build", "build",
                       before=lambda: shutil.rmtree(self.out, ignore_errors=True)),
            self.spec("noop_build", "build", before=self.noop.snapshot, check=self.noop.check),
            self.spec("lint", "lint", "--no-cache"),
            self.lint_files("lint_20_in_project", self.changed()),
        ]

    def changed(self) -> list[Path]:
        """The pre-commit path in a big repository: 20 changed files, linted with the whole
        project around them (fallbacks and aliases refer across files). Evenly spread."""
        return self.paths[:: max(1, self.count // PRECOMMIT_FILES)][:PRECOMMIT_FILES]

    def lint_files(self, name: str, paths: Sequence[Path]) -> Spec:
        """`datumc lint FILE...` on the files a commit touched, as pre-commit runs it."""
        return self.spec(name, "lint", "--no-cache",
                         *(p.relative_to(self.root).as_posix() for p in paths))


def _shown(stats: Stats) -> Stats:
    """Abbreviate a command line that lists files."""
    files = [a for a in stats.command if a.endswith(".toml")]
    if files:
        stats.command = [*(a for a in stats.command if a not in files), f"<{len(files)} files>"]
    return stats


def bench_size(root: Path, count: int, *, runs: int, seed: int, targets: list[str]) -> (
    dict[str, Any]
):
    size = SizeBench(root, count, seed=seed, targets=targets)
    print(f"[bench] {count:,} datums: baseline, build, no-op build, lint, lint 20 files ...",
          file=sys.stderr)
    stats = measure_all(size.specs(), runs=runs)
    stats["noop_build"].notes["files_written"] = len(size.noop.written)
    stats["noop_build"].notes["written"] = sorted(set(size.noop.written))
    base = stats.pop("baseline")
    result: dict[str, Any] = {"datums": count, "baseline": base.to_json()}
    for key, found in stats.items():
        entry = _shown(found).to_json()
        entry["ratio_to_baseline"] = round(found.wall_median_s / base.wall_median_s, 2)
        result[key] = entry
    return result


def bench_small(work: Path, *, runs: int, seed: int, targets: list[str]) -> dict[str, Any]:
    """Cold start (`--version`) and the pre-commit path (lint 20 datums, cold)."""
    print("[bench] cold start and pre-commit lint ...", file=sys.stderr)
    size = SizeBench(work / f"p{PRECOMMIT_FILES}", PRECOMMIT_FILES, seed=seed, targets=targets)
    stats = measure_all(
        [size.spec("version", "--version"), size.lint_files("lint_20", size.paths)], runs=runs
    )
    return {name: _shown(found).to_json() for name, found in stats.items()}


def bench_litellm(project: Path, count: int, *, runs: int) -> dict[str, Any]:
    """`datumc lint config.yaml` vs `litellm --config config.yaml --validate_config`."""
    config = project / "build" / "litellm" / "config.yaml"
    litellm = litellm_command()
    if litellm is None:
        return {"skipped": "litellm is not installed (pip install 'datumc[proxy]')"}
    if not config.is_file():
        raise CommandFailed(f"{config} was not built")
    print(f"[bench] LiteLLM comparison on the {count:,}-datum config.yaml ...", file=sys.stderr)
    env = bench_env()
    rel = config.relative_to(project).as_posix()
    stats = measure_all([
        Spec("ours", [*datumc_command(), "lint", "--no-cache", rel], project, env),
        Spec("theirs", [*litellm, "--config", rel, "--validate_config"], project, env),
    ], runs=runs)
    ours, theirs = stats["ours"], stats["theirs"]
    return {
        "datums": count,
        "config": rel,
        "datumc_lint": ours.to_json(),
        "litellm_validate_config": theirs.to_json(),
        "ratio_datumc_to_litellm": round(ours.wall_median_s / theirs.wall_median_s, 3),
    }


# -- the headline: three numbers side by side -------------------------------------------


def bench_startup(*, runs: int) -> dict[str, Any]:
    """A cold `datumc lint` of the bundled project (the repository's own datums/) against
    its floor, `python -c "import pydantic, click"`, interleaved in the same rounds:
    unchanged since the last lint (the lint cache answers; the warm-up round fills it in
    a cache directory of its own), and with every rule run (`--no-cache`)."""
    if not (REPO / "datumc.toml").is_file():
        return {"skipped": f"no bundled project at {REPO}"}
    print("[bench] cold lint of the bundled project vs the import floor ...", file=sys.stderr)
    env = bench_env()
    with tempfile.TemporaryDirectory(prefix="datumc-bench-lint-cache-") as cache:
        cached = {**env, "DATUMC_CACHE_DIR": cache}
        stats = measure_all([
            Spec("import_floor", [sys.executable, "-c", IMPORT_FLOOR], REPO, env),
            Spec("lint_bundled", [*datumc_command(), "lint"], REPO, cached),
            Spec("lint_bundled_no_cache", [*datumc_command(), "lint", "--no-cache"], REPO, env),
            Spec("one_model", [sys.executable, "-c", ONE_MODEL], REPO, env),
            Spec("datumc_models", [sys.executable, "-c", DATUMC_MODELS], REPO, env),
        ], runs=runs)
    floor, lint = stats["import_floor"], stats["lint_bundled"]
    rules = stats["lint_bundled_no_cache"]
    return {
        "import_floor": floor.to_json(),
        "lint_bundled": lint.to_json(),
        "lint_bundled_no_cache": rules.to_json(),
        "ratio_lint_to_import_floor": round(lint.wall_median_s / floor.wall_median_s, 2),
        "ratio_no_cache_to_import_floor": round(rules.wall_median_s / floor.wall_median_s, 2),
        "one_model": stats["one_model"].to_json(),
        "datumc_models": stats["datumc_models"].to_json(),
        "ratio_one_model_to_import_floor": round(
            stats["one_model"].wall_median_s / floor.wall_median_s, 2),
        "ratio_datumc_models_to_import_floor": round(
            stats["datumc_models"].wall_median_s / floor.wall_median_s, 2),
    }


def bench_lsp(count: int, *, changes: int) -> dict[str, Any]:
    """The language server's re-check (didChange -> publishDiagnostics), median, from
    bench/lsp.py when it is there and the server's dependencies are installed."""
    if not (HERE / "lsp.py").is_file():
        return {"skipped": "bench/lsp.py does not exist"}
    try:
        from bench import lsp
    except ImportError as exc:  # pygls (datumc[lsp]) or the test helpers missing
        return {"skipped": f"bench/lsp.py cannot run here: {exc}"}
    print(f"[bench] language server re-check, {count:,} datums, {changes} changes ...",
          file=sys.stderr)
    median = lsp.measure(count, changes)
    return {"datums": count, "changes": changes, "recheck_median_s": round(median, 4)}


def headline(results: dict[str, Any], startup: dict[str, Any], lsp: dict[str, Any]) -> (
    dict[str, Any]
):
    """The three figures, each against its floor from this same run."""
    size = results["sizes"].get("1000")
    build: dict[str, Any] = {"skipped": "1,000 datums not measured"} if size is None else {
        "build_wall_median_s": size["build"]["wall_median_s"],
        "baseline_wall_median_s": size["baseline"]["wall_median_s"],
        "ratio": size["build"]["ratio_to_baseline"],
    }
    lint: dict[str, Any] = dict(startup) if "skipped" in startup else {
        "lint_wall_median_s": startup["lint_bundled"]["wall_median_s"],
        "floor_wall_median_s": startup["import_floor"]["wall_median_s"],
        "ratio": startup["ratio_lint_to_import_floor"],
        "no_cache_wall_median_s": startup["lint_bundled_no_cache"]["wall_median_s"],
        "no_cache_ratio": startup["ratio_no_cache_to_import_floor"],
        "one_model_ratio": startup["ratio_one_model_to_import_floor"],
        "datumc_models_ratio": startup["ratio_datumc_models_to_import_floor"],
    }
    return {"lint_vs_import_floor": lint, "build_1000_vs_baseline": build, "lsp_recheck": lsp}


# -- main ---------------------------------------------------------------------------------


def meta(args: argparse.Namespace, targets: list[str]) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    from datumc import __version__

    try:
        litellm_version: str | None = version("litellm")
    except PackageNotFoundError:
        litellm_version = None
    return {
        "datumc_version": __version__,
        "datumc_command": datumc_command(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "warmup_runs": 1,
        "order": "interleaved: each round runs every command once",
        "seed": args.seed,
        "sizes": args.sizes,
        "targets": targets,
        "litellm_version": litellm_version,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                        help="comma-separated datum counts (default: 100,1000,10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per row (default: 5)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--litellm-size", type=int, default=None,
                        help="datum count whose config.yaml LiteLLM validates (default: 1000 "
                        "if measured, else the largest size)")
    parser.add_argument("--no-litellm", action="store_true",
                        help="skip the LiteLLM comparison (several seconds a run)")
    parser.add_argument("--no-lsp", action="store_true",
                        help="skip the language server's re-check time (bench/lsp.py)")
    parser.add_argument("--lsp-changes", type=int, default=LSP_CHANGES,
                        help=f"edits timed in the language server (default: {LSP_CHANGES})")
    parser.add_argument("--out", type=Path, default=HERE / "results.json",
                        help="where to write the results (default: bench/results.json)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="generate the projects in DIR/p<size> (replaced) and keep them "
                        "(default: a temp dir)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


# Targets that put config.yaml in a Kubernetes object, which holds at most 1 MiB: a
# generated config passes that at about 2,500 datums, and the build rightly refuses.
CONFIGMAP_TARGETS = ("kubernetes", "helm")
CONFIGMAP_MAX_DATUMS = 2_000


def targets_for(count: int, targets: list[str]) -> list[str]:
    """The targets a project of `count` generated datums can be built for."""
    if count <= CONFIGMAP_MAX_DATUMS:
        return targets
    return [t for t in targets if t not in CONFIGMAP_TARGETS]


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    targets = all_targets()
    results: dict[str, Any] = {"meta": meta(args, targets), "sizes": {}}
    for count in args.sizes:
        root = work / f"p{count}"
        chosen = targets_for(count, targets)
        results["sizes"][str(count)] = bench_size(root, count, runs=args.runs, seed=args.seed,
                                                  targets=chosen)
        results["sizes"][str(count)]["targets"] = chosen
    results.update(bench_small(work, runs=args.runs, seed=args.seed, targets=targets))
    if args.no_litellm:
        results["litellm"] = {"skipped": "--no-litellm"}
    else:
        pick = args.litellm_size or (1_000 if 1_000 in args.sizes else args.sizes[-1])
        if pick not in args.sizes:
            raise CommandFailed(f"--litellm-size {pick} is not one of --sizes")
        results["litellm"] = bench_litellm(work / f"p{pick}", pick, runs=args.runs)
    startup = bench_startup(runs=args.runs)
    results["startup"] = startup
    if args.no_lsp:
        lsp: dict[str, Any] = {"skipped": "--no-lsp"}
    else:
        lsp = bench_lsp(1_000 if 1_000 in args.sizes else args.sizes[0],
                        changes=args.lsp_changes)
    results["targets"] = Targets(results).evaluate()
    results["headline"] = headline(results, startup, lsp)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            results = run(args, args.keep.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="datumc-bench-") as tmp:
                results = run(args, Path(tmp))
    except CommandFailed as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

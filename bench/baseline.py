"""The floor: read every datum with tomllib and dump them as one YAML list (PyYAML's C dumper).

This is the least any tool must do to turn these inputs into one output file: start
Python, find and parse the files, write YAML. datumc's times are reported as
ratios to this script's, measured in the same run on the same files.

Usage: python bench/baseline.py PROJECT_DIR OUT_FILE
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import yaml


def main(root: Path, out: Path) -> None:
    data = []
    for path in sorted(root.rglob("*.toml")):
        if path.name.endswith((".ai_model.toml", ".model.toml")):
            with path.open("rb") as fh:
                data.append(tomllib.load(fh))
    with out.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh, Dumper=yaml.CDumper, sort_keys=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

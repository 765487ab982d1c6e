"""What every import stage shares: the YAML document, the findings, the env var names."""

from __future__ import annotations

from dataclasses import dataclass, field

from datumc.diagnostics import Diagnostic, Severity
from datumc.importer.codes import SECRET
from datumc.importer.secrets import EnvNames, mask
from datumc.load.positions import Key, dotted
from datumc.load.yaml_loader import YamlDoc
from datumc.plan.model import ConfigModel

__all__ = ["Context", "Path", "dotted"]

Path = tuple[Key, ...]


@dataclass
class Context:
    """The config being imported, read through the one config model (as lint reads it)."""

    config: ConfigModel
    env: EnvNames
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def doc(self) -> YamlDoc:
        """The YAML the model was parsed from: its text, duplicate keys and positions."""
        assert self.config.yaml is not None, "import reads a parsed YAML config"
        return self.config.yaml

    def report(self, code: str, severity: Severity, message: str, path: Path,
               hint: str = "", *, value: bool = False) -> None:
        self.diagnostics.append(self.config.diag(code, severity, message, path, hint,
                                                 value=value))

    def located(self, path: Path) -> tuple[YamlDoc, Path]:
        """The file a value comes from (the config, or a file it includes: the model
        follows `include:`) and the value's path in that file."""
        origin, source = self.config.source_path(path)
        return (origin.doc, source) if isinstance(origin.doc, YamlDoc) else (self.doc, path)

    def line(self, path: Path) -> int:
        doc, source = self.located(path)
        return doc.positions.find(source, value=True)[0]

    def secret(self, path: Path, value: object, base: str, *, what: str) -> str:
        """Replace a hardcoded secret by an env var; returns the variable's NAME."""
        name = self.env.name_for(base, str(value))
        self.report(
            SECRET, Severity.WARNING,
            f"hardcoded {what} ({mask(value)}) replaced by os.environ/{name}; the value is "
            "not copied",
            path,
            hint=f"set {name} in the proxy's environment (.env) to the value on line "
            f"{self.line(path)} of {self.located(path)[0].display}",
            value=True,
        )
        return name

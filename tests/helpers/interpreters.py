"""What the real consumers of generated files do to a value after YAML, shell or unit-file
parsing: compose interpolation, Kubernetes `$(VAR)` expansion, quadlet's key reading,
systemd specifiers and `$VAR` expansion, podman's option parsing.

Each model follows the interpreter's source or documented rule (named at each function)
and MARKS what the interpreter would replace (`<variable ...>`, `<specifier %n>`,
`<podman option ...>`) instead of guessing a value: a hostile value that an interpreter
would reinterpret then reads differently from the placeholder it replaced.
tests/test_interpreters.py checks these models against the real tools where they run here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

# -- YAML: both PyYAML loaders -----------------------------------------------------------------


def load_yaml_all(text: str) -> list[Any]:
    """Every document, read by PyYAML's pure-Python loader and by libyaml, which must agree
    (LiteLLM reads config.yaml with yaml.safe_load: libyaml or not, depending on the build)."""
    pure = list(yaml.load_all(text, Loader=yaml.SafeLoader))
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        assert repr(list(yaml.load_all(text, Loader=fast))) == repr(pure), "libyaml disagrees"
    return pure


# -- compose interpolation ---------------------------------------------------------------------

# compose-go template/template.go: `$$` is a literal `$`; `$NAME` and `${...}` are replaced
# (or are an "Invalid template" error); any other `$` is kept. podman-compose's
# var_interpolate follows the same rules.
_COMPOSE_REF = re.compile(r"\$\$|\$[_A-Za-z][_A-Za-z0-9]*|\$\{")


def compose_text(text: str) -> str:
    """A string value as compose passes it on after interpolation."""
    out, pos = [], 0
    while (match := _COMPOSE_REF.search(text, pos)) is not None:
        end = _brace_end(text, match.end()) if match.group() == "${" else match.end()
        out += [text[pos:match.start()],
                "$" if match.group() == "$$" else f"<variable {text[match.start():end]}>"]
        pos = end
    return "".join(out) + text[pos:]


def _brace_end(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    return len(text)


def compose_key(key: Any) -> Any:
    """compose-go leaves mapping keys alone, podman-compose 1.6 interpolates them too:
    a `$` in a key means two different things (marked)."""
    return f"<key read two ways: {key}>" if isinstance(key, str) and "$" in key else key


def compose_doc(node: Any) -> Any:
    """A compose file as compose reads it: every string value interpolated."""
    if isinstance(node, str):
        return compose_text(node)
    if isinstance(node, dict):
        return {compose_key(k): compose_doc(v) for k, v in node.items()}
    if isinstance(node, list):
        return [compose_doc(v) for v in node]
    return node


# -- Kubernetes $(VAR) expansion ---------------------------------------------------------------

# k8s.io/kubernetes third_party/forked/golang/expansion/expand.go: in a container's
# command, args and env[].value, `$$` is a literal `$` and `$(NAME)` is replaced by NAME
# from the container's environment (which envFrom fills from the Secret, so any name may
# be defined: every reference is marked); any other `$` is kept.
_KUBE_REF = re.compile(r"\$\$|\$\([^)]*\)")


def kube_text(text: str) -> str:
    return _KUBE_REF.sub(lambda m: "$" if m.group() == "$$" else f"<variable {m.group()}>", text)


def _kube_container(container: dict[str, Any]) -> dict[str, Any]:
    out = dict(container)
    for key in ("command", "args"):
        if isinstance(out.get(key), list):
            out[key] = [kube_text(a) if isinstance(a, str) else a for a in out[key]]
    if isinstance(out.get("env"), list):
        out["env"] = [_kube_env(e) for e in out["env"]]
    return out


def _kube_env(entry: Any) -> Any:
    if isinstance(entry, dict) and isinstance(entry.get("value"), str):
        return {**entry, "value": kube_text(entry["value"])}
    return entry


def kube_doc(node: Any) -> Any:
    """A manifest with every container's command, args and env values expanded."""
    if isinstance(node, list):
        return [kube_doc(v) for v in node]
    if not isinstance(node, dict):
        return node
    return {k: [_kube_container(c) if isinstance(c, dict) else c for c in v]
            if k in ("containers", "initContainers", "ephemeralContainers")
            and isinstance(v, list) else kube_doc(v)
            for k, v in node.items()}


def is_manifest(doc: Any) -> bool:
    return isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc


# -- systemd: words, specifiers, $VAR ----------------------------------------------------------

_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"', "'": "'", "s": " "}


def split_words(value: str) -> list[str]:
    """systemd's extract_first_word(UNQUOTE|CUNESCAPE), as quadlet's splitString too:
    blanks separate, quotes group, C escapes are decoded. No specifiers here."""
    words: list[str] = []
    pos = 0
    while pos < len(value):
        while pos < len(value) and value[pos] in " \t":
            pos += 1
        if pos < len(value):
            word, pos = _one_word(value, pos)
            words.append(word)
    return words


def _one_word(value: str, pos: int) -> tuple[str, int]:
    word: list[str] = []
    quote: str | None = None
    while pos < len(value) and (quote is not None or value[pos] not in " \t"):
        text, quote, pos = _step(value, pos, quote)
        word.append(text)
    assert quote is None, f"unterminated quote in {value!r}"
    return "".join(word), pos


def _step(value: str, pos: int, quote: str | None) -> tuple[str, str | None, int]:
    """One character of a word: the text it adds, the quote then open, the next position.
    Escapes are decoded inside quotes too (unlike a shell)."""
    char = value[pos]
    if char == "\\" and pos + 1 < len(value):
        decoded, after = _escape(value, pos)
        return decoded, quote, after
    if quote is None and char in "\"'":
        return "", char, pos + 1
    if char == quote:
        return "", None, pos + 1
    return char, quote, pos + 1


def _escape(value: str, pos: int) -> tuple[str, int]:
    """The C escape at `pos` (a backslash): the character and the position after it."""
    kind = value[pos + 1]
    width = {"x": 2, "u": 4, "U": 8}.get(kind)
    if width is not None and pos + 2 + width <= len(value):
        return chr(int(value[pos + 2:pos + 2 + width], 16)), pos + 2 + width
    return _C_ESCAPES.get(kind, kind), pos + 2


def specifiers(value: str) -> str:
    """`%%` is a literal `%`; any other `%x` is a specifier systemd replaces (marked)."""
    return re.sub(r"%(.)", lambda m: "%" if m.group(1) == "%" else f"<specifier %{m.group(1)}>",
                  value, flags=re.DOTALL)


_BRACED = re.compile(r"\$\$|\$\{[^}]*\}")


def dollars(word: str) -> str:
    """An Exec*= word as systemd passes it (env-util.c replace_env_argv): a word that is
    `$NAME` as a whole is replaced by zero or more words; `${NAME}` anywhere is replaced;
    `$$` is a literal `$`. Replacements are marked."""
    if word.startswith("$") and word[1:2] not in ("{", "$"):
        return f"<variable {word}>"
    return _BRACED.sub(lambda m: "$" if m.group() == "$$" else f"<variable {m.group()}>", word)


def exec_word(word: str) -> str:
    """One word of an ExecStart= command line after unquoting: specifiers at load time
    (load-fragment.c config_parse_exec), then `$` expansion at exec time."""
    return dollars(specifiers(word))


# -- quadlet: how each [Container] key becomes podman arguments --------------------------------


# Go's unicode.IsSpace: Latin-1 blanks, NEL, NBSP, and the Unicode White_Space property.
GO_SPACE = frozenset("\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000") | \
    frozenset(chr(c) for c in range(0x2000, 0x200B))


def quadlet_lookup(value: str) -> list[str]:
    """parser.Lookup: `strings.Trim(strings.TrimRightFunc(v, unicode.IsSpace), "\"")`,
    Unicode spaces trimmed from the end, then EVERY double quote at either end."""
    end = len(value)
    while end and value[end - 1] in GO_SPACE:
        end -= 1
    return [value[:end].strip('"')]


# podman pkg/systemd/quadlet/quadlet.go: the parser.UnitFile lookup each key goes through.
# Every resulting word becomes one podman argument on the generated ExecStart= line
# (AddCmdline/escapeWords quotes and C-escapes, but leaves `%` and `$` alone).
QUADLET_READS: dict[str, Callable[[str], list[str]]] = {
    "Image": quadlet_lookup,            # ConvertContainer: Lookup
    "ContainerName": quadlet_lookup,    # getContainerName: Lookup
    "Volume": lambda v: [v],            # addVolumes: LookupAll (raw)
    "PublishPort": lambda v: [v],       # handlePublishPorts: LookupAll (raw)
    "EnvironmentFile": split_words,     # LookupAllArgs
    "Exec": split_words,                # LookupLastArgs
    "PodmanArgs": split_words,          # LookupAllArgs
    "GlobalArgs": split_words,          # LookupAllArgs
    "Environment": split_words,         # LookupAllKeyVal: NAME=value words
    "Label": split_words,               # LookupAllKeyVal
    "Annotation": split_words,          # LookupAllKeyVal
}


def quadlet_value(key: str, value: str) -> tuple[str, ...]:
    """A [Container] value as the podman arguments systemd finally passes."""
    read = QUADLET_READS.get(key)
    assert read is not None, f"no model of how quadlet reads [Container] {key}=: add one"
    words = tuple(exec_word(w) for w in read(value))
    return tuple(map(_image_word, words)) if key == "Image" else words


def _image_word(word: str) -> str:
    """handleImageSource reads an Image= ending in .image/.build as another quadlet unit;
    podman reads an image starting with `-` as an option."""
    if word.endswith((".image", ".build")):
        return f"<quadlet unit {word}>"
    return f"<podman option {word}>" if word.startswith("-") and word != "-" else word


# -- podman's command line ---------------------------------------------------------------------

# `podman run` options the generated files use (cobra/pflag, interspersed=false: the first
# argument that is not an option is the image, everything after it goes to the container).
PODMAN_VALUE_OPTIONS = frozenset({"--name", "--env-file", "-v", "--volume", "-p", "--publish",
                                  "-e", "--env", "-l", "--label"})


def podman_run(argv: list[str]) -> dict[str, Any]:
    """`podman run ARGS` split as podman parses it: options, image, container arguments."""
    pos = _options_end(argv)
    options = argv[:pos] if argv[pos - 1:pos] != ["--"] else argv[:pos - 1]
    image = argv[pos] if pos < len(argv) else None
    return {"options": options, "image": image, "args": argv[pos + 1:]}


def _options_end(argv: list[str]) -> int:
    """Where the options end: at the first operand, or just after `--`."""
    pos = 0
    while pos < len(argv) and argv[pos].startswith("-") and argv[pos] != "-":
        if argv[pos] == "--":
            return pos + 1
        pos += 1 + (argv[pos] in PODMAN_VALUE_OPTIONS)
    return pos

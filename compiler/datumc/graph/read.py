"""The planned config model -> `Routing`, read the way LiteLLM's Router reads it.

What LiteLLM does (1.106, `Router.__init__` and `get_fallback_model_group`):
- `fallbacks`, `context_window_fallbacks`, `content_policy_fallbacks`: the router
  setting when it is set and not empty, else the `litellm_settings` one (the proxy sets
  `litellm_settings` keys on the litellm module, which the router falls back to).
- `default_fallbacks` (router, else litellm_settings) becomes a generic `*` chain,
  appended last to `fallbacks`.
- The first entry for a group wins; of several `*` entries the last wins. An entry
  must have exactly one key: LiteLLM refuses to start otherwise, except for
  `context_window_fallbacks`, where it reads the first key alone.
- timeout: `router_settings.timeout`, else `litellm_settings.request_timeout`;
  num_retries, allowed_fails and max_fallbacks: router, else litellm_settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datumc.graph.model import (
    ANY_GROUP,
    Alias,
    Deployment,
    Fallback,
    FallbackKind,
    Group,
    Routing,
    Setting,
)
from datumc.plan.model import ConfigModel
from datumc.plan.model import Deployment as ConfigDeployment
from datumc.secrets.detect import mask, secret_value

ROUTER = "router_settings"
SETTINGS = "litellm_settings"
SECONDS = " s"
# litellm_params shown on a deployment, with their unit.
DEPLOYMENT_KEYS = (("weight", ""), ("order", ""), ("rpm", ""), ("tpm", ""),
                   ("timeout", SECONDS), ("stream_timeout", SECONDS), ("max_retries", ""))
# Settings that govern every chain: (shown key, unit, router key, litellm_settings key).
# An empty litellm_settings key: the router alone reads it.
CHAIN_SETTINGS = (
    ("routing_strategy", "", "routing_strategy", ""),
    ("num_retries", "", "num_retries", "num_retries"),
    ("timeout", SECONDS, "timeout", "request_timeout"),
    ("stream_timeout", SECONDS, "stream_timeout", ""),
    ("allowed_fails", "", "allowed_fails", "allowed_fails"),
    ("cooldown_time", SECONDS, "cooldown_time", ""),
    ("disable_cooldowns", "", "disable_cooldowns", ""),
    ("max_fallbacks", "", "max_fallbacks", "max_fallbacks"),
    ("retry_policy", "", "retry_policy", ""),
    ("allowed_fails_policy", "", "allowed_fails_policy", ""),
)


def read_routing(config: ConfigModel) -> Routing:
    router, settings = config.section(ROUTER), config.section(SETTINGS)
    notes: list[str] = []
    fallbacks = [step for kind in FallbackKind
                 for step in _fallbacks(kind, router, settings, notes)]
    return Routing(
        groups=_groups(config),
        aliases=tuple(_aliases(router.get("model_group_alias"))),
        fallbacks=tuple(fallbacks),
        router=tuple(_chain_settings(router, settings)),
        notes=tuple(notes),
    )


# -- groups and deployments -------------------------------------------------------------


def _groups(config: ConfigModel) -> tuple[Group, ...]:
    members: dict[str, list[ConfigDeployment]] = {}
    for deployment in config.deployments():
        if deployment.name is not None:
            members.setdefault(str(deployment.name), []).append(deployment)
    return tuple(
        Group(name, tuple(_deployment(config, d) for d in found), _access_groups(found))
        for name, found in members.items()
    )


def _deployment(config: ConfigModel, deployment: ConfigDeployment) -> Deployment:
    params = deployment.params
    settings = tuple(
        Setting(key, shown) for key, unit in DEPLOYMENT_KEYS
        if (shown := show(params.get(key), unit)) is not None
    )
    return Deployment(deployment.index, config.label(deployment),
                      show(params.get("model")) or "", settings)


def _access_groups(deployments: Iterable[ConfigDeployment]) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for deployment in deployments:
        found = deployment.info.get("access_groups")
        if isinstance(found, list):
            names.update((str(name), None) for name in found if isinstance(name, str))
    return tuple(names)


# -- aliases ------------------------------------------------------------------------------


def _aliases(value: Any) -> Iterator[Alias]:
    if not isinstance(value, dict):
        return
    for name, target in value.items():
        if isinstance(target, str):
            yield Alias(str(name), target)
        elif isinstance(target, dict) and isinstance(target.get("model"), str):
            yield Alias(str(name), target["model"], hidden=target.get("hidden") is True)


# -- fallbacks ----------------------------------------------------------------------------


def _fallbacks(kind: FallbackKind, router: dict[str, Any], settings: dict[str, Any],
               notes: list[str]) -> list[Fallback]:
    value, where = effective(kind.value, router, settings, notes)
    chains = _chains(value, where, notes, checked=kind in CHECKED)
    if kind is FallbackKind.FALLBACKS:
        default = _default_chain(router, settings, notes)
        if default is not None:
            chains[ANY_GROUP] = default
    return [
        Fallback(kind, source, target, position, setting)
        for source, (targets, setting) in chains.items()
        for position, target in enumerate(targets, start=1)
    ]


def effective(key: str, router: dict[str, Any], settings: dict[str, Any],
              notes: list[str]) -> tuple[Any, str]:
    """The value LiteLLM uses for a chain setting, and where it is read from."""
    if router.get(key):
        if settings.get(key):
            notes.append(f"{SETTINGS}.{key} is ignored: {ROUTER}.{key} is set")
        return router[key], f"{ROUTER}.{key}"
    return settings.get(key), f"{SETTINGS}.{key}"


Chains = dict[str, tuple[list[str], str]]
# The chains LiteLLM validates when the router starts.
CHECKED = frozenset({FallbackKind.FALLBACKS, FallbackKind.CONTENT_POLICY})


def _chains(value: Any, where: str, notes: list[str], *, checked: bool) -> Chains:
    """source -> (targets, where), in the order LiteLLM finds them. `checked`: LiteLLM
    refuses to start on an entry that is not a mapping with exactly one key."""
    chains: Chains = {}
    if not isinstance(value, list):
        return chains
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not item:
            notes.append(f"{where}[{index}] is not a {{group: [fallbacks]}} entry"
                         + ("; LiteLLM refuses to start" if checked else ""))
            continue
        source, *extra = (str(k) for k in item)
        if extra and checked:
            notes.append(f"{where}[{index}] has {len(item)} keys; LiteLLM refuses to start "
                         "(one key per entry)")
        elif extra:
            notes.append(f"{where}[{index}]: only the first key is read; "
                         + ", ".join(repr(k) for k in extra) + " ignored")
        if source in chains and source != ANY_GROUP:
            notes.append(f"{where}[{index}]: {source!r} already has a chain; this one is "
                         "ignored")
            continue
        chains[source] = (_targets(item[next(iter(item))]), where)  # the last `*` wins
    return chains


def _default_chain(router: dict[str, Any], settings: dict[str, Any],
                   notes: list[str]) -> tuple[list[str], str] | None:
    key = "default_fallbacks"
    if router.get(key) is None and settings.get(key) is None:
        return None
    value, where = effective(key, router, settings, notes)
    return _targets(value), where


def _targets(value: Any) -> list[str]:
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


# -- settings -----------------------------------------------------------------------------


def _chain_settings(router: dict[str, Any], settings: dict[str, Any]) -> Iterator[Setting]:
    for shown_key, unit, router_key, settings_key in CHAIN_SETTINGS:
        found = _router_value(router, router_key)
        if found is not None:
            text = show(found, unit)
        elif settings_key and settings.get(settings_key) is not None:
            text = show(settings[settings_key], unit)
            if text is not None:
                text += f" ({SETTINGS}.{settings_key})"
        else:
            continue
        if text is not None:
            yield Setting(shown_key, text)


def _router_value(router: dict[str, Any], key: str) -> Any:
    value = router.get(key)
    if key == "timeout" and not value:
        return None  # `timeout or litellm.request_timeout`: 0 is not a timeout
    return value


def show(value: Any, unit: str = "") -> str | None:
    """A setting's value as text; None for a value of no shown type. A string that looks
    like a credential is masked (names and `os.environ/` references are shown)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value}{unit}"
    if isinstance(value, str):
        return mask(value) if secret_value(value) else value
    if isinstance(value, dict):
        pairs = ((key, show(item)) for key, item in value.items())
        items = [f"{key}={text}" for key, text in pairs if text is not None]
        return ", ".join(items) if items else None
    return None

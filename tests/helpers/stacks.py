"""Projects for the end-to-end tests: datums in, `datumc build`, the real proxy on top.

`Stack` ties together a temp project, the fake upstreams its datums point at (through
`api_base_env` variables) and the environment the proxy needs. Secrets are random per
run, so a test can tell exactly which key reached which upstream.
"""

from __future__ import annotations

import secrets
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from conftest import REPO, datum, run_cli, write_project
from datumc.pipeline import analyse
from helpers.upstream import Upstream

# The bundled home-lab failover chain, used verbatim from the repository's datums/.
CHAIN = ("vllm-qwen", "ollama-qwen", "openai-gpt4o")


@dataclass
class Stack:
    root: Path
    upstreams: dict[str, Upstream]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "build" / "litellm" / "config.yaml"

    def build(self, *args: str) -> None:
        result = run_cli("build", "--project", self.root, *args)
        assert result.code == 0, f"datumc build failed:\n{result.output}"

    def needed_env(self) -> list[str]:
        """The env var names the build lists in .env.example (master key first)."""
        compiled = analyse(self.root)
        assert compiled.config is not None, compiled.diagnostics
        return [v.name for v in compiled.config.env]

    def reset(self) -> None:
        for upstream in self.upstreams.values():
            upstream.healthy()
            upstream.clear()

    def close(self) -> None:
        for upstream in self.upstreams.values():
            upstream.close()


def secret(label: str) -> str:
    return f"sk-{label}-{secrets.token_hex(12)}"


def copy_bundled(names: tuple[str, ...], dest: Path) -> None:
    for name in names:
        shutil.copy(REPO / "datums" / f"{name}.ai_model.toml", dest / f"{name}.ai_model.toml")


def scenario_project(*, cooldowns: bool) -> str:
    """The bundled datumc.toml; without `cooldowns`, router cooldowns are off. With the
    bundled allowed_fails = 2 and cooldown_time = 30, three failures in a minute bench
    a deployment for 30 s, and the failover tests would depend on their order."""
    project = tomllib.loads((REPO / "datumc.toml").read_text(encoding="utf-8"))
    if not cooldowns:
        project["router"]["disable_cooldowns"] = True
    return tomli_w.dumps(project)


def scenario_stack(root: Path, *, cooldowns: bool = False) -> Stack:
    """The stack the scenario tests share: the bundled datumc.toml (local cache, one
    retry; cooldowns off) with datums for routing, aliases, load balancing, rpm limits, a thinking
    model, a disabled datum, and the bundled vllm -> ollama -> openai chain."""
    names = ("alpha", "beta", "vllm", "ollama", "openai", "pool-one", "pool-two", "limited",
             "capped", "thinker")
    ups = {n: Upstream(n, reasoning=n == "thinker") for n in names}

    def d(name: str, base_env: str, key_env: str, **kw: Any) -> str:
        return datum(name, litellm_model=f"openai/{name}-model", api_base_env=base_env,
                     api_key_env=key_env, capabilities=["chat"], **kw)

    datums = {
        "alpha": d("alpha", "ALPHA_API_BASE", "ALPHA_API_KEY", b00t={"aliases": ["alpha-alias"]},
                   parameters={"temperature": 0.25, "max_tokens": 77, "top_p": 0.5}),
        "beta": d("beta", "BETA_API_BASE", "BETA_API_KEY", b00t={"aliases": ["beta-alias"]},
                  parameters={"temperature": 0.9, "seed": 7}),
        "pool-one": d("pool-one", "POOL_ONE_API_BASE", "POOL_API_KEY", model_group="pool"),
        "pool-two": d("pool-two", "POOL_TWO_API_BASE", "POOL_API_KEY", model_group="pool"),
        "limited": d("limited", "LIMITED_API_BASE", "LIMITED_API_KEY", rpm_limit=3),
        "capped": d("capped", "CAPPED_API_BASE", "LIMITED_API_KEY", rpm_limit=1,
                    fallbacks=["beta"]),
        "thinker": datum("thinker", provider="openai_compatible",
                         litellm_model="openai/deepseek-ai/DeepSeek-R1",
                         api_base_env="THINKER_API_BASE", api_key_env="THINKER_API_KEY",
                         capabilities=["chat", "reasoning"]),
        "retired": d("retired", "ALPHA_API_BASE", "ALPHA_API_KEY", enabled=False),
    }
    write_project(root, datums, scenario_project(cooldowns=cooldowns))
    copy_bundled(CHAIN, root / "datums")
    env = {
        "ALPHA_API_BASE": ups["alpha"].v1, "ALPHA_API_KEY": secret("alpha"),
        "BETA_API_BASE": ups["beta"].v1, "BETA_API_KEY": secret("beta"),
        "POOL_ONE_API_BASE": ups["pool-one"].v1, "POOL_TWO_API_BASE": ups["pool-two"].v1,
        "POOL_API_KEY": secret("pool"),
        "LIMITED_API_BASE": ups["limited"].v1, "LIMITED_API_KEY": secret("limited"),
        "CAPPED_API_BASE": ups["capped"].v1,
        "THINKER_API_BASE": ups["thinker"].v1, "THINKER_API_KEY": secret("thinker"),
        # The bundled chain: vLLM and Ollama by api_base_env; OpenAI has no api_base in
        # its datum, so LiteLLM's own OPENAI_BASE_URL points it at the fake.
        "VLLM_API_BASE": ups["vllm"].v1, "VLLM_API_KEY": secret("vllm"),
        "OLLAMA_API_BASE": ups["ollama"].url,
        "OPENAI_API_KEY": secret("openai"), "OPENAI_BASE_URL": ups["openai"].v1,
    }
    stack = Stack(root, ups, env)
    stack.build()
    return stack

"""[ai_model.cost] and base_model: what the build writes, and that LiteLLM reads it.

A price is written in USD per million tokens and emitted in USD per token (value / 1e6)
under the litellm_params keys LiteLLM 1.106 applies per deployment; base_model becomes
model_info.base_model. The proxy's own arithmetic is proven in tests/test_cost_e2e.py.
"""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from datumc.importer.plan import import_text
from datumc.plan.model_list import COST_PARAMS, per_token
from datumc.render.yamltext import scalar
from tests.conftest import datum, run_cli, write_project
from tests.helpers.golden import assert_golden

COST = {"input_per_mtok": 3, "output_per_mtok": 15.0, "cache_read_per_mtok": 0.3,
        "cache_write_per_mtok": 3.75}
PRICED = datum("priced", api_key_env="PRICED_API_KEY", base_model="gpt-4o", cost=COST,
               capabilities=["chat"])
UNPRICED = datum("unpriced", api_key_env="UNPRICED_API_KEY")


def _build(root: Path) -> tuple[int, str, Any]:
    result = run_cli("build", "--target", "litellm", cwd=root)
    path = root / "build/litellm/config.yaml"
    config = yaml.safe_load(path.read_text()) if result.code == 0 else None
    return result.code, result.output, config


def _params(config: Any, index: int = 0) -> dict[str, Any]:
    params: dict[str, Any] = config["model_list"][index]["litellm_params"]
    return params


def test_golden_priced_deployment(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {"priced": PRICED, "unpriced": UNPRICED})
    code, output, _ = _build(root)
    assert code == 0, output
    assert_golden((root / "build/litellm/config.yaml").read_bytes(), "cost/config.yaml")


def test_prices_become_per_token_litellm_params_and_base_model_model_info(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path / "proj", {"priced": PRICED, "unpriced": UNPRICED})
    code, output, config = _build(root)
    assert code == 0, output
    params = _params(config)
    assert {k: params[k] for k in COST_PARAMS.values()} == {
        "input_cost_per_token": 3 / 1e6,
        "output_cost_per_token": 15.0 / 1e6,
        "cache_read_input_token_cost": 0.3 / 1e6,
        "cache_creation_input_token_cost": 3.75 / 1e6,
    }
    assert config["model_list"][0]["model_info"]["base_model"] == "gpt-4o"
    unpriced = config["model_list"][1]
    assert not set(COST_PARAMS.values()) & set(unpriced["litellm_params"])
    assert "model_info" not in unpriced


def test_only_the_prices_given_are_emitted(tmp_path: Path) -> None:
    text = datum("half", cost={"output_per_mtok": 0.6})
    code, output, config = _build(write_project(tmp_path / "proj", {"half": text}))
    assert code == 0, output
    params = _params(config)
    assert params["output_cost_per_token"] == 0.6 / 1e6
    assert not {"input_cost_per_token", "cache_read_input_token_cost",
                "cache_creation_input_token_cost"} & set(params)


prices = st.one_of(
    st.integers(0, 2**53),
    st.floats(0, 1e300, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.15, 0.3, 0.6, 1.25, 2.5, 3.75, 0.075, 1e-9, 5e-324]),
)


@settings(max_examples=500, deadline=None)
@given(per_mtok=prices)
def test_yaml_reads_back_exactly_the_per_token_price(per_mtok: float) -> None:
    """The emitted scalar is a float to YAML (1.1 needs the dot: 3.0e-06, not 3e-06)
    and equal to per_mtok / 1e6 as Python computes it."""
    text = scalar(per_token(per_mtok))
    read = yaml.safe_load(f"price: {text}\n")["price"]
    assert isinstance(read, float), text
    assert read == per_mtok / 1e6, text


@pytest.mark.parametrize("per_mtok", [0, 3, 0.15, 0.3, 2.5, 3.75, 1e-9, 1234567.891])
def test_the_built_config_holds_exactly_the_per_token_price(tmp_path: Path,
                                                            per_mtok: float) -> None:
    text = datum("p", cost={field: per_mtok for field in COST_PARAMS})
    code, output, config = _build(write_project(tmp_path / "proj", {"p": text}))
    assert code == 0, output
    for key in COST_PARAMS.values():
        assert _params(config)[key] == per_mtok / 1e6


@pytest.mark.parametrize(("line", "message"), [
    ("input_per_mtok = -1", "greater than or equal to 0"),
    ("input_per_mtok = inf", "finite number"),
    ("input_per_mtok = nan", "finite number"),
    ('input_per_mtok = "3"', "not a string"),
    ("input_per_mtok = true", "input_per_mtok"),
])
def test_a_bad_price_is_an_error(tmp_path: Path, line: str, message: str) -> None:
    text = datum("bad") + f"\n[ai_model.cost]\n{line}\n"
    code, output, _ = _build(write_project(tmp_path / "proj", {"bad": text}))
    assert code == 1
    assert "DC003" in output and "ai_model.cost.input_per_mtok" in output, output
    assert message in output, output


def test_an_unknown_price_key_is_a_warning_naming_the_known_ones(tmp_path: Path) -> None:
    text = datum("typo") + "\n[ai_model.cost]\ninput_per_mtokens = 3\n"
    code, output, _ = _build(write_project(tmp_path / "proj", {"typo": text}))
    assert code == 0, output
    assert "DC004" in output and "input_per_mtokens" in output and "input_per_mtok" in output


def test_a_price_set_twice_is_refused(tmp_path: Path) -> None:
    text = datum("twice", cost={"input_per_mtok": 3},
                 parameters={"input_cost_per_token": 3e-06},
                 metadata={"base_model": "gpt-4o"}, base_model="gpt-4o")
    code, output, _ = _build(write_project(tmp_path / "proj", {"twice": text}))
    assert code == 1
    assert "may not set 'input_cost_per_token'" in output and "cost.input_per_mtok" in output
    assert "may not set 'base_model'" in output


def test_a_per_token_price_in_parameters_still_passes_through(tmp_path: Path) -> None:
    text = datum("raw", parameters={"input_cost_per_token": 1e-06})
    code, output, config = _build(write_project(tmp_path / "proj", {"raw": text}))
    assert code == 0, output
    assert _params(config)["input_cost_per_token"] == 1e-06


def test_import_maps_prices_back_and_leaves_what_does_not_fit() -> None:
    result = import_text(
        "model_list:\n"
        "  - model_name: m\n"
        "    litellm_params:\n"
        "      model: openai/m\n"
        "      input_cost_per_token: 1.5e-07\n"
        "      output_cost_per_token: true\n"
        "      cache_read_input_token_cost: -1.0e-07\n"
        "      cache_creation_input_token_cost: 1\n"
        "    model_info: {base_model: gpt-4o-mini}\n",
        "config.yaml",
    )
    assert result.ok, [str(d) for d in result.diagnostics]
    [text] = [o.content for o in result.outputs if o.relpath.endswith(".ai_model.toml")]
    ai_model = tomllib.loads(text.decode())["ai_model"]
    assert ai_model["cost"] == {"input_per_mtok": 0.15}
    assert ai_model["parameters"] == {"output_cost_per_token": True,
                                      "cache_read_input_token_cost": -1.0e-07,
                                      "cache_creation_input_token_cost": 1}
    assert ai_model["base_model"] == "gpt-4o-mini"


@pytest.mark.skipif(importlib.util.find_spec("litellm") is None, reason="litellm not installed")
def test_litellm_reads_these_keys() -> None:
    """The keys are the ones the pinned LiteLLM mirrors onto a deployment's price entry
    (litellm/types/router.py: Deployment.__init__ over MirroredPricingParams), and
    base_model is a ModelInfo field."""
    from litellm.types.router import SPECIAL_MODEL_INFO_PARAMS, ModelInfo

    assert set(COST_PARAMS.values()) <= set(SPECIAL_MODEL_INFO_PARAMS)
    assert "base_model" in ModelInfo.model_fields

"""`datumc import`: a hand-written LiteLLM config.yaml -> datums + datumc.toml.

The stages mirror the build, in reverse, and stay pure (no printing, no writing):

* `models`   model_list entries -> datum drafts (fields, parameters, capabilities)
* `links`    router fallbacks and model_group_alias -> datum fallbacks and aliases
* `settings` router / litellm / general settings and other sections -> datumc.toml
* `render`   drafts -> TOML text (tomli-w), validated against the datum schema
* `compare`  the semantic comparator the round-trip tests use

What datumc cannot express in a dedicated field is kept verbatim in a pass-through
table and reported; a hardcoded secret never reaches a datum (it becomes an env var).
"""

"""Prompt-cache reuse of a serving engine: when every request sends the same prompt
('identical') or the same first tokens ('shared-prefix'), an engine with a prefix cache
(vLLM V1's block hashes, SGLang's radix tree, llama-server's and Ollama's per-slot prompt
cache; performance/data/prefix_cache.toml) prefills only the tokens it has not cached, and
engines whose blocks are reference-counted (vLLM, SGLang) hold the shared prefix's KV once.
The first request of each running place (a wave of a finite run, a llama.cpp slot) finds
nothing cached and prefills in full."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gpuatlas.errors import DataFileError, InvalidRequestError
from gpuatlas.performance.engine_releases import read_data_file, validated_tables
from gpuatlas.performance.slot_defaults import VersionKey, in_version_range, version_key

PromptReuse = Literal["none", "shared-prefix", "identical"]
PROMPT_REUSE_CHOICES: tuple[PromptReuse, ...] = ("none", "shared-prefix", "identical")
FILE_NAME = "prefix_cache.toml"
_VERSION = r"^((\d+\.\d+(\.\d+)?)|(b\d+))?$"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when the file is read
    engine: str = Field(min_length=1)
    from_version: str = Field(default="", pattern=_VERSION)
    before_version: str = Field(default="", pattern=_VERSION)
    cached_by_default: bool
    block_tokens: int = Field(ge=1)
    shares_kv: bool
    source: str = Field(min_length=3)

    def holds(self, engine: str, version: VersionKey | None) -> bool:
        if engine != self.engine:
            return False
        if version is None:  # unstated: the engine's newest behaviour
            return not self.before_version
        return in_version_range(version, self.from_version, self.before_version)


@cache
def _rules() -> tuple[_Rule, ...]:
    path, document = read_data_file(FILE_NAME)
    problems: list[str] = []
    rules = validated_tables(_Rule, document, "prefix_cache", problems)
    if problems:
        raise DataFileError(path, problems)
    return tuple(rules)


@dataclass(frozen=True)
class PromptCache:
    """What a server reuses of a repeated prompt: `shared_tokens` prompt tokens every request
    has in common (all of them for 'identical'), at the engine's `block_tokens` granularity;
    `shares_kv`: the running requests hold the shared prefix's KV once; `note`: the
    assumption, said in the answer."""

    reuse: PromptReuse
    shared_tokens: int
    block_tokens: int
    shares_kv: bool
    note: str

    def cached_tokens(self, input_tokens: int) -> int:
        """Prompt tokens a request finds in the cache: the shared tokens, at most all but the
        last prompt token (its logits are needed), rounded down to whole blocks."""
        reusable = min(self.shared_tokens, max(input_tokens - 1, 0))
        return reusable // self.block_tokens * self.block_tokens

    def shared_kv_tokens(self, input_tokens: int) -> int:
        """Tokens of KV the running requests hold once between them (0 when each keeps a
        copy)."""
        return self.cached_tokens(input_tokens) if self.shares_kv else 0


def prompt_cache(
    engine_family: str,
    engine_text: str | None,
    reuse: PromptReuse,
    input_tokens: int,
    shared_prefix_tokens: int | None = None,
    recurrent: bool = False,
    sliding_window: bool = False,
) -> PromptCache | None:
    """The prompt cache a server of `engine_family` (at the release in `engine_text`) applies
    to prompts sent with `reuse`; None for 'none'. An engine whose prefix cache is off by
    default at that release reuses nothing (shared_tokens 0) and its note says so. A model
    with recurrent (linear-attention, Mamba) layers (`recurrent`) is refused: its cache reuse
    depends on state checkpoints, not KV blocks (vLLM enlarges its block to the state's page,
    528 tokens for Qwen3.5 in vllm-project/vllm issue #40696), which is not modelled. A model
    with sliding-window layers (`sliding_window`) keeps the prefill saving but not the shared
    KV: a sequence's window holds its own last tokens, and only the full-attention layers'
    share of the prefix would be held once (not counted)."""
    if reuse not in PROMPT_REUSE_CHOICES:
        choices = ", ".join(PROMPT_REUSE_CHOICES)
        raise InvalidRequestError([f"prompt reuse must be one of {choices}, got {reuse!r}"])
    shared = _shared_tokens(reuse, input_tokens, shared_prefix_tokens)
    if reuse == "none":
        return None
    if recurrent:
        raise InvalidRequestError(
            [
                "prompt reuse is not modelled for models with recurrent (linear-attention or "
                "Mamba) layers: engines reuse their state only at checkpoints (vLLM enlarges "
                "its cache block to the state's page, 528 tokens for Qwen3.5, vllm-project/"
                "vllm issue #40696); use --prompt-reuse none"
            ]
        )
    rule = _rule(engine_family, engine_text)
    name = engine_text or engine_family
    if not rule.cached_by_default:
        note = (
            f"{name} does not reuse cached prompt prefixes by default ({rule.source}): every "
            "prompt is prefilled in full"
        )
        return PromptCache(reuse, 0, rule.block_tokens, rule.shares_kv, note)
    what = "the same prompt" if reuse == "identical" else f"the same first {shared:,} tokens"
    grain = "any token prefix" if rule.block_tokens == 1 else f"whole blocks of {rule.block_tokens}"
    shares_kv = rule.shares_kv and not sliding_window
    held = (
        "the running requests hold its KV once"
        if shares_kv
        else "each running request keeps its own copy of its KV"
    )
    if rule.shares_kv and sliding_window:
        held = f"{held} (sliding-window layers: the shared full-attention KV is not counted)"
    found = PromptCache(reuse, shared, rule.block_tokens, shares_kv, "")
    cached = found.cached_tokens(input_tokens)
    note = (
        f"every request sends {what}: {name} finds {cached:,} of its {input_tokens:,} prompt "
        f"tokens in its prefix cache ({grain}, the last token always computed) and prefills "
        f"the rest; the first request of a wave or slot prefills in full; {held} "
        f"({rule.source})"
    )
    return replace(found, note=note)


def _shared_tokens(reuse: PromptReuse, input_tokens: int, shared_prefix_tokens: int | None) -> int:
    if reuse == "shared-prefix":
        if shared_prefix_tokens is None or not 1 <= shared_prefix_tokens <= input_tokens:
            raise InvalidRequestError(
                [
                    "prompt reuse 'shared-prefix' needs the shared prefix's length: "
                    f"--shared-prefix-tokens from 1 to the prompt's {input_tokens:,} tokens"
                ]
            )
        return shared_prefix_tokens
    if shared_prefix_tokens is not None:
        raise InvalidRequestError(
            ["--shared-prefix-tokens applies to --prompt-reuse shared-prefix only"]
        )
    return input_tokens


def _rule(engine_family: str, engine_text: str | None) -> _Rule:
    version = version_key(engine_text)
    for rule in _rules():
        if rule.holds(engine_family, version):
            return rule
    engines = sorted({rule.engine for rule in _rules()})
    raise InvalidRequestError(
        [
            f"prompt reuse is not modelled for {engine_family}: its prefix cache is not in "
            f"prefix_cache.toml (modelled: {', '.join(engines)}); use --prompt-reuse none"
        ]
    )


__all__ = [
    "PROMPT_REUSE_CHOICES",
    "PromptCache",
    "PromptReuse",
    "prompt_cache",
]

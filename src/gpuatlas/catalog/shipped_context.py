"""The context a published checkpoint's own config.json sets, where it differs from the library
entry's (Qwen2.5-7B..72B-Instruct ship max_position_embeddings 32,768 while their base models
ship 131,072; the model card reaches 131,072 by adding YaRN rope scaling by hand). Engines such
as vLLM take their default maximum length from the checkpoint's max_position_embeddings, so the
context a user gets without extra flags is the shipped one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ShippedContext:
    """One checkpoint's max_position_embeddings, and how far YaRN extends it (0: not stated)."""

    checkpoint: str
    max_position_embeddings: int
    yarn_max_tokens: int
    source: str


def shipped_context_for(
    contexts: Iterable[ShippedContext], written_name: str
) -> ShippedContext | None:
    """The shipped context of the checkpoint a name refers to (its repo id, with or without the
    organisation, any case), else None."""
    wanted = written_name.strip().lower()
    for context in contexts:
        repo = context.checkpoint.lower()
        if wanted in (repo, repo.split("/")[-1]):
            return context
    return None


def shipped_context_problem(context: ShippedContext, context_tokens: int) -> str | None:
    """Why this checkpoint cannot serve `context_tokens` as published (None when it can): the
    shipped limit, and what reaches further (YaRN by hand, as the model card shows, or the
    library entry's own limit), with the numbers."""
    shipped = context.max_position_embeddings
    if context_tokens <= shipped:
        return None
    problem = (
        f"context {context_tokens:,} tokens exceeds the {shipped:,} that {context.checkpoint} "
        "ships (max_position_embeddings in its config.json): vLLM and other engines that read "
        "it refuse longer sequences unless told otherwise"
    )
    if context.yarn_max_tokens >= context_tokens:
        factor = context.yarn_max_tokens / shipped
        return (
            f"{problem}; it needs YaRN rope scaling (factor {factor:g}, up to "
            f"{context.yarn_max_tokens:,} tokens) added to its config.json as the model card "
            f"shows, or a context of {shipped:,} tokens or less (source: {context.source})"
        )
    return f"{problem}; use a context of {shipped:,} tokens or less (source: {context.source})"


def shipped_context_note(context: ShippedContext) -> str:
    """The note fit prints: the engine's default context and how YaRN extends it."""
    note = (
        f"{context.checkpoint} ships max_position_embeddings {context.max_position_embeddings:,} "
        "in its config.json: the longest context vLLM and other engines that read it allow by "
        "default"
    )
    if context.yarn_max_tokens:
        note += (
            f"; YaRN rope scaling (added to config.json by hand, as the model card shows) extends "
            f"it to {context.yarn_max_tokens:,} tokens"
        )
    return f"{note} (source: {context.source})"

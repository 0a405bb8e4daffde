"""Batch mode: what a user's training row (metric train_tok_s) must say, read the way
`gpuatlas predict train` reads a request.

A user's row, unlike a measured one (calibration/fitting.case_from_row reads those unchanged):
- names only variant words the training model reads (`known_training_words`); words may be
  joined with '+' or spaces ('qlora ac-full' is 'qlora+ac-full'); an unknown word is the row's
  error with its close matches;
- on several GPUs without a sharding word is data parallel with the whole model on every GPU,
  `predict train`'s default (`--sharding none`), not the framework's measured default (FSDP);
- has a sequence (input_tokens) of at least 1 and at most the model's maximum context;
- gets no number when its setup does not fit in memory, or trains in fp8 on a GPU without FP8
  tensor cores: the same refusals `predict train` gives (`training.speed.require_training_fits`,
  `require_training_precision`), recomputation switched on first where that alone makes it fit
  (performance/cases.training_case_setup).
"""

from __future__ import annotations

import difflib
import re

from gpuatlas.catalog.model_arch import ModelArch
from gpuatlas.errors import InvalidRequestError
from gpuatlas.performance.cases import Case, case_system, training_case_setup
from gpuatlas.performance.resolve import as_model
from gpuatlas.performance.training.recompute import LLMQ_RECOMPUTE_WORDS
from gpuatlas.performance.training.speed import (
    require_training_fits,
    require_training_precision,
    training_sequence_problem,
)
from gpuatlas.performance.training.variants import (
    EAGER_ATTENTION_WORDS,
    FUSION_WORDS,
    HOST_OPTIMIZER_WORDS,
    METHOD_WORDS,
    OFFLOAD_OPTIMIZER_WORDS,
    OPTIMIZER_WORDS,
    PARAM_OFFLOAD_WORDS,
    PURE_HALF_WORDS,
    RECOMPUTE_SHARES,
    REPLICA_WORDS,
    SHARDING_WORDS,
)

TRAIN_METRIC = "train_tok_s"
# 'chunked-ce' (with 'torch.compile': torchtune's compiled chunked loss, variants.variant_fused)
KNOWN_TRAINING_WORDS = frozenset(
    {
        *METHOD_WORDS,
        *RECOMPUTE_SHARES,
        *REPLICA_WORDS,
        *SHARDING_WORDS,
        *PURE_HALF_WORDS,
        *OPTIMIZER_WORDS,
        *FUSION_WORDS,
        "chunked-ce",
        *OFFLOAD_OPTIMIZER_WORDS,
        *HOST_OPTIMIZER_WORDS,
        *PARAM_OFFLOAD_WORDS,
        *EAGER_ATTENTION_WORDS,
        *LLMQ_RECOMPUTE_WORDS,
    }
)
_EXPERT_PARALLEL = re.compile(r"^ep[1-9][0-9]*$")
# words people write for activation recomputation, which the variant spells by its policy
_RECOMPUTE_SPELLINGS = ("recompute", "checkpoint", "checkpointing", "gradient-checkpointing")
_WORD_BREAK = re.compile(r"[+\s]+")
DATA_PARALLEL_WORD = "ddp"


def training_words(variant: str) -> list[str]:
    """A user's training variant as its words: '+' or spaces between them, any case."""
    return [word for word in _WORD_BREAK.split(variant.strip().lower()) if word]


def known_training_words() -> list[str]:
    """Every variant word a training row may say (ep-N aside), sorted."""
    return sorted(KNOWN_TRAINING_WORDS)


def training_variant_problems(variant: str) -> list[str]:
    """One problem per word of a training row's variant that the training model does not read,
    each with its close matches (a word it ignored would give the full fine-tune's number)."""
    problems = []
    for word in dict.fromkeys(training_words(variant)):
        if word in KNOWN_TRAINING_WORDS or _EXPERT_PARALLEL.match(word):
            continue
        problems.append(_unknown_word(word))
    return problems


def _unknown_word(word: str) -> str:
    close = difflib.get_close_matches(word, known_training_words(), n=3, cutoff=0.6)
    if word in _RECOMPUTE_SPELLINGS:
        close = ["ac-full", *close]
    hint = f" (close matches: {', '.join(close)})" if close else ""
    return (
        f"variant word {word!r} is not a training variant word{hint}; the training method is "
        f"'lora' or 'qlora' (none: full fine-tune), words join with '+' "
        f"(known: {', '.join(known_training_words())}, epN)"
    )


def user_training_variant(variant: str, gpu_count: int) -> str | None:
    """The variant of a user's training row as the model reads it: its words joined with '+',
    and 'ddp' added on several GPUs when it states no sharding (`predict train`'s default,
    --sharding none: every GPU holds the whole model); None for no words on one GPU."""
    words = training_words(variant)
    if gpu_count > 1 and not set(words) & (set(SHARDING_WORDS) | REPLICA_WORDS):
        words.append(DATA_PARALLEL_WORD)
    return "+".join(words) or None


def require_user_training_case(case: Case) -> None:
    """Raise InvalidRequestError for a user's training row that cannot run: a sequence past
    the model's maximum context, fp8 on a GPU without FP8 tensor cores, or a setup whose
    memory does not fit (the refusals of `predict train`, naming what would fit)."""
    model = as_model(case.model)
    if not isinstance(model, ModelArch):
        return  # predict_case says what a non-LLM's training row needs
    sequence = case.input_tokens or 2048
    problem = training_sequence_problem(model, sequence, "input_tokens (the training sequence)")
    if problem is not None:
        raise InvalidRequestError([problem])
    system = case_system(case)
    setup, _ = training_case_setup(case, system, model)
    require_training_precision(system.gpu, setup.precision)  # fp8 needs FP8 tensor cores
    require_training_fits(system, model, setup)

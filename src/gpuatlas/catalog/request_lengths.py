"""How a serving run's requests are sized: the words the data files and requests use.

`fixed`: every request asks for the same output length (a benchmark's `--random-output-len`,
`--output-len`, or `--ignore-eos` with a fixed `max_tokens`). `sharegpt`: each request replays
a sampled conversation and generates that conversation's own reply, so lengths spread around
the stated mean (vLLM and SGLang benchmarks with `--dataset-name sharegpt` and no fixed output
length). The spread itself is a performance model (`gpuatlas.performance.llm.run_lengths`).
"""

from __future__ import annotations

from typing import Literal

RunLengths = Literal["fixed", "sharegpt"]
RUN_LENGTHS: tuple[RunLengths, ...] = ("fixed", "sharegpt")
# ShareGPT_V3_unfiltered_cleaned_split.json holds about 94,000 conversations and the benchmark
# samplers draw without replacement (vLLM: random.sample of the filtered set), so no run sends
# more distinct ShareGPT prompts than this
SHAREGPT_MAX_REQUESTS = 100_000


def lengths_problems(
    lengths: str, requests: int | None, mean_output_tokens: float | None
) -> list[str]:
    """Why a run's `lengths` cannot be costed with the rest of its settings (empty: it can)."""
    if lengths not in RUN_LENGTHS:
        return [f"lengths must be one of {', '.join(RUN_LENGTHS)}, got {lengths!r}"]
    if lengths == "fixed":
        return []
    problems = []
    if requests is None:
        problems.append(
            "lengths 'sharegpt' describes a finite run: give requests (the prompts sent, "
            "vLLM --num-prompts); a steady stream refills each slot as a request ends and is "
            "costed at the mean lengths"
        )
    if requests is not None and requests > SHAREGPT_MAX_REQUESTS:
        problems.append(
            f"lengths 'sharegpt': at most {SHAREGPT_MAX_REQUESTS:,} requests (the data set's "
            f"conversations, sampled without replacement), got {requests:,}"
        )
    if mean_output_tokens is not None:
        problems.append(
            "lengths 'sharegpt' already spreads the replies around output_tokens (their "
            "mean); mean_output_tokens is for requests that stop early below a fixed cap"
        )
    return problems

"""Write a tiny offline Hugging Face tokenizer folder (WordLevel, whitespace split).

vllm bench serve, GuideLLM and AIPerf all make their synthetic prompts with a tokenizer and
would otherwise download one from the Hub (no network here). Each "token" is one word, so a
prompt of N tokens is N words: the reference server counts prompt tokens the same way.

Usage: python benchmarks/tools_env/make_tokenizer.py FOLDER  (stdlib only)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

VOCABULARY_SIZE = 4096
SPECIAL_TOKENS = ("<unk>", "<s>", "</s>")
# Words outside the vocabulary (the tools' own corpora) map to this ordinary word, not to the
# special <unk>: decoding with skip_special_tokens would otherwise turn a prompt into "".
UNKNOWN_WORD = "unk"


def vocabulary() -> dict[str, int]:
    words = list(SPECIAL_TOKENS) + [UNKNOWN_WORD] + [f"w{n}" for n in range(VOCABULARY_SIZE)]
    return {word: index for index, word in enumerate(words)}


def added_token(content: str, index: int) -> dict[str, object]:
    return {
        "id": index,
        "content": content,
        "single_word": False,
        "lstrip": False,
        "rstrip": False,
        "normalized": False,
        "special": True,
    }


def tokenizer_document() -> dict[str, object]:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(t, i) for i, t in enumerate(SPECIAL_TOKENS)],
        "normalizer": None,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocabulary(), "unk_token": UNKNOWN_WORD},
    }


def config_document() -> dict[str, object]:
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "unk_token": "<unk>",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "model_max_length": 1_000_000,
        "chat_template": "{% for m in messages %}{{ m['content'] }} {% endfor %}",
    }


def write_tokenizer(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_document()))
    (folder / "tokenizer_config.json").write_text(json.dumps(config_document()))
    (folder / "special_tokens_map.json").write_text(
        json.dumps({"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"})
    )
    return folder


if __name__ == "__main__":
    print(write_tokenizer(Path(sys.argv[1])))

"""A closed-form stand-in for the estimation engine's step times (tests only).

Decode: weights read once per step plus each request's KV cache, at 70% of memory bandwidth,
plus a fixed 4 ms per step; prefill: 2 × params × tokens FLOPs at 50% of dense FP16 peak.
Memory: weights + 1 GB overhead, the rest KV at 0.8 MB per token (a 13B-class model in fp16).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuatlas.catalog.systems import GpuSystem

BYTES_PER_PARAM = {"fp16": 2.0, "int8": 1.0, "awq-int4": 0.53}
KV_BYTES_PER_TOKEN = 0.8e6


@dataclass(frozen=True)
class FakeSource:
    system: GpuSystem
    params: float
    weights: str

    @property
    def weight_bytes(self) -> float:
        return self.params * BYTES_PER_PARAM[self.weights]

    def _free_kv_bytes(self) -> float:
        total = (self.system.gpu.memory_gb or 0.0) * 1e9 * self.system.gpu_count * 0.9
        return total - self.weight_bytes - 1e9 * self.system.gpu_count

    def max_batch(self, context_tokens: int) -> int:
        return max(0, min(256, int(self._free_kv_bytes() // (context_tokens * KV_BYTES_PER_TOKEN))))

    def max_batched_tokens(self) -> int:
        return 8192

    def memory_note(self, context_tokens: int) -> str:
        free_gb = self._free_kv_bytes() / 1e9
        return f"weights {self.weight_bytes / 1e9:.1f} GB leave {free_gb:.1f} GB"

    def decode_step_s(self, batch: int, context_tokens: int) -> float:
        bandwidth = (self.system.gpu.memory_bandwidth_gb_s or 1.0) * 1e9 * self.system.gpu_count
        read = self.weight_bytes + batch * context_tokens * KV_BYTES_PER_TOKEN
        return 0.004 + read / (0.7 * bandwidth)

    def prefill_s(self, tokens: int, prompts: int = 1) -> float:
        flops = (self.system.gpu.fp16_dense_tflops or 10.0) * 1e12 * self.system.gpu_count
        return 0.002 + 2 * self.params * tokens * prompts / (0.5 * flops)


def fake_factory(params: float = 13e9):
    def factory(system: GpuSystem, model: str, weights: str, engine: str) -> FakeSource:
        return FakeSource(system, params, weights)

    return factory

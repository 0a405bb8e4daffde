"""GPU power sampled through NVML while a benchmark runs; energy per token or item.

Energy comes from NVML's cumulative energy counter (Volta and newer) when every GPU has one,
else from integrating power samples (trapezoid rule) taken every SAMPLE_INTERVAL_S.
Without NVML the sampler is inert and the result has no energy block.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

from gpuatlas.records.result import Energy

SAMPLE_INTERVAL_S = 0.1


class PowerSampler:
    def __init__(self) -> None:
        self._nvml: Any | None = None
        self._handles: list[Any] = []
        self._samples: list[tuple[float, float]] = []  # (time s, total watts)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._energy_start_mj: list[int] | None = None
        self._started_s = self._stopped_s = 0.0

    def __enter__(self) -> PowerSampler:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
        except Exception:  # noqa: BLE001 - no NVML: no energy figures
            return
        self._energy_start_mj = self._energy_counters()
        self._started_s = time.perf_counter()
        self._thread = threading.Thread(target=self._sample_loop, daemon=True)
        self._thread.start()

    def _energy_counters(self) -> list[int] | None:
        assert self._nvml is not None
        try:
            return [self._nvml.nvmlDeviceGetTotalEnergyConsumption(h) for h in self._handles]
        except Exception:  # noqa: BLE001 - not supported before Volta
            return None

    def _sample_loop(self) -> None:
        assert self._nvml is not None
        while not self._stop.is_set():
            try:
                watts = sum(self._nvml.nvmlDeviceGetPowerUsage(h) for h in self._handles) / 1e3
                self._samples.append((time.perf_counter(), watts))
            except Exception:  # noqa: BLE001 - a failed read skips one sample
                pass
            self._stop.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._stopped_s = time.perf_counter()
        self._energy_end_mj = self._energy_counters()

    def energy(self, tokens: float | None = None, items: float | None = None) -> Energy | None:
        if self._nvml is None or not self._handles or self._stopped_s <= self._started_s:
            return None
        joules = self._joules()
        if joules is None:
            return None
        seconds = self._stopped_s - self._started_s
        return Energy(
            source="nvml-energy-counter" if self._counter_joules() is not None else "nvml-power",
            joules=joules,
            mean_power_w=joules / seconds,
            samples=len(self._samples),
            joules_per_token=joules / tokens if tokens else None,
            joules_per_item=joules / items if items else None,
        )

    def _counter_joules(self) -> float | None:
        end = getattr(self, "_energy_end_mj", None)
        if self._energy_start_mj is None or end is None:
            return None
        return sum(e - s for s, e in zip(self._energy_start_mj, end, strict=True)) / 1000.0

    def _joules(self) -> float | None:
        counted = self._counter_joules()
        if counted is not None:
            return counted
        if len(self._samples) < 2:
            return None
        total = 0.0
        for (t0, w0), (t1, w1) in zip(self._samples, self._samples[1:], strict=False):
            total += (t1 - t0) * (w0 + w1) / 2
        return total

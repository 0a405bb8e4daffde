"""The machine a result was measured on: GPUs through NVML, CPU, RAM, OS, tool versions."""

from __future__ import annotations

import hashlib
import platform
import socket
from importlib import metadata
from typing import Any

import psutil

from gpuatlas.records.result import EngineInfo, Fingerprint, GpuInfo

NO_GPU_NOTE = "no NVIDIA GPU (NVML not available on this machine)"
TOOL_PACKAGES = (
    "gpuatlas",
    "numpy",
    "torch",
    "diffusers",
    "transformers",
    "nvidia-ml-py",
    "llama_cpp_python",
)


def _nvml() -> Any | None:
    try:
        import pynvml  # from nvidia-ml-py
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except Exception:  # noqa: BLE001 - NVMLError when no driver/GPU
        return None
    return pynvml


def _safe(call: Any, *args: Any) -> Any | None:
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - NVML raises for fields a GPU does not support
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _cuda_version(nvml: Any) -> str | None:
    version = _safe(nvml.nvmlSystemGetCudaDriverVersion_v2)
    if version is None:
        return None
    return f"{version // 1000}.{(version % 1000) // 10}"


def _gpu_info(nvml: Any, index: int, driver: str | None, cuda: str | None) -> GpuInfo:
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    memory = _safe(nvml.nvmlDeviceGetMemoryInfo, handle)
    power_mw = _safe(nvml.nvmlDeviceGetEnforcedPowerLimit, handle)
    ecc = _safe(nvml.nvmlDeviceGetEccMode, handle)
    mig = _safe(nvml.nvmlDeviceGetMigMode, handle)
    return GpuInfo(
        index=index,
        name=_text(_safe(nvml.nvmlDeviceGetName, handle)) or "unknown NVIDIA GPU",
        uuid=_text(_safe(nvml.nvmlDeviceGetUUID, handle)),
        memory_mb=None if memory is None else int(memory.total // 2**20),
        driver=driver,
        cuda=cuda,
        power_limit_w=None if power_mw is None else power_mw / 1000.0,
        sm_clock_max_mhz=_safe(nvml.nvmlDeviceGetMaxClockInfo, handle, nvml.NVML_CLOCK_SM),
        memory_clock_max_mhz=_safe(nvml.nvmlDeviceGetMaxClockInfo, handle, nvml.NVML_CLOCK_MEM),
        pcie_generation=_safe(nvml.nvmlDeviceGetCurrPcieLinkGeneration, handle),
        pcie_width=_safe(nvml.nvmlDeviceGetCurrPcieLinkWidth, handle),
        ecc_enabled=None if ecc is None else bool(ecc[0]),
        mig_enabled=None if mig is None else bool(mig[0]),
    )


def nvidia_gpus() -> tuple[list[GpuInfo], str | None]:
    """The NVIDIA GPUs on this machine and a note when there are none."""
    nvml = _nvml()
    if nvml is None:
        return [], NO_GPU_NOTE
    try:
        count = nvml.nvmlDeviceGetCount()
        driver = _text(_safe(nvml.nvmlSystemGetDriverVersion))
        cuda = _cuda_version(nvml)
        gpus = [_gpu_info(nvml, index, driver, cuda) for index in range(count)]
    finally:
        _safe(nvml.nvmlShutdown)
    return gpus, None if gpus else "NVML found no GPU"


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def tool_versions() -> dict[str, str]:
    versions = {}
    for package in TOOL_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def collect_fingerprint(engine: EngineInfo | None = None) -> Fingerprint:
    gpus, note = nvidia_gpus()
    return Fingerprint(
        gpus=gpus,
        gpu_note=note,
        cpu_model=_cpu_model(),
        cpu_cores_physical=psutil.cpu_count(logical=False),
        cpu_cores_logical=psutil.cpu_count(logical=True),
        ram_gb=round(psutil.virtual_memory().total / 1e9, 1),
        os=platform.platform(terse=True),
        kernel=platform.release(),
        python=platform.python_version(),
        hostname_hash=hashlib.sha256(socket.gethostname().encode()).hexdigest()[:16],
        engine=engine,
        tools=tool_versions(),
    )

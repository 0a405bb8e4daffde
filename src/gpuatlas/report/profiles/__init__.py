"""Per-system profiles: what the modelled report sections read about each side, computed once
per side per build (`SideProfile`), through a cache the builder owns (`ProfileCache`)."""

from gpuatlas.report.profiles.cache import ProfileCache
from gpuatlas.report.profiles.side import SideProfile

__all__ = ["ProfileCache", "SideProfile"]

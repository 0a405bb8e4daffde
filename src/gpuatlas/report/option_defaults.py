"""The comparison's default options (report context, answer layer and `gpuatlas compare` all
read them from here), importable without the report's builders: the command line reads them
when it starts."""

from __future__ import annotations

from gpuatlas.economics.constants import DEFAULT_PUE as ON_PREM_PUE

DEFAULT_CONTEXT_TOKENS = 4096
DEFAULT_ELECTRICITY_USD_PER_KWH = 0.15
DEFAULT_PUE = ON_PREM_PUE

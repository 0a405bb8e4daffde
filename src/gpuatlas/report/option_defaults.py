"""The comparison's default options (report context, answer layer and `gpuatlas compare` all
read them from here), importable without the report's builders: the command line reads them
when it starts."""

from __future__ import annotations

from gpuatlas.economics.constants import DEFAULT_PUE as ON_PREM_PUE
from gpuatlas.economics.constants import DEFAULT_USD_PER_KWH as ON_PREM_USD_PER_KWH

DEFAULT_CONTEXT_TOKENS = 4096
# the output tokens of the report's LLM requests (serving, cost per request); requests that stop
# at end-of-sequence generate `mean_output_tokens` of them on average (an option)
SERVING_OUTPUT_TOKENS = 256
# the same electricity price and PUE as `gpuatlas tco` (economics_constants.toml), so the
# report's power section and the TCO answer agree unless the user sets them
DEFAULT_ELECTRICITY_USD_PER_KWH = ON_PREM_USD_PER_KWH
DEFAULT_PUE = ON_PREM_PUE

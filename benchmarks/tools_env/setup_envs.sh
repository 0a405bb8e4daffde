#!/usr/bin/env bash
# Make the tool environments for benchmarks/harness_vs_tools.py:
#   ~/.cache/gpuatlas/tool-envs/{guidellm,aiperf,vllm}, each its own venv, pinned versions.
# Usage: bash benchmarks/tools_env/setup_envs.sh [guidellm] [aiperf] [vllm]   (default: all)
#        AIPERF_MOCK_SERVER_SOURCE=DIR bash benchmarks/tools_env/setup_envs.sh aiperf-mock
#   (AIPerf's mock server, for benchmarks/harness_independent_reference.py, is not on PyPI:
#   DIR is tests/aiperf_mock_server of a checkout of AIPerf's repository; measured with the
#   one at nvda-ci/aiperf 61c9b9be, aiperf-mock-server 0.5.0)
# vllm's wheel is ~330 MB plus ~5 GB of CUDA libraries; allow ~10 minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
envs="${GPUATLAS_TOOL_ENVS:-$HOME/.cache/gpuatlas/tool-envs}"
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(guidellm aiperf vllm)
mkdir -p "$envs"
for tool in "${tools[@]}"; do
  echo "== $tool -> $envs/$tool"
  [ -x "$envs/$tool/bin/python" ] || python3 -m venv "$envs/$tool"
  "$envs/$tool/bin/pip" install -q -U pip
  if [ "$tool" = aiperf-mock ]; then  # it imports aiperf's logger: AIPerf comes with it
    : "${AIPERF_MOCK_SERVER_SOURCE:?set it to tests/aiperf_mock_server of an AIPerf checkout}"
    PIP_CONSTRAINT="$here/constraints.txt" "$envs/$tool/bin/pip" install \
      -r "$here/requirements-aiperf.txt" "$AIPERF_MOCK_SERVER_SOURCE"
    "$envs/$tool/bin/python" -c "import importlib.metadata as m; print('$tool', m.version('aiperf-mock-server'))"
    continue
  fi
  PIP_CONSTRAINT="$here/constraints.txt" \
    "$envs/$tool/bin/pip" install -r "$here/requirements-$tool.txt"
  if [ "$tool" = vllm ]; then
    # CUDA builds of these fail to load against the CPU torch and break `import vllm`
    # (torchvision: "operator torchvision::nms does not exist"; torchcodec: OSError loading
    # libtorchcodec_image.so). The bench client does not use them.
    "$envs/$tool/bin/pip" uninstall -y torchvision torchaudio torchcodec || true
  fi
  "$envs/$tool/bin/python" -c "import importlib.metadata as m; print('$tool', m.version('$tool'))"
done

"""The answer layer shared by the CLI and the web app.

One module per answer (fit, predict, plan, leaderboard): a pydantic request model that holds
the defaults once, and a builder that returns the versioned JSON document
(``schema_version`` = ``gpuatlas.<answer>/<n>``). The CLI and the web only parse, call a
builder and render its document.
"""

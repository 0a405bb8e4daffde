"""The answer layer shared by the CLI and the web app.

One module per answer (fit, predict, plan, cost, tco, fleet, compare, leaderboard, prices,
catalog, models, suite): a pydantic request model that holds the defaults once, and a builder
that returns the versioned JSON document (``schema_version`` = ``gpuatlas.<answer>/<n>``, the
request echoed with its defaults). The CLI and the web only parse, call a builder and render its
document; errors are one document too (``app.errors``, ``gpuatlas.error/1``). ``app.registry``
lists every answer with its schema, command and route.
"""

"""What a measurement is, below the store and the harness: the versioned result record
(``gpuatlas.result/1``), the standard suite's benchmark definitions, the run identity that
results are grouped by, whether a result may be compared, and the structured workload of a
public measurement. Depends only on ``catalog``, the standard library and pydantic.
"""

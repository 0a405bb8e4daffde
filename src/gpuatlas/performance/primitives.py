"""The few operations where a formula over one float and over a numpy array differ.

The LLM step-time, memory and collective formulas (`llm/step_times.py`, `llm/memory.py`,
`collectives.py`) are written once against `Primitives`: the
scalar path passes `SCALAR` (plain Python floats, fast for the capacity planner's thousands of
single calls), the many-case path passes `ARRAY` (numpy element-wise). Both evaluate the same
expressions in the same order, so a case gets the same float either way.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

# A float, or a float64 array of cases evaluated element-wise.
Value: TypeAlias = Any


def _choose(condition: Value, if_true: Value, if_false: Value) -> Value:
    return if_true if condition else if_false


@dataclass(frozen=True)
class Primitives:
    """max/min/select/floor/ceil/floor-divide for one kind of value (both branches of `where` are
    evaluated, as numpy does)."""

    maximum: Callable[[Value, Value], Value]
    minimum: Callable[[Value, Value], Value]
    where: Callable[[Value, Value, Value], Value]
    floor: Callable[[Value], Value]
    ceil: Callable[[Value], Value]
    floor_divide: Callable[[Value, Value], Value]  # Python's //, not floor(a / b)


SCALAR = Primitives(
    maximum=max,
    minimum=min,
    where=_choose,
    floor=math.floor,
    ceil=math.ceil,
    floor_divide=operator.floordiv,
)
ARRAY = Primitives(
    maximum=np.maximum,
    minimum=np.minimum,
    where=np.where,
    floor=np.floor,
    ceil=np.ceil,
    floor_divide=np.floor_divide,
)

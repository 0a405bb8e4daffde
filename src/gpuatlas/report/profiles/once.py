"""`computed_once`: a profile part computed on first read and kept on the instance — what
`functools.cached_property` does from Python 3.12 on, without 3.11's lock that one property
shares across all instances (a server's warm-up thread would hold up every request computing
the same part of another system)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class computed_once(Generic[T]):  # noqa: N801 - used as a decorator, named like one
    """A non-data descriptor: the first read computes and stores the value in the instance's
    `__dict__`, which later reads find first. Two threads reading it at once may both compute
    it (a pure computation: the same value); neither waits for the other."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> computed_once[T]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> T: ...

    def __get__(self, instance: object | None, owner: type) -> computed_once[T] | T:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value

"""`gpuatlas gpu rtx-4090`, `gpuatlas model llama-3.1-8b`, `gpuatlas system "2x rtx-3090"`:
a group whose one job is `show` takes a name in its place, as people type it (the group said
"No such command 'rtx-4090'")."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

SHOW = "show"


class ShowByDefaultGroup(TyperGroup):
    """A group that reads a first argument naming none of its commands as `show ARGUMENT`."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = [SHOW, *args]
        return super().resolve_command(ctx, args)

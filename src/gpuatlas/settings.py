"""Every setting GPU Atlas reads from the environment, in one place (docs/architecture.md lists
them from ``ENVIRONMENT_VARIABLES``).

Each variable is declared once as a ``Setting`` (its name, its default and what it means) and
read through a typed property of ``settings``. Reads are lazy: every property looks at
``os.environ`` when it is called, never at import, so a test or a server process that sets a
variable later is obeyed. Nothing here imports another gpuatlas module (layer 0).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, the default when unset (in words) and its meaning."""

    variable: str
    default: str
    meaning: str

    def raw(self) -> str:
        """The variable's value with surrounding blanks removed; "" when unset."""
        return os.environ.get(self.variable, "").strip()


DATA_DIR = Setting(
    "GPUATLAS_DATA_DIR",
    "the platform's user data dir",
    "where the embedded SQLite database (gpuatlas.db) and user data live",
)
DATABASE_URL = Setting(
    "GPUATLAS_DATABASE_URL",
    "SQLite file in the data dir",
    "the results database (sqlite:///… or postgresql+psycopg://…); --url overrides it",
)
PRICE_FILES = Setting(
    "GPUATLAS_PRICE_FILES",
    "none",
    "extra price CSV files (os.pathsep-separated), read after the user's config folder",
)
WARM_CACHE = Setting(
    "GPUATLAS_WARM_CACHE",
    "on",
    "0/false/no/off turns off `serve`'s start-up warm-up of the report cache",
)
OFFLINE = Setting(
    "GPUATLAS_OFFLINE",
    "online when huggingface_hub is installed",
    "1/true/yes/on never fetches a config.json from the Hugging Face Hub (as HF_HUB_OFFLINE)",
)
CACHE_DIR = Setting(
    "GPUATLAS_CACHE_DIR",
    "the platform's user cache dir, under gpuatlas/catalog",
    "where parsed catalog files and built comparisons are cached (a folder only you can write)",
)
NO_CACHE = Setting(
    "GPUATLAS_NO_CACHE",
    "cache on",
    "1/true/yes/on turns the parsed-catalog and comparison caches off",
)
TOKEN = Setting(
    "GPUATLAS_TOKEN",
    "none",
    "the bearer token `gpuatlas agent` sends (instead of --token, which is visible in ps)",
)
AGENT_TOKEN = Setting(
    "GPUATLAS_AGENT_TOKEN",
    "none",
    "older name of GPUATLAS_TOKEN, read when GPUATLAS_TOKEN is unset",
)
TOKEN_FILE = Setting(
    "GPUATLAS_TOKEN_FILE",
    "none",
    "a file holding the bearer token for `agent` and `bench host` (keep it 0600); read "
    "before GPUATLAS_TOKEN",
)

ENVIRONMENT_VARIABLES: tuple[Setting, ...] = (
    DATA_DIR,
    DATABASE_URL,
    PRICE_FILES,
    WARM_CACHE,
    OFFLINE,
    CACHE_DIR,
    NO_CACHE,
    TOKEN,
    AGENT_TOKEN,
    TOKEN_FILE,
)


def _flag(setting: Setting, default: bool) -> bool:
    value = setting.raw().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return default


def _path(setting: Setting) -> Path | None:
    value = setting.raw()
    return Path(value) if value else None


class Settings:
    """Typed, lazy views of the variables above (each property reads the environment now)."""

    @property
    def data_dir(self) -> Path | None:
        """GPUATLAS_DATA_DIR, or None for the platform's user data dir."""
        return _path(DATA_DIR)

    @property
    def database_url(self) -> str | None:
        """GPUATLAS_DATABASE_URL as given (not normalised), or None for the default SQLite."""
        return DATABASE_URL.raw() or None

    @property
    def price_files(self) -> list[Path]:
        """GPUATLAS_PRICE_FILES split on os.pathsep, blanks dropped."""
        listed = os.environ.get(PRICE_FILES.variable, "")
        return [Path(part) for part in listed.split(os.pathsep) if part.strip()]

    @property
    def warm_cache(self) -> bool:
        """False only when GPUATLAS_WARM_CACHE is 0/false/no/off."""
        return _flag(WARM_CACHE, default=True)

    @property
    def offline(self) -> bool:
        """True when GPUATLAS_OFFLINE is 1/true/yes/on."""
        return _flag(OFFLINE, default=False)

    @property
    def cache_dir(self) -> Path | None:
        """GPUATLAS_CACHE_DIR, or None for the platform's user cache dir."""
        return _path(CACHE_DIR)

    @property
    def no_cache(self) -> bool:
        """True when GPUATLAS_NO_CACHE is 1/true/yes/on."""
        return _flag(NO_CACHE, default=False)


settings = Settings()

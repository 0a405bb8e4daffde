"""The results store: the only place in GPU Atlas that speaks SQL."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from gpuatlas.catalog.system_keys import parse_system_key, system_key
from gpuatlas.errors import InvalidRequestError
from gpuatlas.records.identity import EXTERNAL_PREFIX
from gpuatlas.records.result import BenchResult
from gpuatlas.records.run_label import run_label
from gpuatlas.records.validity import comparability_problems
from gpuatlas.records.workload import Workload
from gpuatlas.store import sanitize, summary_refresh
from gpuatlas.store import summaries as summary_sql
from gpuatlas.store import tokens as token_rules
from gpuatlas.store import workloads as workload_sql
from gpuatlas.store.convert import restored_row, result_row, row_to_document
from gpuatlas.store.exported import StoredState
from gpuatlas.store.location import is_sqlite
from gpuatlas.store.migrate import upgrade_to_head
from gpuatlas.store.plausibility import (
    BenchmarkIdentity,
    benchmark_identity,
    plausibility_problems,
)
from gpuatlas.store.records import (
    BenchmarkMeasurements,
    GroupKey,
    GroupRuns,
    GroupSummary,
    GroupValues,
    IngestOutcome,
    Quarantined,
    ResultSummary,
    StoredMeasurement,
    TokenInfo,
)
from gpuatlas.store.tables import results, sources, store_meta, tokens
from gpuatlas.store.validity import validity_problems

INSERT_CHUNK_ROWS = 2000
CHANGE_COUNTER = "change_counter"
PUBLIC_DATA_SET = "public_data_set"
HOST_ID_KEY = "host_id_key"  # the server's secret for keyed host identifiers (never served)

# Every column of the covering index ix_results_compare_cover: no table lookups.
_MEASUREMENT_COLUMNS = (
    results.c.benchmark,
    results.c.benchmark_version,
    results.c.gpu_id,
    results.c.gpu_count,
    results.c.value,
    results.c.result_id,
    results.c.source_id,
    results.c.quarantined,
    results.c.identity_key,
)
_BENCHMARK_COLUMNS = (
    results.c.benchmark,
    results.c.benchmark_version,
    results.c.category,
    results.c.metric,
    results.c.unit,
    results.c.higher_is_better,
)
_SUMMARY_COLUMNS = tuple(
    column
    for column in results.c
    if column.name not in {"fingerprint", "settings", "metrics", "samples", "details"}
)


class Store:
    """One results database. Thread-safe; cheap to share within a process."""

    def __init__(self, engine: Engine, url: str, is_default: bool = False):
        self.engine = engine
        self.url = url
        self.is_default = is_default
        self._host_key: bytes | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def upgrade(self) -> tuple[str | None, str]:
        """Apply pending migrations; returns (revision before, revision after)."""
        return upgrade_to_head(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def shown_url(self) -> str:
        """The database URL with its password hidden (for output)."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return "sqlite" if is_sqlite(self.url) else "postgresql"

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        connection = self.engine.connect().execution_options(sqlite_write=True)
        try:
            with connection.begin():
                yield connection
        finally:
            connection.close()

    @contextmanager
    def _write_results(self) -> Iterator[sa.Connection]:
        """A write that changes results: before it commits, the summaries of the groups it
        changed are recomputed in the same transaction (summary_refresh.py), so the results
        and their summaries commit together, or roll back together when anything fails."""
        with self._write() as connection:
            yield connection
            summary_refresh.refresh(connection)

    # -- ingest ----------------------------------------------------------------------------
    def add_results(
        self,
        batch: Sequence[BenchResult],
        agent: str | None = None,
        origin: str | None = None,
        restored: Mapping[str, StoredState] | None = None,
    ) -> IngestOutcome:
        """Store a batch in one transaction (all or nothing), idempotent by result_id.

        A result breaking a field range (validity.py) refuses the whole batch
        (InvalidRequestError naming each result). Results are stored sanitised (sanitize.py).
        One that breaks a plausibility rule is stored quarantined (plausibility.py). A result
        whose id is stored with different content is a conflict: not stored, not a duplicate.
        ``restored``: the store records of results read from a db export, by id (origin, agent,
        received_at, quarantine and audit kept as exported, not judged again).
        """
        problems = [
            f"result {result.result_id!r}: {problem}"
            for result in batch
            for problem in validity_problems(result)
        ]
        if problems:
            raise InvalidRequestError(problems)
        unique, repeated = _unique_by_id(batch)
        host_key = self.host_id_key()
        cleaned = [sanitize.sanitized_result(result, host_key) for result in unique]
        received_at = datetime.now(UTC)
        states = restored or {}
        reasons = self._plausibility([r for r in cleaned if r.result_id not in states])
        for result in cleaned:  # kept and shown, never pooled (records/validity.py)
            if result.result_id in states:
                reasons[result.result_id] = _restored_reasons(states[result.result_id])
                continue
            reasons[result.result_id] += [
                f"not valid for comparison: {problem}" for problem in comparability_problems(result)
            ]
        rows = [
            restored_row(result, states[result.result_id])
            if result.result_id in states
            else result_row(
                result,
                origin=origin or ("agent" if agent else "import"),
                agent=agent,
                received_at=received_at,
                quarantine_reasons=reasons[result.result_id],
            )
            for result in cleaned
        ]
        with self._write_results() as connection:
            inserted = self._insert_new(connection, rows)
            conflicts = _conflicting_ids(
                connection, [row for row in rows if row["result_id"] not in inserted]
            )
            if agent:
                _touch_token(connection, agent, received_at)
        return _outcome(unique, inserted, reasons, conflicts | repeated)

    def _plausibility(self, batch: Sequence[BenchResult]) -> dict[str, list[str]]:
        """Each result's quarantine reasons, judged against its benchmark's identity (the
        first plausible result of a benchmark new to the store establishes it for the rest)."""
        keys = {(result.benchmark, result.benchmark_version) for result in batch}
        with self.engine.connect() as connection:
            established = _established_identities(connection, keys)
            workloads = workload_sql.read(connection, {name for name, _ in keys})
        reasons = {}
        for result in batch:
            key = (result.benchmark, result.benchmark_version)
            workload = workloads.get(result.benchmark)
            reasons[result.result_id] = plausibility_problems(
                result, established.get(key), workload
            )
            if key not in established and not reasons[result.result_id]:
                established[key] = _identity_of_result(result, workload)
        return reasons

    def host_id_key(self) -> bytes:
        """The secret that keys host identifiers (created once per database)."""
        if self._host_key is None:
            dialect = postgresql if self.backend == "postgresql" else sqlite
            with self._write() as connection:
                connection.execute(
                    dialect.insert(store_meta).on_conflict_do_nothing(index_elements=["key"]),
                    [{"key": HOST_ID_KEY, "value": secrets.token_hex(32)}],
                )
                value = _meta_value(connection, HOST_ID_KEY) or ""
            self._host_key = bytes.fromhex(value)
        return self._host_key

    def add_rows(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert prepared rows (bulk loading, the public data set); returns how many were new."""
        with self._write_results() as connection:
            inserted = self._insert_new(connection, rows)
        return len(inserted)

    def bulk_insert_rows(self, rows: Sequence[dict[str, Any]], refresh: bool = True) -> None:
        """Plain multi-row insert without duplicate checks (benchmark data, fresh tables).
        ``refresh=False`` leaves the summaries to one ``refresh_summaries`` after a series of
        chunks (until then, comparisons read the summaries of before the load)."""
        with self._write_results() if refresh else self._write() as connection:
            rows = self._with_source_ids(connection, rows)
            for start in range(0, len(rows), INSERT_CHUNK_ROWS):
                connection.execute(
                    sa.insert(results), list(rows[start : start + INSERT_CHUNK_ROWS])
                )
            summary_sql.log_changes(connection, summary_sql.groups_of_rows(rows))

    def _with_source_ids(
        self, connection: sa.Connection, rows: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The rows with ``source_id`` set, creating ``sources`` entries as needed."""
        texts = {row["source"] for row in rows}
        by_digest = {_sha256(text): text for text in texts}
        if by_digest:
            dialect = postgresql if self.backend == "postgresql" else sqlite
            connection.execute(
                dialect.insert(sources).on_conflict_do_nothing(index_elements=["text_sha256"]),
                [{"text_sha256": digest, "text": text} for digest, text in by_digest.items()],
            )
        found = connection.execute(
            sa.select(sources.c.text_sha256, sources.c.id).where(
                sources.c.text_sha256.in_(list(by_digest))
            )
        ).all()
        ids = {by_digest[digest]: source_id for digest, source_id in found}
        return [{**row, "source_id": ids[row["source"]]} for row in rows]

    def _insert_new(self, connection: sa.Connection, rows: Sequence[dict[str, Any]]) -> set[str]:
        inserted: set[str] = set()
        rows = self._with_source_ids(connection, rows)
        for start in range(0, len(rows), INSERT_CHUNK_ROWS):
            chunk = rows[start : start + INSERT_CHUNK_ROWS]
            statement = self._insert_ignoring_duplicates().returning(results.c.result_id)
            inserted.update(connection.execute(statement, list(chunk)).scalars())
        new_rows = (row for row in rows if row["result_id"] in inserted)
        summary_sql.log_changes(connection, summary_sql.groups_of_rows(new_rows))
        return inserted

    def _insert_ignoring_duplicates(self) -> Any:
        dialect = postgresql if self.backend == "postgresql" else sqlite
        return dialect.insert(results).on_conflict_do_nothing(index_elements=["result_id"])

    # -- measurements for comparisons ------------------------------------------------------
    def measurements_for(
        self, systems: Sequence[str], include_quarantined: bool = False
    ) -> list[BenchmarkMeasurements]:
        """Headline values per benchmark for the given systems ("rtx-4090", "4x rtx-4090").

        Only results with a value are returned; quarantined ones only when asked.
        """
        pairs = [parse_system_key(system) for system in systems]
        if not pairs:
            return []
        condition = sa.or_(
            *[
                sa.and_(results.c.gpu_id == gpu_id, results.c.gpu_count == count)
                for gpu_id, count in pairs
            ]
        )
        return self._measurements(condition, include_quarantined)

    def leaderboard_inputs(self, include_quarantined: bool = False) -> list[BenchmarkMeasurements]:
        """Every GPU's headline values per benchmark (the Atlas Score's inputs)."""
        return self._measurements(results.c.gpu_id.is_not(None), include_quarantined)

    def _measurements(
        self, condition: Any, include_quarantined: bool
    ) -> list[BenchmarkMeasurements]:
        query = sa.select(*_MEASUREMENT_COLUMNS).where(
            condition, results.c.value.is_not(None), results.c.value > 0
        )
        if not include_quarantined:
            query = query.where(results.c.quarantined.is_(False))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            keys = {(row.benchmark, row.benchmark_version) for row in rows}
            described = _benchmark_descriptions(connection, keys)
            texts = _source_texts(connection, {row.source_id for row in rows})
        return _group_measurements(rows, described, texts)

    # -- group summaries (precomputed statistics; see summary_refresh.py) ------------------
    def refresh_summaries(self) -> int:
        """Recompute the summaries of the groups changed since the last refresh: every write
        does so in its own transaction; this catches up after ``bulk_insert_rows(...,
        refresh=False)``, a new summary method, or a database written by an older version
        (``open_store`` calls it). Returns how many groups were recomputed."""
        with self.engine.connect() as connection:
            if not summary_refresh.anything_pending(connection):
                return 0
        with self._write() as connection:
            return summary_refresh.refresh(connection)

    def group_values(self, groups: Sequence[GroupKey]) -> list[GroupValues]:
        """The comparable values of these groups (quarantined results left out)."""
        with self.engine.connect() as connection:
            return summary_sql.group_values(connection, groups)

    def group_runs(self, groups: Sequence[GroupKey]) -> list[GroupRuns]:
        """These groups' comparable results one by one, with source, build and date."""
        with self.engine.connect() as connection:
            return summary_sql.group_runs(connection, groups)

    def all_group_runs(self) -> list[GroupRuns]:
        """Every group's comparable results one by one (one query)."""
        with self.engine.connect() as connection:
            return summary_sql.all_group_runs(connection)

    def group_summaries(self, systems: Sequence[str] | None = None) -> list[GroupSummary]:
        """Stored summaries for these system keys ("rtx-4090", "4x rtx-4090"); None: all."""
        pairs = None if systems is None else [parse_system_key(s) for s in systems]
        with self.engine.connect() as connection:
            return summary_sql.read(connection, pairs)

    def workloads(self, benchmarks: Collection[str]) -> dict[str, Workload]:
        """The stored workload of each of these benchmarks that is a public one."""
        with self.engine.connect() as connection:
            return workload_sql.read(connection, benchmarks)

    # -- browsing ----------------------------------------------------------------------------
    def result_summaries(
        self, gpu_id: str | None = None, quarantined: bool | None = None, limit: int = 50
    ) -> list[ResultSummary]:
        query = sa.select(*_SUMMARY_COLUMNS).order_by(results.c.id.desc()).limit(limit)
        if gpu_id is not None:
            query = query.where(results.c.gpu_id == gpu_id)
        if quarantined is not None:
            query = query.where(results.c.quarantined.is_(quarantined))
        with self.engine.connect() as connection:
            return [_summary(row) for row in connection.execute(query)]

    def run_labels(self, result_ids: Collection[str]) -> dict[str, str]:
        """Per result id, what its benchmark id does not say: model, model type and engine
        build (records/run_label.py); ids without any of them are left out."""
        wanted = sorted(set(result_ids))
        if not wanted:
            return {}
        query = sa.select(results.c.result_id, results.c.settings, results.c.fingerprint).where(
            results.c.result_id.in_(wanted)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        labels = {row.result_id: run_label(row.settings, row.fingerprint) for row in rows}
        return {result_id: label for result_id, label in labels.items() if label}

    def get_document(self, result_id: str) -> dict[str, Any] | None:
        """The full stored result (samples, fingerprint, settings) as a JSON document."""
        query = sa.select(results).where(results.c.result_id == result_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return {**sanitize.sanitized_document(row_to_document(row)), "store": _audit(row)}

    def export_documents(self, include_public: bool = False) -> Iterator[dict[str, Any]]:
        query = sa.select(results).order_by(results.c.id)
        if not include_public:
            query = query.where(results.c.origin != "public")
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=1000).execute(query):
                yield {**row_to_document(row), "store": _audit(row)}

    def system_counts(self) -> dict[str, int]:
        """Comparable (not quarantined) results per system key."""
        query = (
            sa.select(results.c.gpu_id, results.c.gpu_count, sa.func.count())
            .where(results.c.gpu_id.is_not(None), results.c.quarantined.is_(False))
            .group_by(results.c.gpu_id, results.c.gpu_count)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {system_key(gpu, count): total for gpu, count, total in rows}

    def count_results(self, quarantined: bool | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(results)
        if quarantined is not None:
            query = query.where(results.c.quarantined.is_(quarantined))
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def revision(self) -> str:
        """Changes whenever what comparisons read changes (for caches)."""
        with self.engine.connect() as connection:
            newest = connection.execute(sa.select(sa.func.max(results.c.id))).scalar()
            changes = _meta_value(connection, CHANGE_COUNTER) or "0"
        return f"{newest or 0}.{changes}"

    # -- quarantine ----------------------------------------------------------------------------
    def quarantine(self, result_id: str, reason: str, by: str | None = None) -> bool:
        values = {"quarantined": True, "quarantine_reasons": [reason], "released_at": None}
        return self._update_result(result_id, values, _audit_entry("quarantine", by, reason))

    def release(self, result_id: str, by: str | None = None, reason: str | None = None) -> bool:
        """Admit a quarantined result to comparisons (an administrator's action: who, when and
        why are appended to the result's audit record; its reasons stay as a trail)."""
        self._refuse_release_of_invalid(result_id)
        values = {"quarantined": False, "released_at": datetime.now(UTC)}
        audit = _audit_entry("release", by, reason)
        return self._update_result(result_id, values, audit, only_quarantined=True)

    def is_quarantined(self, result_id: str) -> bool | None:
        """Whether a stored result is held out of comparisons (None: no such result)."""
        query = sa.select(results.c.quarantined).where(results.c.result_id == result_id)
        with self.engine.connect() as connection:
            state = connection.execute(query).scalar()
        return None if state is None else bool(state)

    def note_token_use(self, name: str) -> None:
        """Record that the token of ``name`` was used now (shown by `token list`)."""
        with self._write() as connection:
            _touch_token(connection, name, datetime.now(UTC))

    def _refuse_release_of_invalid(self, result_id: str) -> None:
        query = sa.select(results.c.comparable).where(results.c.result_id == result_id)
        with self.engine.connect() as connection:
            comparable = connection.execute(query).scalar()
        if comparable is False:
            raise InvalidRequestError(
                [
                    f"result {result_id} is not valid for comparison (no successful request, too "
                    "many failures or interrupted): it stays out of comparisons"
                ]
            )

    def _update_result(
        self,
        result_id: str,
        values: dict[str, Any],
        audit: dict[str, Any],
        only_quarantined: bool = False,
    ) -> bool:
        """Apply ``values`` and append ``audit`` (False: no such result). ``only_quarantined``:
        a result not held is left as it is, with no audit record (releasing twice is a no-op)."""
        where = results.c.result_id == result_id
        with self._write_results() as connection:
            query = sa.select(results.c.details, results.c.quarantined).where(where)
            row = connection.execute(query).first()
            if row is None:
                return False
            if only_quarantined and not row.quarantined:
                return True
            details = row.details or {}
            trail = [*dict(details).get("audit", []), audit]
            summary_sql.log_changes_where(connection, where)
            statement = (
                sa.update(results)
                .where(where)
                .values(**values, details={**dict(details), "audit": trail})
            )
            connection.execute(statement)
            _bump_change_counter(connection)
        return True

    # -- tokens ----------------------------------------------------------------------------
    def create_token(self, name: str, scope: str = "ingest") -> str:
        """A new token for agent ``name``; the plain token is returned once and never stored."""
        problem = token_rules.token_name_problem(name)
        if problem:
            raise InvalidRequestError([problem])
        token = token_rules.new_token()
        with self._write() as connection:
            existing = connection.execute(
                sa.select(tokens.c.revoked_at).where(tokens.c.name == name)
            ).first()
            if existing is not None and existing.revoked_at is None:
                raise InvalidRequestError(
                    [f"token {name!r} exists and is active; revoke it first to replace it"]
                )
            connection.execute(sa.delete(tokens).where(tokens.c.name == name))
            connection.execute(
                sa.insert(tokens).values(
                    name=name,
                    token_hash=token_rules.hash_token(token),
                    scope=scope,
                    created_at=datetime.now(UTC),
                )
            )
        return token

    def revoke_token(self, name: str) -> bool:
        statement = (
            sa.update(tokens)
            .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        with self._write() as connection:
            return connection.execute(statement).rowcount > 0

    def verify_token(self, token: str, scope: str = "ingest") -> str | None:
        """The agent name of an active token with this scope, else None."""
        query = sa.select(tokens.c.name).where(
            tokens.c.token_hash == token_rules.hash_token(token),
            tokens.c.revoked_at.is_(None),
            tokens.c.scope == scope,
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def token_scope(self, token: str) -> tuple[str, str] | None:
        """The name and scope of an active token, else None."""
        query = sa.select(tokens.c.name, tokens.c.scope).where(
            tokens.c.token_hash == token_rules.hash_token(token), tokens.c.revoked_at.is_(None)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (str(row.name), str(row.scope))

    def list_tokens(self) -> list[TokenInfo]:
        query = sa.select(tokens).order_by(tokens.c.name)
        with self.engine.connect() as connection:
            return [
                TokenInfo(
                    name=row.name,
                    scope=row.scope,
                    created_at=row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
                    revoked_at=as_utc(row.revoked_at),
                    last_used_at=as_utc(row.last_used_at),
                )
                for row in connection.execute(query)
            ]

    # -- metadata ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self.engine.connect() as connection:
            return _meta_value(connection, key)

    def replace_public_data(
        self, rows: Sequence[dict[str, Any]], fingerprint: str, workloads: Sequence[Workload] = ()
    ) -> bool:
        """Swap in a new version of the packaged data set and its benchmarks' workloads (once,
        even with racing processes)."""
        with self._write_results() as connection:
            if _meta_value(connection, PUBLIC_DATA_SET) == fingerprint:
                return False
            replaced = results.c.origin.in_(["public", "project"])
            summary_sql.log_changes_where(connection, replaced)
            connection.execute(sa.delete(results).where(replaced))
            self._insert_new(connection, rows)
            workload_sql.replace(connection, workloads)
            _set_meta(connection, PUBLIC_DATA_SET, fingerprint)
            _bump_change_counter(connection)
        return True


def _restored_reasons(state: StoredState) -> list[str]:
    """A restored result counts as quarantined in the outcome only while it is held."""
    return list(state.quarantine_reasons) if state.quarantined else []


def _unique_by_id(batch: Sequence[BenchResult]) -> tuple[list[BenchResult], set[str]]:
    """The batch's first result per id, and the ids repeated with different content."""
    seen: dict[str, BenchResult] = {}
    repeated: set[str] = set()
    for result in batch:
        first = seen.setdefault(result.result_id, result)
        if first is not result and first != result:
            repeated.add(result.result_id)
    return list(seen.values()), repeated


def _outcome(
    unique: Sequence[BenchResult],
    inserted: set[str],
    reasons: dict[str, list[str]],
    conflicts: set[str],
) -> IngestOutcome:
    ids = [result.result_id for result in unique]
    return IngestOutcome(
        accepted=tuple(result_id for result_id in ids if result_id in inserted),
        duplicates=tuple(
            result_id
            for result_id in ids
            if result_id not in inserted and result_id not in conflicts
        ),
        quarantined=tuple(
            Quarantined(result_id, tuple(reasons[result_id]))
            for result_id in ids
            if result_id in inserted and reasons[result_id]
        ),
        conflicts=tuple(result_id for result_id in ids if result_id in conflicts),
    )


def _conflicting_ids(connection: sa.Connection, candidates: Sequence[dict[str, Any]]) -> set[str]:
    """Ids of rows that were not inserted because a row with different content holds the id
    (read in the writing transaction, so a racing writer's committed row is seen)."""
    by_id = {row["result_id"]: row for row in candidates}
    if not by_id:
        return set()
    stored = connection.execute(
        sa.select(results).where(results.c.result_id.in_(list(by_id)))
    ).all()
    return {
        row.result_id
        for row in stored
        if _canonical(row_to_document(row))
        != _canonical(row_to_document(_RowView(by_id[row.result_id])))
    }


class _RowView:
    """Attribute access to a prepared row (what row_to_document reads)."""

    def __init__(self, row: dict[str, Any]):
        self.__dict__.update(row)


def _canonical(value: Any) -> Any:
    """JSON values compared by meaning: numbers as floats, objects by key."""
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _established_identities(
    connection: sa.Connection, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], BenchmarkIdentity]:
    """Per benchmark version, the definition its earliest comparable result established."""
    found = {}
    for name, version in sorted(keys):
        query = (
            sa.select(
                results.c.metric, results.c.unit, results.c.higher_is_better, results.c.settings
            )
            .where(
                results.c.benchmark == name,
                results.c.benchmark_version == version,
                results.c.quarantined.is_(False),
            )
            .order_by(results.c.id)
            .limit(1)
        )
        row = connection.execute(query).first()
        if row is not None:
            settings = row.settings if isinstance(row.settings, dict) else {}
            model = settings.get("model") if _id_names_model(name) else None
            found[(name, version)] = BenchmarkIdentity(
                metric=row.metric,
                unit=row.unit,
                higher_is_better=row.higher_is_better,
                model=model if isinstance(model, str) else None,
                defined_by="earlier results",
            )
    return found


def _identity_of_result(result: BenchResult, workload: Workload | None) -> BenchmarkIdentity:
    identity = benchmark_identity(result, workload=workload)
    headline = result.headline
    return BenchmarkIdentity(
        metric=identity.metric or headline.metric,
        unit=identity.unit or headline.unit,
        higher_is_better=(
            identity.higher_is_better
            if identity.higher_is_better is not None
            else headline.higher_is_better
        ),
        model=identity.model
        or (result.settings.model if _id_names_model(result.benchmark) else None),
        weights=identity.weights,
        concurrency=identity.concurrency,
        defined_by="earlier results",
    )


def _id_names_model(benchmark: str) -> bool:
    """Whether one model goes with a benchmark id: an imported tool's id (external-...) names
    only the test (external-llama-bench-tg128), so each of its results bounds its decode by
    its own model, never by the model of the first result stored under the id (a 70B run
    stored first held every later 3B run to a 70B's bound)."""
    return not benchmark.startswith(EXTERNAL_PREFIX)


def _audit_entry(action: str, by: str | None, reason: str | None) -> dict[str, Any]:
    return {
        "action": action,
        "by": by or "unknown",
        "reason": reason,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _touch_token(connection: sa.Connection, agent: str, when: datetime) -> None:
    connection.execute(sa.update(tokens).where(tokens.c.name == agent).values(last_used_at=when))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _benchmark_descriptions(
    connection: sa.Connection, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], Any]:
    """Category, metric, unit and orientation of each benchmark version: from its earliest
    comparable row (the one that established them; quarantine keeps mismatching rows out),
    an index seek per benchmark, not a scan of its results."""
    described = {}
    for name, version in sorted(keys):
        query = (
            sa.select(*_BENCHMARK_COLUMNS)
            .where(results.c.benchmark == name, results.c.benchmark_version == version)
            .order_by(results.c.id)
            .limit(1)
        )
        comparable = connection.execute(query.where(results.c.quarantined.is_(False))).first()
        described[(name, version)] = comparable or connection.execute(query).one()
    return described


def _source_texts(connection: sa.Connection, source_ids: set[int | None]) -> dict[Any, str]:
    wanted = [source_id for source_id in source_ids if source_id is not None]
    query = sa.select(sources.c.id, sources.c.text).where(sources.c.id.in_(wanted))
    texts: dict[Any, str] = {None: "unknown source"}
    texts.update({source_id: text for source_id, text in connection.execute(query)})
    return texts


def _group_measurements(
    rows: Sequence[Any], described: dict[tuple[str, int], Any], texts: dict[Any, str]
) -> list[BenchmarkMeasurements]:
    grouped: dict[tuple[str, int, str], dict[str, list[StoredMeasurement]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for benchmark, version, gpu_id, gpu_count, value, result_id, source_id, held, identity in rows:
        grouped[(benchmark, version, identity)][system_key(gpu_id, gpu_count)].append(
            StoredMeasurement(result_id, gpu_id, gpu_count, value, texts[source_id], held)
        )
    return [
        _benchmark_measurements(described[key[:2]], by_system, key[2])
        for key, by_system in sorted(grouped.items())
    ]


def _benchmark_measurements(
    row: Any, by_system: dict[str, list[StoredMeasurement]], identity_key: str = ""
) -> BenchmarkMeasurements:
    """One benchmark's values; within a system ordered by (value, result id), so statistics
    that resample them are reproducible whatever order the database returns rows in."""
    return BenchmarkMeasurements(
        benchmark=row.benchmark,
        benchmark_version=row.benchmark_version,
        category=row.category,
        metric=row.metric,
        unit=row.unit,
        higher_is_better=row.higher_is_better,
        by_system={
            system: tuple(sorted(values, key=lambda m: (m.value, m.result_id)))
            for system, values in sorted(by_system.items())
        },
        identity_key=identity_key,
    )


def _summary(row: Any) -> ResultSummary:
    return ResultSummary(
        result_id=row.result_id,
        benchmark=row.benchmark,
        benchmark_version=row.benchmark_version,
        category=row.category,
        gpu_id=row.gpu_id,
        gpu_count=row.gpu_count,
        gpu_name=row.gpu_name,
        metric=row.metric,
        unit=row.unit,
        higher_is_better=row.higher_is_better,
        value=row.value,
        created_at=row.created_at,
        source=row.source,
        origin=row.origin,
        agent=row.agent,
        received_at=row.received_at.replace(tzinfo=row.received_at.tzinfo or UTC),
        quarantined=row.quarantined,
        quarantine_reasons=tuple(row.quarantine_reasons or ()),
    )


def _audit(row: Any) -> dict[str, Any]:
    return {
        "origin": row.origin,
        "agent": row.agent,
        "received_at": _iso_utc(row.received_at),
        "quarantined": row.quarantined,
        "quarantine_reasons": list(row.quarantine_reasons),
        "released_at": _iso_utc(row.released_at),
        "audit": list((row.details or {}).get("audit", [])),
    }


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time with its zone: SQLite returns the UTC times it holds without one."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _iso_utc(moment: datetime | None) -> str | None:
    aware = as_utc(moment)
    return aware.isoformat() if aware else None


def _meta_value(connection: sa.Connection, key: str) -> str | None:
    query = sa.select(store_meta.c.value).where(store_meta.c.key == key)
    return connection.execute(query).scalar()


def _set_meta(connection: sa.Connection, key: str, value: str) -> None:
    connection.execute(sa.delete(store_meta).where(store_meta.c.key == key))
    connection.execute(sa.insert(store_meta).values(key=key, value=value))


def _bump_change_counter(connection: sa.Connection) -> None:
    current = int(_meta_value(connection, CHANGE_COUNTER) or "0")
    _set_meta(connection, CHANGE_COUNTER, str(current + 1))

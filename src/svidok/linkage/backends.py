"""The SQL engine Splink runs on: DuckDB in-process by default, Spark at scale.

Select with ``LinkageConfig(backend=...)``, the ``--backend`` option of ``svidok
link`` or the environment variable ``SVIDOK_LINKAGE_BACKEND`` (``duckdb`` or
``spark``). Spark needs ``pyspark`` installed and a Java runtime; the session is
taken from ``SparkSession.builder.getOrCreate()``, so ``spark-submit`` or the
``SPARK_*`` environment decide where it runs. Checkpoints go to
``SVIDOK_SPARK_CHECKPOINT_DIR`` (a shared path such as HDFS on a cluster) or, if it
is unset and the session has none, to a local temporary directory.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from typing import Any

from svidok.config import Settings

BACKENDS = ("duckdb", "spark")


class BackendError(RuntimeError):
    """The requested engine is unknown or not installed."""


def default_backend() -> str:
    """The installation's engine (setting ``linkage_backend``, SVIDOK_LINKAGE_BACKEND)."""
    return Settings().linkage_backend


def make_db_api(backend: str | None = None, *, spark_session: Any = None, threads: int | None = None,
                memory_limit: str | None = None):
    """A Splink database API for the backend. ``memory_limit`` ("2.5GB") is what DuckDB
    may hold before it spills to a temporary directory (removed with the connection)."""
    backend = (backend or default_backend()).lower()
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        # Spill to disk instead of failing when a large blocking pass exceeds memory.
        con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            spill = tempfile.mkdtemp(prefix="svidok-duckdb-")
            weakref.finalize(con, shutil.rmtree, spill, True)
            con.execute(f"SET temp_directory = '{spill}'")
            con.execute(f"SET memory_limit = '{memory_size(memory_limit)}'")
        return DuckDBAPI(connection=con)
    if backend == "spark":
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
            from splink.backends.spark import similarity_jar_location
        except ImportError as e:
            raise BackendError(
                "the spark backend needs pyspark: `uv add pyspark` (and a Java runtime)"
            ) from e
        # Splink's string similarity functions (Jaro-Winkler...) are Scala UDFs in a
        # jar it ships; a session made elsewhere must add it to spark.jars itself.
        spark = spark_session or (
            SparkSession.builder.appName("svidok-linkage")
            .config("spark.jars", similarity_jar_location())
            .getOrCreate()
        )
        # Splink breaks long query lineages with checkpoints, which need a directory.
        if not spark.sparkContext.getCheckpointDir():
            spark.sparkContext.setCheckpointDir(
                str(Settings().spark_checkpoint_dir or tempfile.mkdtemp(prefix="svidok-spark-")))
        return SparkAPI(spark_session=spark)
    raise BackendError(f"unknown linkage backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def memory_size(text: str) -> str:
    """A memory size as DuckDB reads it ("2.5GB", "800MB"), checked: it goes into SQL."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", text.strip(), flags=re.IGNORECASE):
        raise ValueError(f"memory limit {text!r} is not a size such as '2.5GB' or '800MB'")
    return text.strip()

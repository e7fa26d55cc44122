"""Closed-population capture-recapture models fitted as Poisson log-linear models (Rcapture's ``closedp.t``).

The lists are read as capture *occasions* in the order given (model Mb uses the order: it asks
whether being caught once changes the chance of being caught later). Each model is a Poisson
regression of the counts of the 2^t - 1 observed capture histories on a design matrix built as in
Rcapture (Baillargeon & Rivest 2007; Rivest & Levesque 2001):

* M0: number of captures; Mt: one column per occasion;
* Mh / Mth: M0 / Mt plus a heterogeneity column: Chao's lower bound (columns
  ``max(k - j + 1, 0)`` for j = 3..t, negative ones dropped one at a time), Poisson2 (``2^k - 1``),
  Darroch (``k^2 / 2``), Gamma3.5 (``log 3.5 - log(3.5 + k)``), with k the number of captures;
* Mb: occasions before the first capture and captures after it; Mbh: Mb plus "not caught first time".

The undocumented count is ``exp(intercept)`` (Mb and Mbh: Rcapture's closed forms), with the
delta-method standard error Rcapture prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .counts_table import CountsError, CountsTable

MAX_OCCASIONS = 12
#: R's glm.control defaults: Rcapture's standard errors are read where R's IRLS stops, so we stop there too.
_MAX_ITER = 25
_EPSILON = 1e-8


@dataclass(frozen=True)
class ClosedModel:
    """One fitted model: a row of Rcapture's table (``abundance`` is the total N, documented included)."""

    name: str
    abundance: float
    stderr: float
    deviance: float
    df: int
    aic: float
    bic: float
    coefficients: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"model": self.name, "abundance": self.abundance, "stderr": self.stderr, "deviance": self.deviance,
                "df": self.df, "aic": self.aic, "bic": self.bic, "coefficients": self.coefficients,
                "warnings": self.warnings}


def histories(t: int) -> np.ndarray:
    """The 2^t - 1 capture histories (rows of 0/1 over occasions), in Rcapture's order (all-ones first)."""
    idx = np.arange(2**t - 1)
    # Rcapture's row r (0-based) is the history whose complement, read as a binary number with
    # occasion 1 the most significant bit, equals r.
    return (1 - ((idx[:, None] >> np.arange(t - 1, -1, -1)) & 1)).astype(float)


def history_counts(table: CountsTable) -> np.ndarray:
    """The table's counts in Rcapture's row order (occasion j is list j of the table)."""
    h = histories(table.n_lists).astype(np.int64)
    masks = (h << np.arange(table.n_lists)).sum(axis=1)
    return table.cells[masks - 1].astype(float)


def _heterogeneity(kind: str, k: np.ndarray, t: int) -> tuple[np.ndarray, list[str]]:
    if kind == "Chao":
        cols = [np.maximum(k - j + 1, 0) for j in range(3, t + 1)]
        return np.column_stack(cols), [f"eta{j}" for j in range(3, t + 1)]
    if kind == "Poisson2":
        return (2.0**k - 1)[:, None], ["tau"]
    if kind == "Darroch":
        return (k**2 / 2)[:, None], ["tau"]
    return (-np.log(3.5 + k) + math.log(3.5))[:, None], ["tau"]  # Gamma3.5


def design(model: str, t: int) -> tuple[np.ndarray, list[str]]:
    """Rcapture's design matrix (without the intercept) for a model name of :data:`MODELS`."""
    h = histories(t)
    k = h.sum(axis=1)
    first = np.argmax(h, axis=1).astype(float)  # occasions before the first capture
    if model == "M0" or model.startswith("Mh "):
        x, names = k[:, None], ["beta"]
    elif model == "Mt" or model.startswith("Mth "):
        x, names = h, [f"beta{j}" for j in range(1, t + 1)]
    elif model == "Mb":
        x, names = np.column_stack([first, k - 1]), ["beta1", "beta2"]
    elif model == "Mbh":
        x, names = np.column_stack([1 - h[:, 0], first, k - 1]), ["eta", "beta1", "beta2"]
    else:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    if " " in model:
        extra, extra_names = _heterogeneity(model.split(" ")[1].replace(" (LB)", ""), k, t)
        x, names = np.column_stack([x, extra]), names + extra_names
    return x, names


MODELS = ("M0", "Mt", "Mh Chao", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5", "Mth Chao", "Mth Poisson2",
          "Mth Darroch", "Mth Gamma3.5", "Mb", "Mbh")
#: Rcapture's row labels.
LABELS = {m: m.replace("Chao", "Chao (LB)") for m in MODELS}


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return 2.0 * float(np.sum(np.where(pos, y * np.log(np.where(pos, y, 1.0) / mu), 0.0) - (y - mu)))


def _fit(y: np.ndarray, x: np.ndarray, names: list[str]):
    """Poisson GLM by IRLS as R's ``glm.fit`` runs it (start, stopping rule, covariance from the
    last iteration's weights): (beta, cov, deviance, loglik, converged)."""
    xi = np.column_stack([np.ones(len(y)), x])
    if np.linalg.matrix_rank(xi) < xi.shape[1]:
        raise ValueError(f"design matrix not of full rank: columns {', '.join(names)} (with the intercept) "
                         "are linearly dependent")
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = _deviance(y, mu)
    converged = False
    for _ in range(_MAX_ITER):
        z = eta + (y - mu) / mu
        a = (xi * mu[:, None]).T @ xi
        beta = np.linalg.solve(a, (xi * mu[:, None]).T @ z)
        eta = np.clip(xi @ beta, -700.0, 700.0)
        mu = np.exp(eta)
        dev = _deviance(y, mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _EPSILON:
            converged = True
            break
        dev_old = dev
    ll = float(np.sum(y * np.log(mu) - mu) - sum(math.lgamma(v + 1.0) for v in y))
    return beta, np.linalg.inv(a), dev, ll, converged


def _row(name: str, y: np.ndarray, n: float, t: int, beta, cov, dev, ll, converged, names) -> ClosedModel:
    p = len(beta)
    e = np.exp(beta)
    if name == "Mb":
        den = 1 + e[2] - e[1]
        total = e[0] * (1 + e[2]) ** t / den
        v = total * np.array([1.0, e[1] / den, t * e[2] / (1 + e[2]) - e[2] / den])
        se2 = float(v @ cov @ v) - total
    elif name == "Mbh":
        den = 1 + e[3] - e[2]
        q = e[1] * e[2] / den
        total = e[0] * (1 + e[3]) ** (t - 1) * (1 + q)
        v = e[0] * (1 + e[3]) ** (t - 1) * np.array(
            [1 + q, q, q + e[1] * e[2] ** 2 / den**2, (t - 1) * e[3] / (1 + e[3]) - e[1] * e[2] * e[3] / den**2])
        se2 = float(v @ cov @ v) - total
    else:
        total = n + e[0]
        se2 = e[0] + e[0] ** 2 * cov[0, 0]
    warnings = [] if converged else ["the fit did not converge"]
    if not np.isfinite(total) or total > 1e3 * max(n, 1):
        warnings.append("no usable estimate: it is infinite or more than a thousand times the documented "
                        "count, so the data do not bound N under this model")
    elif total < n:
        warnings.append("the estimate is below the documented count: this model does not fit these data")
    aic = -2 * ll + 2 * p
    return ClosedModel(LABELS.get(name, name), float(total), math.sqrt(se2) if se2 >= 0 else math.nan,
                       float(dev), len(y) - p, aic, aic + (math.log(n) - 2) * p,
                       dict(zip(["Intercept", *names], map(float, beta), strict=True)), warnings)


def _fit_chao(y: np.ndarray, x: np.ndarray, names: list[str], nca: int):
    """Chao's lower bound: drop the first negative eta and refit until none is negative (Rcapture's ``neg``)."""
    while True:
        fit = _fit(y, x, names)
        etas = fit[0][nca:]
        neg = np.flatnonzero(etas < 0)
        if not len(neg):
            return fit, names
        drop = nca - 1 + int(neg[0])  # column in x (x has no intercept column)
        x = np.delete(x, drop, axis=1)
        names = names[:drop] + names[drop + 1:]


def _check(table: CountsTable) -> np.ndarray:
    t = table.n_lists
    if t > MAX_OCCASIONS:
        raise CountsError(f"closedp fits at most {MAX_OCCASIONS} occasions (lists), got {t}")
    if table.observed == 0:
        raise CountsError("no documented people")
    y = history_counts(table)
    if y[histories(t).sum(axis=1) >= 2].sum() == 0:
        raise CountsError("no person is on more than one list: without recaptures no model has an estimate")
    return y


def closedp(table: CountsTable) -> list[ClosedModel]:
    """Rcapture's ``closedp.t`` table: every model of :data:`MODELS` (M0, Mt, Mb with two occasions)."""
    y = _check(table)
    t, n = table.n_lists, float(y.sum())
    names_run = ("M0", "Mt", "Mb") if t == 2 else MODELS
    out = []
    for name in names_run:
        x, cols = design(name, t)
        try:
            with np.errstate(all="ignore"):
                if name.endswith("Chao"):
                    nca = 2 if name.startswith("Mh ") else t + 1
                    fit, cols = _fit_chao(y, x, cols, nca)
                else:
                    fit = _fit(y, x, cols)
                out.append(_row(name, y, n, t, *fit, cols))
        except (np.linalg.LinAlgError, ValueError) as exc:
            # as Rcapture: a model that cannot be fitted to this table is a row without figures
            out.append(ClosedModel(LABELS[name], math.nan, math.nan, math.nan, len(y) - x.shape[1] - 1, math.nan,
                                   math.nan, warnings=[f"not fitted: {exc or type(exc).__name__}"]))
    return out


def closedp_custom(table: CountsTable, columns: Mapping[str, Sequence[float]], name: str = "custom") -> ClosedModel:
    """A model with a design matrix of one's own (Rcapture's ``closedpCI.t(X, mX=…)``).

    ``columns`` maps column names to values over the 2^t - 1 histories in Rcapture's order
    (:func:`histories`); an intercept is added. N is the documented count plus exp(intercept)."""
    y = _check(table)
    names = list(columns)
    if not names:
        raise ValueError("a custom design needs at least one column")
    x = np.column_stack([np.asarray(columns[c], dtype=float) for c in names])
    if x.shape[0] != len(y):
        raise ValueError(f"design columns need {len(y)} values (one per capture history), got {x.shape[0]}")
    if not np.isfinite(x).all():
        raise ValueError("design columns must hold finite numbers")
    try:
        with np.errstate(all="ignore"):
            return _row(name, y, float(y.sum()), table.n_lists, *_fit(y, x, names), names)
    except np.linalg.LinAlgError as exc:
        raise ValueError(f"the custom design cannot be fitted to this table: {exc}") from exc


def design_columns(table: CountsTable, rows: Iterable[tuple[Sequence[int], Mapping[str, float]]],
                   where: str = "design", unit: str = "row", start: int = 1) -> dict[str, np.ndarray]:
    """Named design columns from (capture history as 0/1 per list of ``table``, {column: value})
    pairs, one per history: every history once, every row with the same columns. Errors name
    ``where`` and the row ("design, row 3: …"; a CSV's are "FILE, line 4")."""
    t = table.n_lists
    hist = histories(t).astype(int)
    index = {tuple(row): i for i, row in enumerate(hist)}
    names: list[str] | None = None
    values = np.full((len(hist), 0), np.nan)
    for line, (pattern, vals) in enumerate(rows, start=start):
        if names is None:
            names = list(vals)
            if not names:
                raise CountsError(f"{where}, {unit} {line}: no design column")
            values = np.full((len(hist), len(names)), np.nan)
        if sorted(vals) != sorted(names):
            raise CountsError(f"{where}, {unit} {line}: columns {', '.join(sorted(vals))} differ from the first row's "
                              f"({', '.join(names)})")
        key = tuple(int(x) for x in pattern)
        if key not in index:
            raise CountsError(f"{where}, {unit} {line}: {key} is not a capture history of {t} lists (all zero, or not 0/1)")
        i = index[key]
        if not np.isnan(values[i, 0]):
            raise CountsError(f"{where}, {unit} {line}: capture history {key} given twice")
        row = [float(vals[c]) for c in names]
        if not all(math.isfinite(v) for v in row):
            raise CountsError(f"{where}, {unit} {line}: design values must be finite numbers")
        values[i] = row
    if names is None:
        raise CountsError(f"{where}: no rows")
    absent = np.isnan(values).any(axis=1)
    if absent.any():
        first = "".join(map(str, hist[np.flatnonzero(absent)[0]]))
        raise CountsError(f"{where}: {int(absent.sum())} capture histories have no row (e.g. {first})")
    return {c: values[:, j] for j, c in enumerate(names)}


def read_design_csv(path, table: CountsTable) -> dict[str, np.ndarray]:
    """Named design columns from a CSV: one 0/1 column per list of ``table`` and one column per design
    variable, one row per capture history (every history seen at least once, none twice)."""
    import csv

    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CountsError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        cols = list(reader.fieldnames or [])
        missing = [name for name in table.lists if name not in cols]
        if missing:
            raise CountsError(f"{path}: design needs a 0/1 column per list; missing {', '.join(missing)}")
        extra = [c for c in cols if c not in table.lists]
        if not extra:
            raise CountsError(f"{path}: no design column besides the list columns")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(([int(row[name]) for name in table.lists], {c: float(row[c]) for c in extra}))
            except (TypeError, ValueError):
                raise CountsError(f"{path}, line {line}: list columns must be 0/1 and design columns numbers") from None
    return design_columns(table, rows, where=f"{path}", unit="line", start=2)

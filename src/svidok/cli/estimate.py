"""``svidok estimate``: how many victims are not yet documented (multiple systems estimation)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import typer

from svidok.stats.methods import METHODS, MIN_RECORDS

from . import lazy

counts_table = lazy.module("svidok.stats.counts_table")
estimate_strata = lazy.module("svidok.stats.estimate_strata")
estimate_bootstrap = lazy.module("svidok.stats.estimate_bootstrap")
estimate_closedp = lazy.module("svidok.stats.estimate_closedp")


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if math.isinf(v):
        return "unbounded"
    return f"{v:,.0f}"


def _options(method: str, criterion: str, max_order: int | None, seed: int, chains: int, samples: int,
             burnin: int, thinning: int, classes: int, delta: float | None = None,
             max_missing: int | None = None) -> dict:
    if method == "loglinear":
        return {"criterion": criterion, "max_order": max_order}
    if method == "dga":
        return {"delta": delta, "max_missing": max_missing, "seed": seed}
    return {"seed": seed, "chains": chains, "samples": samples, "burnin": burnin, "thinning": thinning,
            "k_max": classes}


def _print_models(d: dict) -> None:
    w = sys.stdout.write
    width = max([len("model")] + [len(m["label"]) for m in d["ranking"]])
    w(f"\n  rank  {'model':<{width}}   estimate    deviance  df      AIC      BIC\n")
    for i, m in enumerate(d["ranking"], start=1):
        w(f"  {i:>4}  {m['label']:<{width}} {_fmt(m['estimate']):>10} {m['deviance']:>11.2f} {m['df']:>3}"
          f" {m['aic']:>8.1f} {m['bic']:>8.1f}\n")


def _print_diagnostics(d: dict) -> None:
    w = sys.stdout.write
    w("convergence (R-hat near 1 and effective sample sizes in the hundreds mean the chains agree):\n")
    for name, label in (("N", "total N"), ("alpha", "alpha (concentration)"), ("classes", "occupied classes")):
        q = d["diagnostics"][name]
        w(f"  {label:<22} R-hat {q['rhat']:.3f}   ESS bulk {q['ess_bulk']:>7.0f}   ESS tail {q['ess_tail']:>7.0f}\n")
    g = d["diagnostics"]
    w(f"  occupied classes: median {g['occupied_classes_median']:.0f}, at most {g['occupied_classes_max']} of "
      f"{d['settings']['K']}; undocumented count redrawn above the cap {g['n0_redraws']:,} times\n")


def _print_result(d: dict, models: bool = False, diagnostics: bool = False) -> None:
    w = sys.stdout.write
    w(f"documented (observed): {d['observed']:,} on {len(d['lists'])} lists ({', '.join(d['lists'])})\n")
    if d["method"] == "loglinear":
        w(f"model ({d['criterion'].upper()} best of {d['n_models']:,}): {d['model']}\n")
        w(f"estimate: {_fmt(d['estimate'])}   95% profile-likelihood interval: {_fmt(d['lower'])} – {_fmt(d['upper'])}"
          f"   (s.e. {_fmt(d['stderr'])})\n")
        if "bootstrap" in d:
            b = d["bootstrap"]
            chosen = ", ".join(f"{m['model']} {m['share']:.0%}" for m in b["selected"][:3])
            w(f"bootstrap (model chosen in each of {b['reps']} replicates): 95% interval {_fmt(b['lower'])} – "
              f"{_fmt(b['upper'])}; models chosen: {chosen}\n")
        if models:
            _print_models(d)
        else:
            w("(--models lists the best-scoring models)\n")
    elif d["method"] == "dga":
        w(f"posterior median: {_fmt(d['median'])}   95% credible interval: {_fmt(d['lower'])} – {_fmt(d['upper'])}"
          f"   (mean {_fmt(d['mean'])})\n")
        w(f"averaged over {d['n_models']} decomposable graphical models (delta {d['delta']:.4g}, prior on N "
          f"{'1/N' if d['prior'] == 'improper' else d['prior']}, N up to {_fmt(d['grid'][-1])}); most probable:\n")
        for m in d["models"][: 10 if models else 3]:
            w(f"  {m['weight']:>7.1%}  {m['model']}  (median {_fmt(m['median'])})\n")
    else:
        w(f"posterior median: {_fmt(d['median'])}   95% credible interval: {_fmt(d['lower'])} – {_fmt(d['upper'])}"
          f"   (mean {_fmt(d['mean'])})\n")
        w(f"diagnostics: R-hat {d['rhat']:.3f}, ESS bulk {d['ess_bulk']:.0f}, ESS tail {d['ess_tail']:.0f} "
          f"({d['chains']} chains x {d['draws_per_chain']} draws, seed {d['seed']})\n")
        s = d["settings"]
        w(f"model: latent classes K*={s['K']}, alpha ~ Gamma({s['a_alpha']}, {s['b_alpha']}), "
          f"lambda ~ {s['lambda_prior']}, "
          f"burn-in {s['burnin']}, thinning {s['thinning']}\n")
        if diagnostics:
            _print_diagnostics(d)
    for msg in d["warnings"]:
        w(f"warning: {msg}\n")


def _print_summary(stratify: str, method: str, rows: list[dict], total: dict) -> None:
    """The table a reader without statistics reads: documented, estimate and interval per stratum."""
    w = sys.stdout.write
    kind = {"loglinear": "log-linear models", "dga": "decomposable graphical models (averaged)"}.get(
        method, "latent-class model (LCMCR)")
    w(f"Victims documented and estimated in total (documented + undocumented), by {stratify}; {kind}, "
      "95% intervals\n\n")
    names = [str(r["stratum"]) for r in rows] + ["TOTAL"]
    width = max(len(n) for n in names)
    w(f"  {'':<{width}}  {'documented':>10}  {'estimate':>10}  {'interval':<23}\n")
    for r in rows:
        if r["estimate"] is None:
            est, interval = "—", "not estimated"
        else:
            est, interval = _fmt(r["estimate"]), f"{_fmt(r['lower'])} – {_fmt(r['upper'])}"
        w(f"  {str(r['stratum']):<{width}}  {r['observed']:>10,}  {est:>10}  {interval:<23}\n")
    if total["estimate"] is not None:
        interval = f"{_fmt(total['lower'])} – {_fmt(total['upper'])}"
        w(f"  {'TOTAL':<{width}}  {total['observed']:>10,}  {_fmt(total['estimate']):>10}  {interval:<23}\n")
        w(f"  (total's interval: {total['interval']})\n")
    for note in total["notes"]:
        w(f"note: {note}\n")
    for r in rows:
        for msg in r["warnings"]:
            w(f"warning ({r['stratum']}): {msg}\n")


def _print_closedp(table, rows: list, custom: bool) -> None:
    w = sys.stdout.write
    w(f"documented (observed): {table.observed:,} on {table.n_lists} lists read as capture occasions in this "
      f"order ({', '.join(table.lists)})\n")
    w("closed-population models (Rcapture closedp.t); abundance is the total, documented included\n\n")
    width = max(len(r.name) for r in rows)
    w(f"  {'model':<{width}}  {'abundance':>10} {'stderr':>9} {'deviance':>10} {'df':>4} {'AIC':>9} {'BIC':>9}\n")
    def num(v: float, spec: str) -> str:
        return format(v, spec) if math.isfinite(v) else "—"

    for r in rows:
        w(f"  {r.name:<{width}}  {num(r.abundance, '>10.1f')} {num(r.stderr, '>9.1f')} {num(r.deviance, '>10.3f')}"
          f" {r.df:>4} {num(r.aic, '>9.3f')} {num(r.bic, '>9.3f')}\n")
    if custom:
        w("  coefficients: " + ", ".join(f"{k} {v:.4f}" for k, v in rows[-1].coefficients.items()) + "\n")
    for r in rows:
        for msg in r.warnings:
            w(f"warning ({r.name}): {msg}\n")


def _estimate_closedp(counts: Path, design: Path | None, as_json: bool) -> None:
    try:
        table = counts_table.read_counts_csv(counts)
        rows = estimate_closedp.closedp(table)
        if design is not None:
            rows.append(estimate_closedp.closedp_custom(table, estimate_closedp.read_design_csv(design, table),
                                                        name=f"custom ({design.stem})"))
    except (counts_table.CountsError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        out = {"method": "closedp", "observed": table.observed, "lists": list(table.lists),
               "models": [r.to_dict() for r in rows]}
        sys.stdout.write(json.dumps(estimate_strata.json_safe(out), ensure_ascii=False) + "\n")
    else:
        _print_closedp(table, rows, design is not None)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def estimate(
    counts: Path | None = typer.Argument(None, help="CSV: one 0/1 column per list and a 'count' column."),
    method: str = typer.Option("loglinear", "--method", "-m", help="loglinear, lcmcr, dga or closedp."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    from_db: bool = typer.Option(False, "--from-db", help="Use the linked victim records in the database."),
    stratify: str = typer.Option("none", help="With --from-db: none, oblast, year, month, sex, age_group, harm."),
    harm: list[str] = typer.Option([], help="With --from-db: only victims with this harm (repeatable)."),
    min_records: int = typer.Option(MIN_RECORDS, help="Strata with fewer documented people are not estimated."),
    criterion: str = typer.Option("aic", help="loglinear: model choice by aic or bic."),
    max_order: int | None = typer.Option(None, help="loglinear: highest interaction order searched."),
    seed: int = typer.Option(1, help="lcmcr, dga: random seed (same seed, same result)."),
    chains: int = typer.Option(4, help="lcmcr: independent chains (for R-hat)."),
    samples: int = typer.Option(1000, help="lcmcr: draws kept per chain."),
    burnin: int = typer.Option(10000, help="lcmcr: sweeps discarded first."),
    thinning: int = typer.Option(100, help="lcmcr: sweeps per kept draw."),
    classes: int = typer.Option(10, "--classes", help="lcmcr: maximum number of latent classes K*."),
    delta: float | None = typer.Option(None, help="dga: prior observations per cell (default 1/2^lists)."),
    max_missing: int | None = typer.Option(None, help="dga: largest undocumented count on the grid "
                                                      "(default 10 x documented, at least 1,000)."),
    chart: Path | None = typer.Option(None, help="Also draw documented vs estimated (PNG or SVG)."),
    models: bool = typer.Option(False, "--models", help="loglinear, dga: also list the best-scoring models (per stratum)."),
    diagnostics: bool = typer.Option(False, "--diagnostics",
                                     help="lcmcr: R-hat and ESS of N, alpha and occupied classes; --json adds traces."),
    bootstrap: int = typer.Option(0, help="loglinear: also a bootstrap interval over this many replicates, "
                                          "the model chosen anew in each (0: none)."),
    design: Path | None = typer.Option(None, help="closedp: also fit this design (CSV: a 0/1 column per list, "
                                                  "then named columns; one row per capture history)."),
) -> None:
    """Estimate the total number of victims, documented or not, from overlapping lists."""
    if method not in METHODS:
        _fail(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    if criterion not in ("aic", "bic"):
        _fail(f"--criterion must be aic or bic, not {criterion!r}")
    if method == "closedp":
        if from_db or counts is None:
            _fail("--method closedp reads a counts file (lists in capture-occasion order), not --from-db")
        _estimate_closedp(counts, design, as_json)
        return
    if design is not None:
        _fail("--design goes with --method closedp")
    opts = _options(method, criterion, max_order, seed, chains, samples, burnin, thinning, classes, delta, max_missing)
    if from_db == (counts is not None):
        _fail("give either a counts file or --from-db")
    if from_db:
        _estimate_db(method, stratify, harm, min_records, opts, as_json, chart, models, diagnostics)
        return
    try:
        table: counts_table.CountsTable = counts_table.read_counts_csv(counts)
        table, warnings = estimate_strata.check_table(table, method, min_records=1)
        if table.observed < min_records:
            warnings.append(f"only {table.observed} documented people: treat the estimate with great caution")
        if method == "lcmcr" and diagnostics:
            opts["keep_draws"] = True
        result = estimate_strata.run_method(table, method, **opts)
        d = result.to_dict(traces=True) if method == "lcmcr" and diagnostics and as_json else result.to_dict()
        if bootstrap and method == "loglinear":
            d["bootstrap"] = estimate_bootstrap.bootstrap_interval(table, criterion, max_order, reps=bootstrap, seed=seed)
            d["warnings"] += d["bootstrap"]["warnings"]
    except (counts_table.CountsError, ValueError, OverflowError, MemoryError) as exc:
        _fail(str(exc) or type(exc).__name__)
    d["warnings"] = warnings + d["warnings"]
    if chart:
        from svidok.stats.charts import estimate_chart, save_chart

        save_chart(estimate_chart([{"stratum": counts.name, **d}]), chart)
    if as_json:
        sys.stdout.write(json.dumps(estimate_strata.json_safe(d), ensure_ascii=False) + "\n")
    else:
        _print_result(d, models, diagnostics)


def _estimate_db(method: str, stratify: str, harms: list[str], min_records: int, opts: dict, as_json: bool,
                 chart: Path | None, models: bool, diagnostics: bool) -> None:
    from svidok.app import Svidok
    from svidok.figures.estimate_input import STRATA, victim_people_by_stratum

    if stratify not in STRATA:
        _fail(f"--stratify must be one of {', '.join(STRATA)}, not {stratify!r}")
    app = Svidok()
    try:
        with app.db.session() as session:
            people = victim_people_by_stratum(session, stratify, harms or None)
    finally:
        app.close()
    if not people:
        _fail("no linked victim records in the database (is it initialised and are victims linked to persons?)")
    lists = sorted(set().union(*(s for _, s in people)))
    if len(lists) < 2:
        _fail(f"all victim records come from one list ({', '.join(lists)}): estimating the undocumented needs "
              "people documented by at least two independently collected lists (imported datasets)")
    try:
        results = estimate_strata.estimate_by_stratum(counts_table.stratified_tables(people), method, min_records, **opts)
    except (counts_table.CountsError, ValueError) as exc:
        _fail(str(exc))
    total = estimate_strata.total_over_strata(results)
    rows = [r.to_dict() for r in results]
    if chart:
        from svidok.stats.charts import estimate_chart, save_chart

        save_chart(estimate_chart(rows), chart)
    if as_json:
        out = {"method": method, "stratify": stratify, "harm": harms, "strata": rows, "total": total}
        sys.stdout.write(json.dumps(estimate_strata.json_safe(out), ensure_ascii=False) + "\n")
        return
    _print_summary(stratify, method, rows, total)
    if models or diagnostics:
        for r in rows:
            if r["estimate"] is not None:
                typer.echo(f"\n== {stratify}: {r['stratum']} ==")
                _print_result({**r["detail"], "warnings": []}, models, diagnostics)


def _read_victims_csv(path: Path) -> list[tuple[int | None, str | None, str | None]]:
    """Rows of ``age`` and/or ``age_band``, ``sex``, optional ``count``; blanks mean unknown."""
    import csv

    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
    out: list[tuple[int | None, str | None, str | None]] = []
    with handle:
        reader = csv.DictReader(handle)
        cols = set(reader.fieldnames or [])
        if "sex" not in cols or not cols & {"age", "age_band"}:
            _fail(f"{path}: need a 'sex' column and an 'age' or 'age_band' column (got {', '.join(sorted(cols))})")
        for i, row in enumerate(reader, start=1):
            age_text = (row.get("age") or "").strip()
            try:
                age = int(age_text) if age_text else None
                count = int((row.get("count") or "1").strip())
            except ValueError:
                _fail(f"row {i}: 'age' and 'count' must be whole numbers")
            if (age is not None and not 0 <= age <= 125) or count < 0:
                _fail(f"row {i}: age must be 0-125 and count not negative")
            sex = (row.get("sex") or "").strip().lower() or None
            if sex not in (None, "male", "female", "unknown"):
                _fail(f"row {i}, column 'sex': {row['sex']!r} is not male, female or unknown")
            band = (row.get("age_band") or "").strip() or None
            out.extend([(age, band, None if sex == "unknown" else sex)] * count)
    return out


def disproportion(
    victims: Path | None = typer.Argument(None, help="CSV of victims: age or age_band, sex, optional count."),
    from_db: bool = typer.Option(False, "--from-db", help="Use the victim records in the database."),
    harm: list[str] = typer.Option([], help="With --from-db: only victims with this harm (repeatable)."),
    bands: str = typer.Option("0-17,18-59,60+", help="Age bands, contiguous from 0, last one open (60+)."),
    by: str = typer.Option("age", help="age, sex or age_sex."),
    population: Path | None = typer.Option(None, help="Population CSV (age_from,age_to,sex,population); "
                                                      "default: Ukraine, 1 January 2018."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    delta: float | None = typer.Option(None, help="dga: prior observations per cell (default 1/2^lists)."),
    max_missing: int | None = typer.Option(None, help="dga: largest undocumented count on the grid "
                                                      "(default 10 x documented, at least 1,000)."),
    chart: Path | None = typer.Option(None, help="Also draw a population pyramid (PNG or SVG)."),
) -> None:
    """Compare victims' age and sex with the population: shares, rate ratios, plain verdicts."""
    from svidok.stats.age_bands import parse_bands, read_population_csv
    from svidok.stats.disproportionality import compare_with_population, tabulate_victims

    if from_db == (victims is not None):
        _fail("give either a victims file or --from-db")
    if from_db:
        from svidok.app import Svidok
        from svidok.figures.estimate_input import victim_age_sex

        app = Svidok()
        try:
            with app.db.session() as session:
                records = victim_age_sex(session, harm or None)
        finally:
            app.close()
    else:
        records = _read_victims_csv(victims)
    try:
        band_list = parse_bands(bands)
        pop = read_population_csv(population)
        counts = tabulate_victims(records, band_list)
        report = compare_with_population(counts, pop, bands, by)
    except (counts_table.CountsError, ValueError) as exc:
        _fail(str(exc))
    if chart:
        from svidok.stats.charts import population_pyramid, save_chart

        known = {k: v for k, v in counts.items() if k[0] is not None and k[1] is not None}
        save_chart(population_pyramid(known, pop.by_band(band_list), bands), chart)
    if as_json:
        sys.stdout.write(json.dumps(estimate_strata.json_safe(report.to_dict()), ensure_ascii=False) + "\n")
        return
    typer.echo(f"victims placed: {report.victims_known:,}; not placed (age/sex unknown): {report.victims_unknown:,}")
    typer.echo(f"population: {report.population_source}")
    for g in report.groups:
        typer.echo(f"- [{g.verdict}] {g.statement}")
    for w in report.warnings:
        typer.echo(f"warning: {w}")
    for c in report.caveats:
        typer.echo(f"note: {c}")

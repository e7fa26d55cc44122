"""What `svidok link` gets wrong on a yardstick2 file, grouped by what was done to the records.

    uv run python bench/linkage_yardstick2_gen.py --records 17390 --seed 1 --out /tmp/y2.csv
    uv run python bench/linkage_yardstick2_errors.py /tmp/y2.csv [--examples 30]

Links the file with ``svidok.linkage.link_records`` on the columns a real list has
(the truth columns of ``linkage_oracle.py`` and the ``noise`` tags are dropped; the
tags are read from FILE.noise.csv, or from a ``noise`` column if the file has one).
Prints pairwise precision, recall and F1; the missed true pairs and the wrongly
linked pairs, each pair put in one class (the first that applies, in the order
below) and counted under every tag its two records carry, with the tag's lift
(its share among missed pairs over its share among all true pairs); and examples.

Classes of a missed pair, in order: stated_error (a record states a wrong date, age
or place), initials, runtogether, typo_first_letter, typo (given or family),
diminutive, en_given, fem_as_masc, lat_pl, crimean_tatar_scripts (Crimean Tatar
names in two different scripts or systems), uk_variant, cross_script (Cyrillic
~ Latin), ru_vs_uk (Russian ~ Ukrainian Cyrillic), namesake_no_date (the name is
shared by another person and a record has no birth information), no_date,
other. Wrongly linked pairs: same_name (namesakes), same_family, same_given, other;
each with whether their stated dates disagree; and how many wrong pairs sit in clusters
of 3+ records holding an undated record (joined, perhaps, through that record).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_oracle import TRUTH_COLUMNS, oracle_pairs, read_labelled
from linkage_yardstick2_gen import noise_path

from svidok.linkage import LinkageConfig, link_records

DROP = (*TRUTH_COLUMNS, "noise")
ERR = ("err_swap", "err_year", "err_day", "err_age", "place_error")
SIMPLE = ("initials", "runtogether", "typo_first_letter")
TYPO = ("typo_given", "typo_family")
LATER = ("diminutive", "en_given", "fem_as_masc", "lat_pl")


def _pairs(groups: pd.Series) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for _, pos in groups.groupby(groups, sort=True).groups.items():
        if len(pos) > 1:
            out.update(itertools.combinations(sorted(pos), 2))
    return out


def _script(tags: set[str]) -> str:
    return next((t[7:] for t in tags if t.startswith("script_")), "")


def _lat_system(tags: set[str]) -> str:
    return next((t[4:] for t in tags if t.startswith("lat_")), "")


def missed_class(a: set[str], b: set[str], shared_name: bool) -> str:
    both = a | b
    if both & set(ERR):
        return "stated_error"
    for t in SIMPLE:
        if t in both:
            return t
    if both & set(TYPO):
        return "typo"
    for t in LATER:
        if t in both:
            return t
    sa, sb = _script(a), _script(b)
    if "crimean_tatar" in both and (sa != sb or _lat_system(a) != _lat_system(b)):
        return "crimean_tatar_scripts"
    if "uk_variant" in both:
        return "uk_variant"
    if (sa == "lat") != (sb == "lat"):
        return "cross_script"
    if {sa, sb} == {"uk", "ru"}:
        return "ru_vs_uk"
    if "birth_none" in both:
        return "namesake_no_date" if shared_name else "no_date"
    return "other"


def wrong_class(ra: pd.Series, rb: pd.Series) -> str:
    ga, fa = ra["truth_name"].split("|")
    gb, fb = rb["truth_name"].split("|")
    if ra["truth_name"] == rb["truth_name"]:
        kind = "same_name"
    elif fa == fb:
        kind = "same_family"
    elif ga == gb:
        kind = "same_given"
    else:
        kind = "other"
    sa, sb = ra["stated_birth"], rb["stated_birth"]
    if not sa or not sb:
        kind += ", a date missing"
    elif sa.startswith("age:") or sb.startswith("age:"):
        kind += ", an age"
    elif sa.startswith(sb) or sb.startswith(sa):
        kind += ", dates agree as stated"
    else:
        kind += ", dates differ"
    return kind


def _show(df: pd.DataFrame, i: int) -> str:
    r = df.loc[i]
    birth = r["birth_date"] or (f"age {r['age']} at {r['age_date']}" if r["age"] else "-")
    return (f"[{r['source']}] {r['name']!r} | {birth} | {r['place'] or '-'} | {r['sex'] or '-'}"
            f"   (truth {r['truth_name']} {r['truth_birth']} {r['truth_place']}; {r['noise']})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    ap.add_argument("--noise", help="the noise tags file (default: FILE.noise.csv beside FILE)")
    ap.add_argument("--examples", type=int, default=30, help="examples of missed and of wrong pairs, in all")
    ap.add_argument("--seed", type=int, default=0, help="which examples are shown")
    args = ap.parse_args()

    df = read_labelled(args.path).reset_index(drop=True)
    if "noise" not in df.columns:
        npath = Path(args.noise) if args.noise else noise_path(args.path)
        tags = pd.read_csv(npath, dtype=str, keep_default_na=False).set_index("record_id")["noise"]
        df["noise"] = df["record_id"].map(tags).fillna("")
    records = df.drop(columns=[c for c in DROP if c in df.columns])
    result = link_records(records, config=LinkageConfig())
    cluster = result.clusters.set_index("record_id")["cluster_id"]
    df["cluster"] = df["record_id"].map(cluster)
    if df["cluster"].isna().any():
        print(f"{int(df['cluster'].isna().sum())} record(s) left out of the clusters; each counted alone")
        df.loc[df["cluster"].isna(), "cluster"] = [f"_alone{i}" for i in range(int(df["cluster"].isna().sum()))]

    true = _pairs(df["person_id"])
    pred = _pairs(df["cluster"].astype(str))
    tp = len(true & pred)
    p, r = tp / len(pred) if pred else 1.0, tp / len(true) if true else 1.0
    print(f"{len(df):,} records, {df['person_id'].nunique():,} persons, {len(true):,} true pairs; "
          f"linked pairs {len(pred):,}")
    print(f"svidok link: pairwise precision {p:.4f}  recall {r:.4f}  F1 {2 * p * r / (p + r) if p + r else 0:.4f}")
    oa, ob = oracle_pairs(df)
    oracle = set(zip(oa.tolist(), ob.tolist()))

    tagsets = [set(t.split("+")) if t else set() for t in df["noise"]]
    persons_of_name = df.drop_duplicates("person_id").groupby("truth_name").size()
    shared = df["truth_name"].map(persons_of_name).gt(1).to_numpy()
    rng = random.Random(args.seed)

    missed = sorted(true - pred)
    wrong = sorted(pred - true)
    classes: dict[str, list[tuple[int, int]]] = {}
    for i, j in missed:
        classes.setdefault(missed_class(tagsets[i], tagsets[j], bool(shared[i])), []).append((i, j))
    wclasses: dict[str, list[tuple[int, int]]] = {}
    for i, j in wrong:
        wclasses.setdefault(wrong_class(df.loc[i], df.loc[j]), []).append((i, j))

    def tag_lift(pairs: list[tuple[int, int]]) -> list[tuple[str, int, float]]:
        base = Counter(t for i, j in true for t in tagsets[i] | tagsets[j])
        got = Counter(t for i, j in pairs for t in tagsets[i] | tagsets[j])
        return sorted(((t, n, (n / len(pairs)) / (base[t] / len(true))) for t, n in got.items() if base[t]),
                      key=lambda x: (-x[2], x[0]))

    print(f"\nmissed true pairs: {len(missed):,}  (of them the oracle links {sum(1 for x in missed if x in oracle):,})")
    for name, pairs in sorted(classes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {name:24s} {len(pairs):6,}  oracle links {sum(1 for x in pairs if x in oracle):,}")
    print("  tags most over-represented among missed pairs (pairs carrying it, lift):")
    for t, n, lift in [x for x in tag_lift(missed) if x[1] >= 20][:14]:
        print(f"    {t:20s} {n:6,}  x{lift:.1f}")
    size = df.groupby("cluster")["record_id"].transform("size").to_numpy()
    clusters = df.groupby("cluster").groups
    undated = df["stated_birth"].eq("").to_numpy()
    chained = sum(1 for i, j in wrong if size[i] > 2 and any(undated[k] for k in clusters[df.at[i, "cluster"]]))
    print(f"\nwrongly linked pairs: {len(wrong):,}  (in clusters of 3+ records that hold an undated record, "
          f"so possibly joined through it: {chained:,})")
    for name, pairs in sorted(wclasses.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {name:40s} {len(pairs):6,}")

    def examples(title: str, by_class: dict, share: float, n_classes: int) -> None:
        """A share of the example budget, spread over the largest classes."""
        print(f"\nexamples of {title}")
        top = sorted(by_class.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        per = max(1, round(args.examples * share / max(1, min(len(top), n_classes))))
        for name, pairs in top[:n_classes]:
            print(f"- {name}")
            for i, j in rng.sample(pairs, min(per, len(pairs))):
                print(f"    {_show(df, i)}\n  ~ {_show(df, j)}")

    examples("missed pairs", classes, 0.7, 7)
    examples("wrongly linked pairs", wclasses, 0.3, 3)


if __name__ == "__main__":
    main()

"""How much an exact agreement on the full name is worth, by how common the name is.

Fellegi-Sunter with term frequencies weighs an exact name agreement by m / tf, tf the
share of records that carry the name: the chance that a record of *someone else* has
it. Counted over all records, tf includes the person's own other records. For a
common name that hardly matters; for a rare one it is most of the count: a name
that two records carry, both of one person, gets tf = 2 / N, as if a second person
of that name were as likely as not. On the independent yardstick (200,000 records)
pairs of a name carried by exactly two records were one person 94 % of the time,
and the model said 34 %.

So the worth of a name is read from the data, by how many records carry it:
**a source lists a person once**. Among pairs of records with the same name, pairs
from two different persons fall in the same source about as often as two random
records do (the sum of the squared source shares, q0), pairs of one person almost
never (q1, from the few persons a list names twice). The share of same-source pairs
among the same-name pairs of names carried by c records, f(c), therefore gives the
share of them that are one person: s(c) = (q0 - f) / (q0 - q1). On that benchmark the
estimate was 0.88 / 0.94 / 0.88 / 0.65 / 0.33 / 0.14 / 0.08 for names carried by
2 / 3 / 4 / 5-6 / 7-9 / 10-14 / 15-24 records; the truth 0.94 / 0.90 / 0.82 / 0.61 /
0.31 / 0.16 / 0.08. The term frequency registered for each name is then the one that
makes the name's agreement alone say s(c).

With one source only, or too few same-name pairs to count, the frequencies are the
counts scaled by (1 - the share of matches among all same-name pairs), as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Names are grouped by how many records carry them (lower bounds of the groups).
COUNT_BINS = (2, 3, 4, 5, 7, 10, 15, 25, 50, 100, 200, 500, 1000, 2000, 5000)
#: A group with fewer same-name pairs than this is pooled with the next one.
MIN_PAIRS = 200
#: s(c) is kept within these bounds: neither proof nor veto.
S_BOUNDS = (0.001, 0.98)


def match_share_by_count(names: pd.Series, sources: pd.Series, same_name_matches: float) -> dict[int, float] | None:
    """Share of same-name pairs that are one person, by the lower bound of each count group
    (see the module docstring); None when the sources cannot tell it."""
    df = pd.DataFrame({"name": names.to_numpy(), "source": sources.to_numpy()}).dropna()
    if df["source"].nunique() < 2 or not 0 < same_name_matches < 1:
        return None
    counts = df.groupby("name").size()
    df["c"] = df["name"].map(counts)
    df = df[df["c"] >= 2]
    if df.empty:
        return None
    per_source = df.groupby(["name", "source"]).size()
    shared = (per_source * (per_source - 1) // 2).groupby(level=0).sum()
    c = counts[counts >= 2]
    names_t = pd.DataFrame({"c": c, "pairs": c * (c - 1) // 2, "same_source": shared.reindex(c.index).fillna(0)})
    edges = np.asarray(COUNT_BINS)
    names_t["bin"] = edges[np.searchsorted(edges, names_t["c"].to_numpy(), side="right") - 1]
    df["bin"] = edges[np.searchsorted(edges, df["c"].to_numpy(), side="right") - 1]
    shares = df["source"].value_counts(normalize=True)
    q0_all = float((shares ** 2).sum())
    total_pairs = float(names_t["pairs"].sum())
    f_all = float(names_t["same_source"].sum()) / total_pairs
    # One person in one source twice: what is left of the same-source pairs once the
    # different persons' share is taken out.
    q1 = min(max((f_all - (1 - same_name_matches) * q0_all) / same_name_matches, 0.0), q0_all / 2)
    if q0_all - q1 < 0.05 or total_pairs < MIN_PAIRS:
        return None
    groups: list[list] = []  # [lower bound, pairs, same-source pairs, records per source]
    by_bin = names_t.groupby("bin")[["pairs", "same_source"]].sum()
    src_by_bin = df.groupby(["bin", "source"]).size()
    for b, row in by_bin.iterrows():
        src = src_by_bin.loc[b]
        if groups and groups[-1][1] < MIN_PAIRS:
            g = groups[-1]
            g[1] += row["pairs"]
            g[2] += row["same_source"]
            g[3] = g[3].add(src, fill_value=0)
        else:
            groups.append([int(b), float(row["pairs"]), float(row["same_source"]), src.astype(float)])
    if len(groups) > 1 and groups[-1][1] < MIN_PAIRS:  # the last one pools backwards
        last = groups.pop()
        groups[-1][1] += last[1]
        groups[-1][2] += last[2]
        groups[-1][3] = groups[-1][3].add(last[3], fill_value=0)
    est = []
    for _, pairs, same, src in groups:
        p = src / src.sum()
        q0 = float((p ** 2).sum())
        s = (q0 - same / pairs) / (q0 - q1) if q0 > q1 else same_name_matches
        est.append([min(max(s, S_BOUNDS[0]), S_BOUNDS[1]), pairs])
    # A more common name is never likelier one person: pool neighbours that say otherwise.
    blocks: list[list[float]] = []  # [weighted share, pairs, number of groups]
    for s, w in est:
        blocks.append([s, w, 1])
        while len(blocks) > 1 and blocks[-1][0] > blocks[-2][0]:
            s2, w2, n2 = blocks.pop()
            s1, w1, n1 = blocks.pop()
            blocks.append([(s1 * w1 + s2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out: dict[int, float] = {}
    i = 0
    for s, _, n in blocks:
        for _ in range(int(n)):
            out[groups[i][0]] = s
            i += 1
    return out


def name_frequencies(names: pd.Series, sources: pd.Series, same_name_matches: float,
                     prior: float, m_exact: float) -> tuple[pd.DataFrame, dict[int, float] | None]:
    """The term-frequency table for ``name_concat`` (columns name_concat, tf_name_concat),
    and the match shares by count it was made from (None: the scaled counts were used)."""
    counts = names.dropna().value_counts()
    tf = counts / counts.sum() * (1 - same_name_matches)
    shares = match_share_by_count(names, sources, same_name_matches) if 0 < prior < 1 and m_exact > 0 else None
    if shares:
        edges = np.asarray(sorted(shares))
        c = counts.to_numpy()
        many = c >= 2
        s = np.array([shares[int(b)] for b in edges])[np.searchsorted(edges, c[many], side="right") - 1]
        # prior odds x m / tf = s / (1 - s): the name alone says s.
        tf_values = tf.to_numpy().copy()
        tf_values[many] = prior / (1 - prior) * m_exact * (1 - s) / s
        tf = pd.Series(tf_values, index=counts.index)
    return pd.DataFrame({"name_concat": counts.index.astype(str), "tf_name_concat": tf.to_numpy()}), shares

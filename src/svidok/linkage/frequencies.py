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

``match_share_by_count`` also takes a ``finer`` key, to count only the pairs of a
coarse key (given name and the family name's sound key) whose exact names differ.
Tried on the level "given exact, family sounds alike" (2026-12): such pairs of a key
two records carry were one person 21 % of the time, about what the level's fixed
weight says, and F1 did not move, so that level keeps its fixed weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Names are grouped by how many records carry them (lower bounds of the groups).
COUNT_BINS = (2, 3, 4, 5, 7, 10, 15, 25, 50, 100, 200, 500, 1000, 2000, 5000)
#: A group with fewer same-name pairs than this is pooled with the next one.
MIN_PAIRS = 200
#: Below this share the same-source estimate of a group is too faint to trust on its own
#: (see ``_tail_by_namesakes``).
TAIL_SHARE = 0.15
#: s(c) is kept within these bounds: neither proof nor veto.
S_BOUNDS = (0.001, 0.98)


def same_source_when_one_person(
    names: pd.Series, sources: pd.Series, same_name_matches: float, dates: pd.Series | None = None
) -> float | None:
    """q1: the chance that two records of one person come from one source; None when the
    sources cannot tell persons apart.

    With ``dates`` (full birth dates), read from the pairs with the same name and the same
    full date, which are nearly all one person. Otherwise, or when there are too few of
    those, from all same-name pairs and the share of them that are one person
    (``same_name_matches``, from expectation maximisation). That second way is fragile
    when few same-name pairs match (0.13 on 1,000,000 records): an error in the share
    is divided by it. On 200,000 yardstick records the first way gave 0.028, the second
    0.023, the truth 0.023."""
    df = pd.DataFrame({"name": names.to_numpy(), "source": sources.to_numpy()}).dropna()
    if dates is not None and df["source"].nunique() >= 2:
        _, pairs_d, same_d = _pair_counts(names + "|" + dates, sources)
        shares_all = df["source"].value_counts(normalize=True)
        q0 = float((shares_all**2).sum())
        if float(pairs_d.sum()) >= MIN_PAIRS:
            q1 = min(float(same_d.sum()) / float(pairs_d.sum()), q0 / 2)
            return q1 if q0 - q1 >= 0.05 else None
    if df["source"].nunique() < 2 or not 0 < same_name_matches < 1:
        return None
    c = df.groupby("name").size()
    per_source = df.groupby(["name", "source"]).size()
    pairs = float((c * (c - 1) // 2).sum())
    if pairs < MIN_PAIRS:
        return None
    f_all = float((per_source * (per_source - 1) // 2).sum()) / pairs
    shares = df.loc[df["name"].map(c) >= 2, "source"].value_counts(normalize=True)
    q0_all = float((shares**2).sum())
    q1 = min(max((f_all - (1 - same_name_matches) * q0_all) / same_name_matches, 0.0), q0_all / 2)
    return q1 if q0_all - q1 >= 0.05 else None


def _pair_counts(keys: pd.Series, sources: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per key: records, pairs, and pairs from one source."""
    df = pd.DataFrame({"key": keys.to_numpy(), "source": sources.to_numpy()}).dropna()
    c = df.groupby("key").size()
    per_source = df.groupby(["key", "source"]).size()
    same = (per_source * (per_source - 1) // 2).groupby(level=0).sum().reindex(c.index).fillna(0)
    return c, c * (c - 1) // 2, same


def match_share_by_count(keys: pd.Series, sources: pd.Series, q1: float, finer: pd.Series | None = None) -> dict[int, float] | None:
    """Share of pairs with the same key that are one person, by the lower bound of each
    group of how many records carry the key (see the module docstring). With ``finer``
    (a key that splits each of these, such as the exact name inside a name that sounds
    alike), pairs that also agree on ``finer`` are left out: only the others are counted."""
    df = pd.DataFrame(
        {"key": keys.to_numpy(), "source": sources.to_numpy(), "finer": (finer if finer is not None else keys).to_numpy()}
    ).dropna()
    counts, pairs, same = _pair_counts(df["key"], df["source"])
    if finer is not None:
        sub = df["key"] + "\x00" + df["finer"]
        _, sub_pairs, sub_same = _pair_counts(sub, df["source"])
        parent = pd.Series(sub_pairs.index.str.split("\x00").str[0], index=sub_pairs.index)
        pairs = pairs - sub_pairs.groupby(parent.to_numpy()).sum().reindex(pairs.index).fillna(0)
        same = same - sub_same.groupby(parent.to_numpy()).sum().reindex(same.index).fillna(0)
    edges = np.asarray(COUNT_BINS)
    keep = (counts >= 2) & (pairs > 0)
    if not keep.any():
        return None
    t = pd.DataFrame(
        {"pairs": pairs[keep], "same": same[keep], "bin": edges[np.searchsorted(edges, counts[keep].to_numpy(), side="right") - 1]}
    )
    if float(t["pairs"].sum()) < MIN_PAIRS:
        return None
    df["bin"] = df["key"].map(pd.Series(t["bin"].to_numpy(), index=t.index))
    src_by_bin = df.dropna(subset=["bin"]).groupby(["bin", "source"]).size()
    groups: list[list] = []  # [lower bound, pairs, same-source pairs, records per source]
    for b, row in t.groupby("bin")[["pairs", "same"]].sum().iterrows():
        src = src_by_bin.loc[b].astype(float)
        if groups and groups[-1][1] < MIN_PAIRS:
            g = groups[-1]
            g[1] += row["pairs"]
            g[2] += row["same"]
            g[3] = g[3].add(src, fill_value=0)
        else:
            groups.append([int(b), float(row["pairs"]), float(row["same"]), src])
    if len(groups) > 1 and groups[-1][1] < MIN_PAIRS:  # the last one pools backwards
        last = groups.pop()
        groups[-1][1] += last[1]
        groups[-1][2] += last[2]
        groups[-1][3] = groups[-1][3].add(last[3], fill_value=0)
    est = []
    for _, n_pairs, n_same, src in groups:
        p = src / src.sum()
        q0 = float((p**2).sum())
        s = (q0 - n_same / n_pairs) / (q0 - q1) if q0 - q1 > 0.01 else S_BOUNDS[0]
        est.append([min(max(s, S_BOUNDS[0]), S_BOUNDS[1]), n_pairs])
    est = _tail_by_namesakes(est, groups)
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


def _tail_by_namesakes(est: list[list[float]], groups: list[list]) -> list[list[float]]:
    """Shares for common names from how many other records a person has, where the
    same-source estimate has too little left to measure.

    For a common name the same-source share f comes close to q0 and s = (q0 - f) / (q0 - q1)
    is a small difference of large numbers: a name whose spelling is likelier in one list
    than in another moves f by more than the difference. On the second yardstick
    (1,000,000 records) it put every name carried by 25 records or more at the lower
    bound, 0.001, where the truth was 0.056 down to 0.009; the name then counted ten to
    fifty times too little beside an agreeing birth year. Namesakes are other persons,
    so a name carried by c records holds about c x K / 2 pairs of one person, K the
    number of other records a record's person has: s = K x records / (2 x pairs). K is
    read from the groups whose estimate is still clear (names carried by 4 records or
    more, s at least ``TAIL_SHARE``); beyond them a group takes the larger of the two.
    On that yardstick K came to about 2 and gave 0.11 / 0.058 / 0.028 / 0.015 for names
    carried by 15 / 25 / 50 / 100 records; the truth was 0.11 / 0.056 / 0.028 / 0.014."""
    clear = [i for i, ((s, _), g) in enumerate(zip(est, groups)) if g[0] >= 4 and s >= TAIL_SHARE]
    if not clear:
        return est
    # K of each clear group (s x 2 x pairs / records), weighed by its pairs of one person.
    fit = [(est[i][0] * 2 * groups[i][1] / float(groups[i][3].sum()), est[i][0] * groups[i][1]) for i in clear]
    k = sum(a * w for a, w in fit) / sum(w for _, w in fit)
    for i in range(clear[-1] + 1, len(est)):
        law = k * float(groups[i][3].sum()) / (2 * groups[i][1])
        est[i][0] = min(max(est[i][0], law), S_BOUNDS[1])
    return est


def frequency_table(
    column: str, keys: pd.Series, shares: dict[int, float] | None, prior: float, m_level: float, scale: float = 1.0
) -> pd.DataFrame:
    """Term frequencies for ``column`` (columns ``column``, ``tf_<column>``): where
    ``shares`` has a value for a key's count, the frequency that makes an agreement on
    the key alone say that share (prior odds x m / tf = s / (1 - s)); otherwise the
    share of records carrying the key, times ``scale``."""
    counts = keys.dropna().value_counts()
    tf = (counts / counts.sum() * scale).to_numpy(dtype=float, copy=True)
    if shares and 0 < prior < 1 and m_level > 0:
        c = counts.to_numpy()
        many = c >= 2
        s = _share_at(shares, c[many])
        tf[many] = prior / (1 - prior) * m_level * (1 - s) / s
    return pd.DataFrame({column: counts.index.astype(str), f"tf_{column}": tf})


def other_person_frequencies(column: str, keys: pd.Series, sources: pd.Series, q1: float) -> pd.DataFrame | None:
    """Term frequencies for a part of the name (``column``) that count only the records
    of *other* persons: for a key carried by c records, (c - 1) x (1 - s(c)) / N, s(c)
    the share of same-key pairs that are one person (``match_share_by_count``).

    Splink's own frequency of a key is c / N, the person's own records included: a
    family name that only one person's two records carry then reads as commoner than
    the average name, and a typo in the given name beside it counted against the pair.
    None when no key is carried by two records or more."""
    shares = match_share_by_count(keys, sources, q1)
    counts = keys.dropna().value_counts()
    if not shares or counts.empty:
        return None
    c = counts.to_numpy(dtype=float)
    s = np.ones_like(c)
    many = c >= 2
    s[many] = _share_at(shares, c[many])
    other = np.maximum((c - 1) * (1 - s), 0.5)  # a key one record carries: half a record
    return pd.DataFrame({column: counts.index.astype(str), f"tf_{column}": other / len(keys.dropna())})


def _share_at(shares: dict[int, float], counts: np.ndarray) -> np.ndarray:
    """The share of ``shares`` (keyed by the lower bound of each count group) for each count."""
    edges = np.asarray(sorted(shares))
    return np.array([shares[int(b)] for b in edges])[np.searchsorted(edges, counts, side="right") - 1]


#: A given name's own places weigh as much as this many names of it spread like all
#: names (``place_frequencies``): a given name that few records carry keeps the
#: place's overall share.
PLACE_PRIOR_NAMES = 50


def place_frequencies(given: pd.Series, place: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Term frequencies of a place among the persons of one given name, keyed
    ``given|place`` (``given_place_key``): (n(g, p) - 1 + a x P(p)) / (n(g) - 1 + a), n
    counting the distinct full names of given name g (at place p), less the pair's own,
    P(p) the place's share of all distinct name-place pairs, a = ``PLACE_PRIOR_NAMES``.

    Name and place are not independent: most persons called Ескендер live in a few
    Crimean towns, so two records of the name in Бахчисарай agree far less by
    chance than the town's share of all records says. Distinct names, not records,
    are counted, and one of them left out, so that a person's own records do not make
    the place look common for their given name (on FEBRL3, where names and suburbs are
    drawn apart, counting the person's name in cost recall 0.9820 -> 0.9795; left out,
    0.9807). A record without a given name gets the place's share."""
    df = pd.DataFrame({"g": given.to_numpy(), "p": place.to_numpy(), "n": names.to_numpy()})
    df = df.dropna(subset=["p", "n"]).drop_duplicates(["n", "p"])
    if df.empty:
        return pd.DataFrame({"given_place": pd.Series(dtype=str), "tf_given_place": pd.Series(dtype=float)})
    share = df["p"].value_counts(normalize=True)
    named = df.dropna(subset=["g"])
    per_given = named.groupby("g").size()
    pairs = named.groupby(["g", "p"]).size().reset_index(name="k")
    # Leave one name out: the pair's own person is not another person of the town.
    tf = (((pairs["k"] - 1) + PLACE_PRIOR_NAMES * pairs["p"].map(share))
          / ((pairs["g"].map(per_given) - 1) + PLACE_PRIOR_NAMES))
    out = pd.DataFrame({"given_place": given_place_key(pairs["g"], pairs["p"]), "tf_given_place": tf.to_numpy()})
    alone = pd.DataFrame({"given_place": given_place_key(pd.Series([None] * len(share), dtype=object),
                                                         pd.Series(share.index)),
                          "tf_given_place": share.to_numpy()})
    return pd.concat([out, alone], ignore_index=True)


def given_place_key(given: pd.Series, place: pd.Series) -> pd.Series:
    """``given|place`` (``|place`` without a given name); None without a place."""
    g = given.reset_index(drop=True).fillna("").astype(str)
    p = place.reset_index(drop=True)
    return (g + "|" + p.astype(str)).where(p.notna().to_numpy(), None).set_axis(given.index)

"""Speed of name keys: svidok.domain.names.search_keys on synthetic full names.

    uv run python bench/linkage_names.py

Prints microseconds per token the first time a token is seen (uncached) and on
repeat (cached), and per full name for search_keys, split_full_name and name_forms.
"""

from __future__ import annotations

import os
import random
import time

from faker.providers.person.uk_UA import Provider as P

from svidok.domain import names


def per_call(fn, items) -> float:
    t0 = time.perf_counter()
    for x in items:
        fn(x)
    return (time.perf_counter() - t0) / len(items) * 1e6


def main() -> None:
    rng = random.Random(3)
    full = [f"{rng.choice(P.last_names)} {rng.choice(P.first_names_male)} {rng.choice(P.middle_names_male)}"
            for _ in range(100_000)]
    tokens = sorted({t for n in full for t in n.split()})
    names.name_key("warm up the tables")
    print(f"cores: {os.cpu_count()}; {len(full):,} names, {len(tokens):,} distinct tokens")
    print(f"name_key, first sight of a token: {per_call(names.name_key, tokens):8.2f} µs")
    print(f"name_key, cached token:           {per_call(names.name_key, tokens * 10):8.2f} µs")
    print(f"search_keys, three-word name:     {per_call(names.search_keys, full):8.2f} µs")
    print(f"split_full_name:                  {per_call(names.split_full_name, full):8.2f} µs")
    print(f"name_forms (first 2,000 names):   {per_call(names.name_forms, full[:2000]):8.2f} µs")


if __name__ == "__main__":
    main()

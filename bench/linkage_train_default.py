"""Train the default linkage model that Svidok ships for small record sets.

    uv run python bench/linkage_train_default.py

Below ``LinkageConfig.min_records_to_train`` usable records there are too few pairs
to estimate the model from the data, so ``link_records`` uses this one. It is
trained, like any run, without labels, here on synthetic records from
bench/linkage_data.py, and written to src/svidok/linkage/default_model.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_data import generate

from svidok.linkage import LinkageConfig, link_records
from svidok.linkage.evaluate import score_clusters
from svidok.linkage.link import DEFAULT_MODEL

RECORDS = 30_000

data = generate(RECORDS, seed=2024)
truth = data.pop("person_id")
result = link_records(data, config=LinkageConfig(seed=2024))
model = result.model
model["svidok_trained_on_records"] = len(data)
DEFAULT_MODEL.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
scores = score_clusters(result.clusters["cluster_id"], truth.set_axis(result.clusters.index))
print(f"default model written to {DEFAULT_MODEL}; on its own training data pair F1 = {scores.pair_f1}")

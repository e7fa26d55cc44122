"""Bulk batches for tests of the bulk path (services.bulk, services.bulk_spill)."""

from datetime import datetime


def dangling_batch(person_id: int):
    """A demo-shaped batch: one person with a search key, and a key of a person that does not exist."""
    from svidok.services.demo_data import Batch
    from svidok.services.rowsets import Rows

    batch = Batch()
    now = datetime(2026, 11, 1, 12, 0)
    persons = Rows(("id", "full_name", "sex", "status", "life_status", "characteristics", "confidentiality"),
                   {"version": 1, "created_at": now, "updated_at": now, "created_by": "test", "synthetic": True})
    persons.append((person_id, "Ткач Олена", "female", "civilian", "unknown", "|", "restricted"))
    keys = Rows(("id", "person_id", "key"))
    keys.append((person_id, person_id, "tkach"))
    keys.append((person_id + 1, person_id + 999, "olena"))  # no such person
    batch.rows["persons"], batch.rows["person_name_keys"] = persons, keys
    return batch

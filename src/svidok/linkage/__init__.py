"""Record linkage: find the records of one person within and across sources (Splink)."""

from svidok.linkage.link import LabelledPair, LinkageConfig, LinkageResult, link_records
from svidok.linkage.records import CsvError, RowIssue, read_person_csv

__all__ = [
    "CsvError",
    "LabelledPair",
    "LinkageConfig",
    "LinkageResult",
    "RowIssue",
    "link_records",
    "read_person_csv",
]

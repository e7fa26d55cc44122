"""SQLAlchemy models of the data model in docs/data-model.md (one module per area)."""

from .accounts import ApiToken, CaseGrant, User
from .advocacy import Intervention, InterventionStatus, Recommendation
from .audit import ImportRun, LedgerEntry, RecordVersion, RowCommitment, TreeHead
from .base import Base, partial_indexes, utcnow
from .cache import FigureCache
from .captures import Capture, CaptureBatch, Timestamp
from .claims import ClaimRelative
from .custody import CustodyEpisode, Displacement, HazardArea, HazardCasualty, ProofOfLife
from .evidence import CustodyEvent, EvidenceItem, VerificationAssessment
from .incident_duplicates import IncidentDuplicatePair, IncidentMerge
from .incidents import Act, Incident, IncidentSource, Perpetrator, Qualification, Victim
from .jobs import Job, JobWorker
from .linkage import LinkagePair, LinkageRun, PersonMerge  # noqa: F401  - person linkage, reversible merges
from .organisations import Case, Organisation
from .persons import Person, PersonName, PersonNameKey
from .places import Place, PlaceOccupation
from .sharing import (
    ShareIdentity,
    ShareLink,
    SharePackage,
    SharePartner,
    ShareRecord,
    ShareRetiredKey,
    ShareRule,
)
from .sign_in import RecoveryCode, RolePolicy, SignInAddress, SignInThrottle, WebSession
from .sources import Source

partial_indexes(Base.metadata)

__all__ = [
    "Act", "ApiToken", "Base", "Capture", "CaptureBatch", "Case", "CaseGrant", "ClaimRelative", "CustodyEpisode", "CustodyEvent", "Displacement",
    "EvidenceItem", "FigureCache", "HazardArea", "HazardCasualty", "ImportRun", "Incident", "IncidentDuplicatePair", "IncidentMerge", "IncidentSource",
    "Intervention", "InterventionStatus", "Job", "JobWorker", "LedgerEntry", "Organisation", "Perpetrator", "Person",
    "PersonName", "PersonNameKey", "Place", "PlaceOccupation", "ProofOfLife", "Qualification",
    "Recommendation", "RecordVersion", "RecoveryCode", "RolePolicy", "RowCommitment", "SignInAddress", "ShareIdentity", "ShareLink", "SharePackage", "SharePartner", "ShareRecord", "ShareRetiredKey", "ShareRule", "SignInThrottle", "Source", "Timestamp", "TreeHead", "User", "VerificationAssessment", "Victim", "WebSession", "utcnow",
]

from storage.models.audit import AuditLog
from storage.models.base import Base, utcnow
from storage.models.community import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    StaffAccount,
    Unit,
)
from storage.models.knowledge import KnowledgeEntry, LexiconWord
from storage.models.messages import Event, Handover, InboundMessage
from storage.models.outbound import Delivery, GroupChannel, OutboxJob, SandboxRecord

__all__ = [
    "AuditLog",
    "Base",
    "Building",
    "Community",
    "Compound",
    "Delivery",
    "Event",
    "Grid",
    "GroupChannel",
    "Handover",
    "Household",
    "InboundMessage",
    "KnowledgeEntry",
    "LexiconWord",
    "OutboxJob",
    "Resident",
    "SandboxRecord",
    "StaffAccount",
    "Unit",
    "utcnow",
]

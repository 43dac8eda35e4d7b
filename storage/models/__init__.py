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
from storage.models.employment import JobApplication, JobPosting, JobSeeker
from storage.models.knowledge import KnowledgeEntry, LexiconWord
from storage.models.meetings import CouncilItem, CouncilItemRequest, CouncilMeeting
from storage.models.messages import Event, Handover, InboundMessage
from storage.models.notices import Notice
from storage.models.outbound import Delivery, GroupChannel, OutboxJob, SandboxRecord
from storage.models.requests import (
    RequestPhoto,
    RequestSubscriber,
    ServiceRequest,
    SlaRule,
    TicketCounter,
)
from storage.models.volunteering import (
    Canteen,
    HoursEntry,
    MealOrder,
    TaskOffer,
    VolunteerPolicy,
    VolunteerProfile,
    VolunteerTask,
)

__all__ = [
    "AuditLog",
    "Base",
    "Building",
    "Canteen",
    "Community",
    "Compound",
    "CouncilItem",
    "CouncilItemRequest",
    "CouncilMeeting",
    "Delivery",
    "Event",
    "Grid",
    "GroupChannel",
    "Handover",
    "Household",
    "HoursEntry",
    "InboundMessage",
    "JobApplication",
    "JobPosting",
    "JobSeeker",
    "KnowledgeEntry",
    "LexiconWord",
    "MealOrder",
    "Notice",
    "OutboxJob",
    "RequestPhoto",
    "RequestSubscriber",
    "Resident",
    "SandboxRecord",
    "ServiceRequest",
    "SlaRule",
    "StaffAccount",
    "TaskOffer",
    "TicketCounter",
    "Unit",
    "VolunteerPolicy",
    "VolunteerProfile",
    "VolunteerTask",
    "utcnow",
]

"""Every table of the service, for Alembic and for code that wants them all; each feature's
models live in its own package (storage/<feature>/models.py)."""

from storage.employment.models import JobApplication, JobPosting, JobSeeker
from storage.events import Event
from storage.handovers.models import Handover
from storage.inbound.models import InboundMessage
from storage.knowledge.models import KnowledgeEntry, LexiconWord
from storage.meetings.models import CouncilItem, CouncilItemRequest, CouncilMeeting
from storage.notices.models import Notice
from storage.orm import Base, utcnow
from storage.outbound.models import Delivery, GroupChannel, OutboxJob, SandboxRecord
from storage.pairs.models import FamilyLink, Newcomer, Pair, PairMember, Visit
from storage.polls.models import Poll, PollAnswer, PollOptOut, PollRound, PollTarget
from storage.projects.models import (
    Milestone,
    Need,
    NeedRequest,
    Project,
    ProjectBuilding,
    ProjectRequest,
    ProjectResident,
    ProjectResource,
    Resource,
)
from storage.requests.models import (
    RequestPhoto,
    RequestSubscriber,
    ServiceRequest,
    SlaRule,
    TicketCounter,
)
from storage.residents.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Unit,
)
from storage.staff.models import AuditLog, StaffAccount
from storage.volunteers.models import (
    Canteen,
    HoursEntry,
    MealOrder,
    TaskOffer,
    VolunteerPolicy,
    VolunteerProfile,
    VolunteerTask,
)

__all__ = [
    "Resource",
    "ProjectResource",
    "ProjectResident",
    "ProjectRequest",
    "ProjectBuilding",
    "Project",
    "NeedRequest",
    "Need",
    "Milestone",
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
    "FamilyLink",
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
    "Newcomer",
    "Notice",
    "OutboxJob",
    "Poll",
    "PollAnswer",
    "PollOptOut",
    "PollRound",
    "PollTarget",
    "Pair",
    "PairMember",
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
    "Visit",
    "VolunteerTask",
    "utcnow",
]

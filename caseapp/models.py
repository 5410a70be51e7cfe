"""Imports every domain's models so the metadata (and Alembic) sees all tables."""
from caseapp.auth.models import AccessRequest, AuthSession, LoginThrottle, User, user_structures  # noqa: F401
from caseapp.casefiles.models import CaseFile, CaseFilePeriod, CaseNote, TimelineEvent  # noqa: F401
from caseapp.beneficiaries.models import (  # noqa: F401
    Beneficiary, ConsentRecord, ErasedMonthlyCount, ErasureRequest, FormerReference,
)
from caseapp.security.audit import AuditEvent  # noqa: F401
from caseapp.security.key_models import DataKey, RootKeyRecord  # noqa: F401
from caseapp.security.audit_subjects import AuditEventSubject  # noqa: F401
from caseapp.structures.models import PartnerLanguage, PartnerProfile, Service, Structure  # noqa: F401
from caseapp.inquiries.models import Inquiry, InquiryTarget  # noqa: F401
from caseapp.interpretation.models import InterpretationRequest, Interpreter, InterpreterLanguage, RequestEvent  # noqa: F401
from caseapp.referrals.models import Referral, ReferralEvent, WorkingDayOverride  # noqa: F401
from caseapp.stays.models import Stay, WaitingEntry  # noqa: F401
from caseapp.households.models import HouseholdLink  # noqa: F401
from caseapp.plans.models import Plan, PlanAction, PlanEvent, PlanGoal, PlanRevision, PlanRevisionEditor  # noqa: F401
from caseapp.deliveries.models import GroupSession, ReferenceChange, ServiceDelivery  # noqa: F401
from caseapp.submissions import FormSubmission  # noqa: F401

"""Intake and output shapes. Identity fields are masked unless the viewer may see them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator

from marketreg.domains.complaints.enums import (
    KIND_LABELS,
    OUTCOME_LABELS,
    PLATFORM_ROLE_LABELS,
    STATUS_LABELS,
    Channel,
    Kind,
    PlatformRole,
    Status,
)
from marketreg.domains.complaints.models import Item
from marketreg.kernel import clock
from marketreg.kernel.masking import mask_id_number, mask_name, mask_phone, scrub
from marketreg.kernel.text import plain_text

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


FIELD_LABELS = {
    "complainant_name": "姓名", "complainant_phone": "联系电话", "complainant_address": "通讯地址",
    "complainant_id_number": "身份证号码", "complainant_email": "电子邮箱", "respondent_name": "被投诉（举报）对象名称",
    "respondent_uscc": "统一社会信用代码", "respondent_address": "被投诉（举报）对象地址", "platform_name": "平台名称",
    "platform_uscc": "平台统一社会信用代码", "seller_published_address": "商家在平台公示的地址", "title": "标题",
    "facts": "事实经过", "report_facts": "举报内容", "request": "投诉请求", "category_code": "商品服务类别",
    "problem_code": "问题类别",
}


def clean_text(value: str | None, field: str) -> str | None:
    """Refuse markup and control characters in free text (stored text is shown to staff)."""
    return plain_text(value, field=field, domain="complaints")


class IntakeIn(BaseModel):
    """A filing as the public portal, the hotline desk or another system sends it."""

    kind: Kind
    also_report: bool = False  # a complaint that also reports a violation (RULES 1.11: split)
    channel: Channel = Channel.web
    anonymous: bool = False
    share_contact: bool = False  # separate consent to give the respondent phone and family name (PIPL Art. 23)
    complainant_name: str | None = Field(None, max_length=60)
    complainant_phone: str | None = Field(None, max_length=20)
    complainant_address: str | None = Field(None, max_length=300)
    complainant_id_number: str | None = Field(None, max_length=18)
    complainant_email: str | None = Field(None, max_length=120)
    respondent_name: str = Field(min_length=2, max_length=200)
    respondent_uscc: str | None = Field(None, max_length=24)
    respondent_address: str | None = Field(None, max_length=300)
    platform_role: PlatformRole = PlatformRole.none
    platform_name: str | None = Field(None, max_length=200)
    platform_uscc: str | None = Field(None, max_length=24)
    seller_published_address: str | None = Field(None, max_length=300)
    title: str = Field(min_length=2, max_length=200)
    facts: str = Field(min_length=5, max_length=5000)
    report_facts: str | None = Field(None, max_length=5000)  # the report part of a combined filing
    request: str | None = Field(None, max_length=2000)
    category_code: str | None = Field(None, max_length=12)
    problem_code: str | None = Field(None, max_length=12)
    amount: Decimal | None = Field(None, ge=0, le=Decimal("100000000"))
    purchased_on: dt.date | None = None
    harm_known_on: dt.date | None = None

    # Every text field, codes and contact details included: none may carry markup (it would be
    # stored and shown to staff, exported, and sent on to other systems).
    @field_validator("complainant_name", "complainant_phone", "complainant_address", "complainant_id_number",
                     "complainant_email", "respondent_name", "respondent_uscc", "respondent_address",
                     "platform_name", "platform_uscc", "seller_published_address", "title", "facts", "report_facts",
                     "request", "category_code", "problem_code")
    @classmethod
    def _no_markup(cls, value: str | None, info) -> str | None:
        return clean_text(value, FIELD_LABELS.get(info.field_name, info.field_name))

    @field_validator("complainant_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not _PHONE.match(value.strip()):
            raise ValueError("电话号码格式不正确")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _dates(self) -> IntakeIn:
        for name, label in (("purchased_on", "消费日期"), ("harm_known_on", "知道权益受损的日期")):
            if (value := getattr(self, name)) and value > clock.today() + dt.timedelta(days=1):
                raise ValueError(f"{label}不能晚于今天")
        return self


class StepOut(BaseModel):
    at: dt.datetime
    label: str
    org_name: str
    note: str
    basis: str
    due_on: dt.date | None


def personal_values(item: Item) -> tuple[str | None, ...]:
    """What the filer gave about themselves: scrubbed from any text shown outside the bureau."""
    return (item.complainant_name, item.complainant_phone, item.complainant_address, item.complainant_id_number,
            item.complainant_email)


class TrackingOut(BaseModel):
    """What the public tracking page and API show for a query code: anyone holding the code may
    read it, so every text passes the public-text scrubber."""

    query_code: str
    kind_label: str
    title: str
    respondent_name: str
    status: str
    status_label: str
    outcome_label: str | None
    outcome_note: str | None
    received_on: dt.date
    next_due_on: dt.date | None
    rule_version: str
    steps: list[StepOut]
    can_rate: bool

    @classmethod
    def of(cls, item: Item, *, can_rate: bool) -> TrackingOut:
        known = personal_values(item)

        def public(text: str) -> str:
            return scrub(text, known=known) or ""

        return cls(
            query_code=item.query_code, kind_label=KIND_LABELS[item.kind], title=public(item.title),
            respondent_name=public(item.respondent_name), status=item.status,
            status_label=STATUS_LABELS[item.status], outcome_label=OUTCOME_LABELS.get(item.outcome or ""),
            outcome_note=scrub(item.outcome_note, known=known), received_on=item.received_on,
            next_due_on=item.next_due_on, rule_version=item.rule_version,
            steps=[StepOut(at=s.at, label=s.label, org_name=s.org_name, note=public(s.note), basis=s.basis,
                           due_on=s.due_on)
                   for s in item.steps if s.public],
            can_rate=can_rate,
        )


class OdrComplaintOut(BaseModel):
    """A complaint as the reported enterprise sees it in ODR (RULES 1.15 / 1.35, PIPL Arts. 6, 23).

    The complaint only: never a report, never the report part of a combined filing, nothing that
    tells a report exists. Its texts are scrubbed of the consumer's personal data. Contact is what
    settling needs and no more — the family name and the phone, only while the enterprise is asked
    to settle (``odr_pending``) and only with the consumer's separate consent (``share_contact``);
    never the address, ID number or e-mail. Showing the contact is an audited read.
    """

    id: int
    query_code: str
    title: str
    facts: str
    request: str | None
    amount: Decimal | None
    received_on: dt.date
    status: str
    outcome: str | None
    odr_due_on: dt.date | None
    consumer_name: str | None
    consumer_phone: str | None
    enterprise_reply: str | None
    enterprise_replied_at: dt.datetime | None

    @staticmethod
    def shows_contact(item: Item) -> bool:
        return item.status == Status.odr_pending and item.share_contact and not item.anonymous

    @classmethod
    def of(cls, item: Item) -> OdrComplaintOut:
        known = personal_values(item)
        contact = cls.shows_contact(item)
        return cls(
            id=item.id, query_code=item.query_code, title=scrub(item.title, known=known) or "",
            facts=scrub(item.facts, known=known) or "", request=scrub(item.request, known=known),
            amount=item.amount, received_on=item.received_on, status=item.status, outcome=item.outcome,
            odr_due_on=item.odr_due_on, consumer_name=mask_name(item.complainant_name) if contact else None,
            consumer_phone=item.complainant_phone if contact else None, enterprise_reply=item.enterprise_reply,
            enterprise_replied_at=item.enterprise_replied_at,
        )


class ItemOut(BaseModel):
    id: int
    query_code: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    outcome: str | None
    outcome_label: str | None
    received_on: dt.date
    next_due_on: dt.date | None
    provisional: bool
    overdue: bool
    title: str
    facts: str
    request: str | None
    respondent_name: str
    respondent_uscc: str | None
    platform_role_label: str
    region_code: str | None
    routing_rule: str
    routing_basis: str
    rule_version: str
    complainant_name: str | None
    complainant_phone: str | None
    complainant_id_number: str | None
    anonymous: bool
    identity_masked: bool
    category_code: str | None
    rating: int | None

    @classmethod
    def of(cls, item: Item, *, today: dt.date, show_identity: bool) -> ItemOut:
        hide = not show_identity or item.anonymous
        return cls(
            id=item.id, query_code=item.query_code, kind=item.kind, kind_label=KIND_LABELS[item.kind],
            status=item.status, status_label=STATUS_LABELS[item.status], outcome=item.outcome,
            outcome_label=OUTCOME_LABELS.get(item.outcome or ""), received_on=item.received_on,
            next_due_on=item.next_due_on, provisional=item.provisional,
            overdue=bool(item.next_due_on and item.next_due_on < today), title=item.title, facts=item.facts,
            request=item.request, respondent_name=item.respondent_name, respondent_uscc=item.respondent_uscc,
            platform_role_label=PLATFORM_ROLE_LABELS.get(item.platform_role, item.platform_role),
            region_code=item.region_code, routing_rule=item.routing_rule, routing_basis=item.routing_basis,
            rule_version=item.rule_version,
            complainant_name=None if item.anonymous else (mask_name(item.complainant_name) if hide
                                                          else item.complainant_name),
            complainant_phone=None if item.anonymous else (mask_phone(item.complainant_phone) if hide
                                                           else item.complainant_phone),
            complainant_id_number=None if item.anonymous else (mask_id_number(item.complainant_id_number) if hide
                                                               else item.complainant_id_number),
            anonymous=item.anonymous, identity_masked=hide, category_code=item.category_code, rating=item.rating,
        )

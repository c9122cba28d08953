"""Case-file review (案卷评查): sampling closed cases and scoring them."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import service
from marketreg.domains.enforcement.enums import REVIEW_CHECKLIST
from marketreg.domains.enforcement.models import Case, FileReview
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform import audit
from marketreg.platform.authz import Actor


def do_sample_reviews(session: Session, *, actor: Actor, share: float, seed: int | None = None) -> list[FileReview]:
    """Draw a random share of the closed cases in the actor's jurisdiction not yet reviewed."""
    actor.require("enforcement.review")
    if not 0 < share <= 1:
        raise DomainError("enforcement.share_invalid", "抽取比例应在0到1之间")
    pool = service.unreviewed_closed_cases(session, actor=actor)
    if not pool:
        return []
    rng = random.Random(seed)
    picked = rng.sample(pool, max(1, round(len(pool) * share)))
    now = clock.now()
    reviews = [FileReview(case_id=case_id, sampled_at=now) for case_id in sorted(picked)]
    session.add_all(reviews)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.reviews_sampled", subject_type="enforcement_file_review",
                 new={"share": share, "cases": sorted(picked)})
    return reviews


def do_score_review(session: Session, *, actor: Actor, review_id: int, scores: dict[str, int]) -> FileReview:
    """Score one sampled case file against the checklist; the reviewer must not have handled it."""
    actor.require("enforcement.review")
    review = service.get_review(session, actor=actor, review_id=review_id, for_update=True)
    case = session.get(Case, review.case_id)
    if actor.username in case.officers:
        raise DomainError("enforcement.reviewer_is_investigator", "办案人员不得评查本人办理的案卷")
    unknown = set(scores) - set(REVIEW_CHECKLIST)
    missing = set(REVIEW_CHECKLIST) - set(scores)
    if unknown or missing:
        raise DomainError("enforcement.review_items", "请按评查标准逐项打分", missing=sorted(missing))
    for key, value in scores.items():
        if not 0 <= value <= REVIEW_CHECKLIST[key][1]:
            raise DomainError("enforcement.review_score", f"“{REVIEW_CHECKLIST[key][0]}”得分应在0到"
                              f"{REVIEW_CHECKLIST[key][1]}之间", item=key)
    old = review.scores
    review.scores, review.total = dict(scores), sum(scores.values())
    review.reviewer, review.reviewed_on = actor.username, clock.today()
    session.flush()
    audit.record(session, actor=actor, action="enforcement.review_scored", subject_type="enforcement_file_review",
                 subject_id=review.id, old=old, new={"scores": scores, "total": review.total})
    return review

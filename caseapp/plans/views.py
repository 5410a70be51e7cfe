"""Action-plan screens: a revision (goals, actions, history, buttons), editing a draft, the
review, comparison of revisions, the printable summary, the supervisors' review queue.

Thin: parse, call the service or a scoped query, commit or show the error, render. Ids in
URLs are UUIDs; no personal data in URLs, flash messages or audit events. A revision of
another structure answers 404 (audited); an action that exists in this state but is not the
user's to take answers 403 (audited).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseapp.casefiles.lookups import case_file_or_404
from caseapp.dates import local_date, local_today
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.formtools import commit_or_flash, commit_or_show, refused_status, show_error
from caseapp.panels import register_panel
from caseapp.plans import codes, compare as comparing, queries, referral_link, service
from caseapp.plans.forms import (ActionForm, ApproveForm, ButtonForm, CloseForm, GoalForm, ProgressForm,
                                 RequestChangesForm)
from caseapp.plans.models import APPROVED
from caseapp.security.audit_labels import register_action_labels, register_object_labels
from caseapp.security.permissions import permission_required
from caseapp.templating import register_nav
from caseapp.viewtools import audited, not_visible, refuse, user, uuid_arg, version_of

bp = Blueprint("plans", __name__, url_prefix="/plans")

OVERDUE_LIMIT = 50
HOME_LIMIT = 20
STAFF_ACTIONS = ("submit", "revise", "close")
DECISIONS = ("approve", "request_changes")
DONE_MESSAGES = {
    "submit": _l("The plan has been submitted for review."),
    "revise": _l("A new draft revision has been started. The approved plan stays in force until this one is approved."),
    "revise_changes": _l("A new draft revision has been started: make the requested changes, then submit it again."),
    "close": _l("The plan has been closed."),
    "approve": _l("The plan has been approved and is now in force."),
    "request_changes": _l("The plan has been sent back with your comment."),
}


def waiting_since(moment: datetime | None) -> int:
    """Whole days since `moment` (for the queue's waiting time)."""
    if moment is None:
        return 0
    return max(0, (datetime.now(timezone.utc) - moment).days)


PLAN = SimpleNamespace(codes=codes, lifecycle=service.LIFECYCLE, responsible=comparing.responsible_text,
                       waiting_since=waiting_since, local_date=local_date)


@bp.app_context_processor
def helpers():
    """App-wide (the panels render on other domains' pages), under one name of its own."""
    return {"plan_ui": PLAN}


def _waiting_badge(viewer):
    return queries.waiting_count(viewer) or None


register_action_labels({
    "plans.start": _l("Action plan started"),
    "plans.submit": _l("Action plan submitted for review"),
    "plans.approve": _l("Action plan approved"),
    "plans.request_changes": _l("Changes requested to the action plan"),
    "plans.revise": _l("New revision of the action plan started"),
    "plans.close": _l("Action plan closed"),
    "plans.goal_added": _l("Plan goal added"),
    "plans.goal_changed": _l("Plan goal changed"),
    "plans.goal_removed": _l("Plan goal removed"),
    "plans.action_added": _l("Plan action added"),
    "plans.action_changed": _l("Plan action changed"),
    "plans.action_removed": _l("Plan action removed"),
    "plans.action_progress": _l("Action plan: progress recorded"),
    "plans.view": _l("Action plan viewed"),
    "plans.edit_form": _l("Action plan form opened"),
    "plans.compare": _l("Plan revisions compared"),
    "plans.print": _l("Plan summary printed"),
    "plans.queue": _l("Plan review queue viewed"),
})
register_object_labels({
    "plan_revision": _l("Action plan revision"),
    "plan_goal": _l("Plan goal"),
    "plan_action": _l("Plan action"),
    "plan_revision_page": _l("Plan review queue"),
})

register_nav("plans.queue", _l("Plans to review"), permission="plans.review", order=45, badge=_waiting_badge)


def _case_panel(case_file, viewer):
    if not viewer.has_permission("plans.view"):
        return None
    plan = queries.plan_of_case_file(case_file)
    today = local_today()
    in_force = service.in_force(plan) if plan else None
    return {"case_file": case_file, "plan": plan, "in_force": in_force,
            "pending": service.pending_revision(plan) if plan else None,
            "overdue_actions": queries.overdue_actions_count(in_force.id if in_force else None, today),
            "review_overdue": bool(in_force and in_force.review_on and in_force.review_on < today),
            "can_start": plan is None and case_file.is_open and viewer.has_permission("plans.edit")
            and case_file.structure_id in viewer.structure_ids,
            "start_form": ButtonForm(formdata=None), "subjects": [case_file.beneficiary_id]}


def _home_panel(viewer):
    if not viewer.has_permission("plans.view"):
        return None
    today = local_today()
    attention = queries.needing_attention(viewer, today, HOME_LIMIT)
    waiting = queries.waiting_count(viewer) if viewer.has_permission("plans.review") else 0
    if not attention and not waiting:
        return None
    return {"attention": attention, "waiting": waiting, "limit": HOME_LIMIT,
            "subjects": [item.revision.plan.beneficiary_id for item in attention]}


register_panel("case_file", "plans", order=30, template="plans/_case_panel.html", context=_case_panel)
register_panel("home", "plans", order=20, template="plans/_home_panel.html", context=_home_panel)


# --- lookups -----------------------------------------------------------------------------------------


def _revision_or_404(revision_id: uuid.UUID, *, full: bool = True):
    revision = queries.get_visible_revision(user(), revision_id, full=full)
    if revision is None:
        not_visible("plan_revision", revision_id)
    return revision


def _goal_or_404(goal_id: uuid.UUID):
    goal = queries.get_visible_goal(user(), goal_id)
    if goal is None:
        not_visible("plan_goal", goal_id)
    return goal


def _action_or_404(action_id: uuid.UUID):
    action = queries.get_visible_action(user(), action_id)
    if action is None:
        not_visible("plan_action", action_id)
    return action


def _refuse_unless_party(revision, action: str) -> None:
    """403 (audited) when `action` exists in the revision's state but is not the user's to
    take; a state that has moved on is answered by the service's message instead."""
    transition = service.LIFECYCLE.find(revision.status, action)
    if transition is not None and not transition.parties & service.parties(revision, user()):
        refuse("plan_revision", revision.id)


def _show_url(revision, anchor: str | None = None) -> str:
    return url_for(".show", revision_id=revision.id, _anchor=anchor)


# --- starting, showing -----------------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_file_id>/start", methods=["POST"])
@permission_required("plans.edit")
def start(case_file_id: uuid.UUID):
    case_file = case_file_or_404(case_file_id)
    form = ButtonForm()
    back = url_for("cases.show", case_file_id=case_file.id)
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    return commit_or_flash(lambda: service.start_plan(case_file, actor=user()),
                           success=_("The action plan has been started: add its goals and actions."),
                           next_url=_show_url, refused_url=back)


def _render_show(revision, *, approve_form=None, changes_form=None, close_form=None, status=200):
    viewer = user()
    available = service.LIFECYCLE.available(revision, viewer)
    plan = revision.plan
    in_force = service.in_force(plan)
    pending = service.pending_revision(plan)
    today = local_today()
    links = referral_link.links_for(viewer, revision) if revision.status == APPROVED else {}
    html = render_template(
        "plans/show.html", revision=revision, plan=plan, case_file=plan.case_file, beneficiary=plan.beneficiary,
        available=available, in_force=in_force, pending=pending, today=today,
        button_form=ButtonForm(formdata=None, version=revision.version),
        approve_form=approve_form or ApproveForm(formdata=None, version=revision.version,
                                                 review_on=service.default_review_on(today)),
        changes_form=changes_form or RequestChangesForm(formdata=None, version=revision.version),
        close_form=close_form or CloseForm(formdata=None, version=revision.version),
        progress_form=ProgressForm, referral_links=links, referral=referral_link,
        earlier=[r for r in plan.revisions if r.id != revision.id])
    return audited(html, "plans.view", object_type="plan_revision", object_id=revision.id,
                   structure_id=revision.structure_id, subjects=[plan.beneficiary_id]), status


@bp.route("/revisions/<uuid:revision_id>")
@permission_required("plans.view")
def show(revision_id: uuid.UUID):
    return _render_show(_revision_or_404(revision_id))


# --- lifecycle buttons ---------------------------------------------------------------------------------


@bp.route("/revisions/<uuid:revision_id>/<action>", methods=["POST"])
@permission_required("plans.edit")
def act(revision_id: uuid.UUID, action: str):
    if action not in STAFF_ACTIONS:
        abort(404)
    revision = _revision_or_404(revision_id)
    _refuse_unless_party(revision, action)
    form = CloseForm() if action == "close" else ButtonForm()
    if not form.validate_on_submit():
        if action == "close" and form.errors.keys() - {"csrf_token"}:
            db.session.rollback()
            return _render_show(_revision_or_404(revision_id), close_form=form, status=400)
        flash(_("The form expired. Please try again."), "error")
        return redirect(_show_url(revision))
    arguments = {"comment": form.comment.data} if action == "close" else {}
    message = "revise_changes" if action == "revise" and revision.status != APPROVED else action
    back = _show_url(revision)
    apply = lambda: service.apply_action(revision, action, actor=user(),  # noqa: E731
                                         expected_version=version_of(form), **arguments)
    if action != "close":
        return commit_or_flash(apply, success=DONE_MESSAGES[message], next_url=_show_url, refused_url=back)
    done = commit_or_show(form, apply, success=DONE_MESSAGES[message], next_url=_show_url)
    if done is not None:
        return done
    if form.refused.field:  # the comment: on its field, with what was typed
        return _render_show(_revision_or_404(revision_id), close_form=form, status=400)
    flash(str(form.refused.message), "error")
    return redirect(back)


@bp.route("/revisions/<uuid:revision_id>/review/<decision>", methods=["POST"])
@permission_required("plans.review")
def decide(revision_id: uuid.UUID, decision: str):
    if decision not in DECISIONS:
        abort(404)
    revision = _revision_or_404(revision_id)
    _refuse_unless_party(revision, decision)
    form = ApproveForm() if decision == "approve" else RequestChangesForm()
    forms_key = "approve_form" if decision == "approve" else "changes_form"
    if form.validate_on_submit():
        if decision == "approve":
            arguments = {"comment": form.approval_comment.data, "review_on": form.review_on.data}
        else:
            arguments = {"comment": form.comment.data}
        try:
            service.apply_action(revision, decision, actor=user(), expected_version=version_of(form), **arguments)
        except DomainError as error:
            db.session.rollback()
            form.refused = error
            if isinstance(error, service.ConflictError) or not error.field:
                flash(str(error.message), "error")     # the page shows the revision as it is now
            else:
                show_error(form, error)
        else:
            db.session.commit()
            flash(str(DONE_MESSAGES[decision]), "success")
            return redirect(url_for(".queue") if decision == "approve" else _show_url(revision))
    elif form.csrf_token.errors:
        flash(_("The form expired. Please try again."), "error")
        return redirect(_show_url(revision))
    db.session.rollback()
    fresh = _revision_or_404(revision_id)
    if isinstance(getattr(form, "refused", None), service.ConflictError):
        form.version.data = fresh.version    # what they now see is current: a second try is deliberate
    return _render_show(fresh, status=refused_status(form), **{forms_key: form})


# --- editing a draft -----------------------------------------------------------------------------------


def _editable_or_refuse(revision) -> None:
    _refuse_unless_party(revision, "edit")
    if not revision.is_editable:
        flash(_("This revision can no longer be edited: it is “%(state)s”.",
                state=codes.label(codes.REVISION_STATUSES, revision.status)), "error")
        abort(redirect(_show_url(revision)))


def _edit_page(template: str, form, revision, *, title, submit_label, action_url, status=200, **context):
    html = render_template(template, form=form, revision=revision, plan=revision.plan,
                           beneficiary=revision.plan.beneficiary, title=title, submit_label=submit_label,
                           action_url=action_url, **context)
    return audited(html, "plans.edit_form", object_type="plan_revision", object_id=revision.id,
                   structure_id=revision.structure_id, subjects=[revision.plan.beneficiary_id]), status


@bp.route("/revisions/<uuid:revision_id>/goals/new", methods=["GET", "POST"])
@permission_required("plans.edit")
def new_goal(revision_id: uuid.UUID):
    revision = _revision_or_404(revision_id)
    _editable_or_refuse(revision)
    form = GoalForm() if request.method == "POST" else GoalForm(version=revision.version)
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: service.add_goal(revision, form.values(), actor=user(),
                                                             expected_version=version_of(form)),
                              success=_("The goal has been added."),
                              next_url=lambda goal: url_for(".new_action", goal_id=goal.id))
        if done is not None:
            return done
        revision = _revision_or_404(revision_id)
    return _edit_page("plans/goal_form.html", form, revision, title=_("Add a goal"), submit_label=_("Add the goal"),
                      action_url=url_for(".new_goal", revision_id=revision.id),
                      status=refused_status(form) if request.method == "POST" else 200)


@bp.route("/goals/<uuid:goal_id>/edit", methods=["GET", "POST"])
@permission_required("plans.edit")
def edit_goal(goal_id: uuid.UUID):
    goal = _goal_or_404(goal_id)
    revision = goal.revision
    _editable_or_refuse(revision)
    if request.method == "POST":
        form = GoalForm()
    else:
        form = GoalForm(version=revision.version, domain=goal.domain, title=goal.title,
                        description=goal.description)
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: service.update_goal(goal, form.values(), actor=user(),
                                                                expected_version=version_of(form)),
                              success=_("The goal has been changed."),
                              next_url=lambda g: _show_url(revision, f"goal-{g.key}"))
        if done is not None:
            return done
        goal = _goal_or_404(goal_id)
        revision = goal.revision
    return _edit_page("plans/goal_form.html", form, revision, title=_("Change a goal"),
                      submit_label=_("Save the goal"), action_url=url_for(".edit_goal", goal_id=goal.id),
                      status=refused_status(form) if request.method == "POST" else 200)


@bp.route("/goals/<uuid:goal_id>/remove", methods=["POST"])
@permission_required("plans.edit")
def remove_goal(goal_id: uuid.UUID):
    goal = _goal_or_404(goal_id)
    revision = goal.revision
    _editable_or_refuse(revision)
    form = ButtonForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(_show_url(revision))
    return commit_or_flash(lambda: service.remove_goal(goal, actor=user(), expected_version=version_of(form)),
                           success=_("The goal and its actions have been removed."), next_url=_show_url(revision))


def _action_form_page(form, revision, goal, *, title, submit_label, action_url, status=200):
    return _edit_page("plans/action_form.html", form, revision, title=title, submit_label=submit_label,
                      action_url=action_url, goal=goal, status=status)


@bp.route("/goals/<uuid:goal_id>/actions/new", methods=["GET", "POST"])
@permission_required("plans.edit")
def new_action(goal_id: uuid.UUID):
    goal = _goal_or_404(goal_id)
    revision = goal.revision
    _editable_or_refuse(revision)
    options = queries.responsible_options(revision.structure_id)
    form = ActionForm(options=options) if request.method == "POST" else ActionForm(options=options,
                                                                                   version=revision.version)
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: service.add_action(goal, form.values(), options, actor=user(),
                                                               expected_version=version_of(form)),
                              success=_("The action has been added."),
                              next_url=lambda a: _show_url(revision, f"goal-{goal.key}"))
        if done is not None:
            return done
        goal = _goal_or_404(goal_id)
        revision = goal.revision
    return _action_form_page(form, revision, goal, title=_("Add an action"), submit_label=_("Add the action"),
                             action_url=url_for(".new_action", goal_id=goal.id),
                             status=refused_status(form) if request.method == "POST" else 200)


@bp.route("/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@permission_required("plans.edit")
def edit_action(action_id: uuid.UUID):
    action = _action_or_404(action_id)
    goal = action.goal
    revision = goal.revision
    _editable_or_refuse(revision)
    options = queries.responsible_options(revision.structure_id)
    form = ActionForm(options=options)
    if request.method == "GET":
        form = ActionForm(formdata=None, options=options, version=revision.version)
        form.fill_from(action)
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: service.update_action(action, form.values(), options, actor=user(),
                                                                  expected_version=version_of(form)),
                              success=_("The action has been changed."),
                              next_url=lambda a: _show_url(revision, f"action-{a.key}"))
        if done is not None:
            return done
        action = _action_or_404(action_id)
        goal = action.goal
        revision = goal.revision
    return _action_form_page(form, revision, goal, title=_("Change an action"), submit_label=_("Save the action"),
                             action_url=url_for(".edit_action", action_id=action.id),
                             status=refused_status(form) if request.method == "POST" else 200)


@bp.route("/actions/<uuid:action_id>/remove", methods=["POST"])
@permission_required("plans.edit")
def remove_action(action_id: uuid.UUID):
    action = _action_or_404(action_id)
    revision = action.goal.revision
    _editable_or_refuse(revision)
    form = ButtonForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(_show_url(revision))
    return commit_or_flash(lambda: service.remove_action(action, actor=user(), expected_version=version_of(form)),
                           success=_("The action has been removed."), next_url=_show_url(revision))


@bp.route("/actions/<uuid:action_id>/progress", methods=["POST"])
@permission_required("plans.edit")
def progress(action_id: uuid.UUID):
    action = _action_or_404(action_id)
    revision = action.goal.revision
    _refuse_unless_party(revision, "progress")
    form = ProgressForm()
    back = _show_url(revision, f"action-{action.key}")
    if not form.validate_on_submit():
        flash(_("Choose a status from the list."), "error")
        return redirect(back)
    return commit_or_flash(lambda: service.set_action_status(action, form.status.data, actor=user(),
                                                             expected_version=version_of(form)),
                           success=_("The progress has been recorded."), next_url=back)


# --- comparing, printing ---------------------------------------------------------------------------------


@bp.route("/revisions/<uuid:revision_id>/compare")
@permission_required("plans.view")
def compare(revision_id: uuid.UUID):
    revision = _revision_or_404(revision_id, full=False)
    plan = revision.plan
    others = [r for r in plan.revisions if r.id != revision.id]
    other_id = uuid_arg("with")
    if other_id is None:
        other_id = revision.based_on_id or (others[-1].id if others else None)
    if other_id is not None and other_id not in {r.id for r in others}:
        not_visible("plan_revision", other_id)
    loaded = queries.revisions_of_plan(user(), plan.id, [revision.id] + ([other_id] if other_id else []))
    new = loaded[revision.id]
    old = loaded.get(other_id) if other_id else None
    if old is not None and old.number > new.number:
        old, new = new, old
    changes = comparing.compare(old, new) if old is not None else None
    html = render_template("plans/compare.html", revision=revision, plan=plan, old=old, new=new, others=others,
                           changes=changes, beneficiary=plan.beneficiary)
    return audited(html, "plans.compare", object_type="plan_revision", object_id=revision.id,
                   structure_id=revision.structure_id, subjects=[plan.beneficiary_id])


@bp.route("/revisions/<uuid:revision_id>/summary")
@permission_required("plans.view")
def summary(revision_id: uuid.UUID):
    revision = _revision_or_404(revision_id)
    language = request.args.get("lang")
    if language not in ("el", "en"):
        language = "el"
    with force_locale(language):
        html = render_template("plans/summary.html", revision=revision, plan=revision.plan,
                               beneficiary=revision.plan.beneficiary, today=local_today(), language=language)
    return audited(html, "plans.print", object_type="plan_revision", object_id=revision.id,
                   structure_id=revision.structure_id, subjects=[revision.plan.beneficiary_id])


# --- the supervisors' queue -----------------------------------------------------------------------------


@bp.route("/")
@permission_required("plans.review")
def queue():
    viewer = user()
    today = local_today()
    page = queries.review_queue(viewer, uuid_arg("after"), current_app.config["PAGE_SIZE"])
    overdue = queries.overdue_reviews(viewer, today, OVERDUE_LIMIT)
    html = render_template("plans/queue.html", page=page, overdue=overdue, today=today, limit=OVERDUE_LIMIT)
    return audited(html, "plans.queue", object_type="plan_revision_page",
                   subjects=[r.plan.beneficiary_id for r in [*page.items, *overdue]])

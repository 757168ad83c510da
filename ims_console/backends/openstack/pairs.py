"""OpenStack mode: (image, project) pairs applied to Glance, which takes one member per call.

apply_pairs sends the calls IMS_OS_PARALLEL_CALLS at a time and answers with what happened to each pair
(Applied). If the cloud refuses any pair of an add, every pair it took is removed again and every image opened for
the submission is made private again (all or nothing, as far as the cloud allows). Every call of that undo is
tried, whatever happens to the others, and the calls that are safe to repeat (removing a member, reading, setting a
visibility) are retried with backoff when the cloud fails or does not answer. What still could not be undone is
reported pair by pair ("left in the cloud"), never as undone.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from ims_console.backends.openstack.glance import JSON_PATCH, call
from ims_console.core import l10n
from ims_console.core.errors import ConsoleCode, IMSError
from ims_console.identity.caller import Caller

Pair = tuple[str, str]

# A call that is safe to repeat is made this many times at most, waiting RETRY_BACKOFF seconds before the second,
# twice that before the third, and so on (with a little jitter, so that parallel calls do not retry in step).
CALL_ATTEMPTS = 4
RETRY_BACKOFF = 0.25

# What a pair's result is called in a job's results (Activity shows these words).
SUCCESS, FAILED, UNDONE, LEFT = "success", "failed", "undone", "left in the cloud"
# How many pairs a message names before "and N more" (the job's page lists them all).
NAMED = 5


def call_again(caller: Caller, method: str, path: str, *, image_id: str = "", gone_is_done: bool = False,
               **kwargs: Any) -> Any:
    """A call that is safe to repeat (a GET, setting a visibility or a member's status, removing a member), made
    again when the cloud failed (5xx) or did not answer, CALL_ATTEMPTS times in all. `gone_is_done`: a 404 means
    that what the call was to do is done (a member an earlier attempt removed)."""
    for attempt in range(CALL_ATTEMPTS):
        try:
            return call(caller, method, path, image_id=image_id, **kwargs)
        except IMSError as error:
            if gone_is_done and error.status == 404:
                return None
            if error.status < 500 or attempt == CALL_ATTEMPTS - 1:
                raise
            time.sleep(RETRY_BACKOFF * 2**attempt * random.uniform(1, 1.2))
    raise AssertionError("unreachable")


def set_visibility(caller: Caller, image_id: str, visibility: str) -> None:
    call_again(caller, "PATCH", f"/v2/images/{image_id}", image_id=image_id, headers={"Content-Type": JSON_PATCH},
               data=json.dumps([{"op": "replace", "path": "/visibility", "value": visibility}]))


@dataclass
class Applied:
    """What one submission did in the cloud, pair by pair."""

    add: bool
    pairs: list[Pair]
    # For a change that is not an add: what its done pairs are called ("removed", "accepted", "rejected").
    done_as: str = "removed"
    # Pairs the cloud did not take (nothing changed for them), with its reason.
    refused: dict[Pair, IMSError] = field(default_factory=dict)
    # Pairs of an add the cloud took and the console removed again, because another pair was refused.
    undone: set[Pair] = field(default_factory=set)
    # Pairs of an add the cloud took that the console could not remove again: they stay in the cloud.
    left: dict[Pair, IMSError] = field(default_factory=dict)
    # Images opened to sharing for the submission that the console could not make private again.
    still_open: dict[str, IMSError] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.refused

    def result(self, pair: Pair) -> str:
        if pair in self.refused:
            return FAILED
        if pair in self.left:
            return LEFT
        return UNDONE if pair in self.undone else SUCCESS

    def results(self) -> list[dict]:
        return [{"image_id": i, "project_id": p, "status": self.result((i, p))} for i, p in self.pairs]

    @property
    def standing(self) -> int:
        """How many pairs are changed in the cloud now: taken and not undone."""
        return sum(1 for pair in self.pairs if self.result(pair) in (SUCCESS, LEFT))

    def problems(self, names: dict[str, str]) -> list[IMSError]:
        """Every refusal of the cloud, then what stays changed after all (a failed job's reason)."""
        return list(dict.fromkeys(self.refused.values())) + self.remains(names)

    def error(self, names: dict[str, str]) -> IMSError:
        """The refusal to answer with: every pair the cloud refused, and what stays changed after all. A cloud that
        failed (5xx, no answer) is a 503 page that says so and lists what stays; otherwise the dialog lists it all."""
        unavailable = next((r for r in self.refused.values() if r.status >= 500), None)
        if unavailable is not None:
            return IMSError(unavailable.code, unavailable.message, status=503, problems=self.remains(names))
        return IMSError.many(self.problems(names))

    def remains(self, names: dict[str, str]) -> list[IMSError]:
        """What stays changed in the cloud although the request failed, each named."""
        problems = []
        by_image: dict[str, list[Pair]] = {}
        for pair in self.left:
            by_image.setdefault(pair[0], []).append(pair)
        for image_id, pairs in by_image.items():
            name = names.get(image_id, image_id)
            projects = first_named(p for _, p in pairs)
            reason = self.left[pairs[0]].message
            problems.append(IMSError(
                ConsoleCode.LEFT_IN_CLOUD,
                ngettext(
                    "“%(name)s” stays shared with %(count)s project of this submission (%(projects)s): the console "
                    "could not remove it again (%(reason)s). Remove it on the image's Sharing tab.",
                    "“%(name)s” stays shared with %(count)s projects of this submission (%(projects)s): the console "
                    "could not remove them again (%(reason)s). Remove them on the image's Sharing tab.", len(pairs),
                ) % {"name": name, "count": l10n.number(len(pairs)), "projects": projects, "reason": reason},
                item=image_id, context={"sharing_image_id": image_id},
            ))
        for image_id, error in self.still_open.items():
            problems.append(IMSError(
                ConsoleCode.LEFT_IN_CLOUD,
                gettext(
                    "“%(name)s” stays open to sharing (visibility shared) although this submission shared it with "
                    "nobody: the console could not make it private again (%(reason)s)."
                ) % {"name": names.get(image_id, image_id), "reason": error.message},
                item=image_id, context={"sharing_image_id": image_id},
            ))
        if not self.add and self.standing:
            problems.append(IMSError(ConsoleCode.PARTLY_DONE, PARTLY_DONE[self.done_as]() % {
                "done": l10n.number(self.standing), "shares": l10n.shares_count(len(self.pairs)),
                "others": l10n.number(len(self.pairs) - self.standing),
            }))
        return problems


def apply_pairs(caller: Caller, pairs: list[Pair], *, add: bool, opened: list[str] | None = None,
                progress: Callable[[int], None] | None = None) -> Applied:
    """Add or remove members, IMS_OS_PARALLEL_CALLS calls at once, after opening the `opened` images to sharing.
    Never raises for what the cloud does to a pair: the answer says it. `progress(n)` hears how many pairs are done,
    from the calling thread, after every call (a background job's heartbeat)."""
    applied = Applied(add=add, pairs=list(pairs))
    opened = opened or []

    def tick(done: int) -> None:
        if progress:
            progress(done)

    for n, image_id in enumerate(opened):
        try:
            set_visibility(caller, image_id, "shared")
        except IMSError as error:
            _close(caller, opened[:n], applied, lambda: tick(0))
            not_tried = IMSError(error.code, gettext("Not tried: image %(image_id)s could not be opened to sharing "
                                                     "(%(reason)s).") % {"image_id": image_id, "reason": error.message},
                                 item=image_id, status=error.status)
            applied.refused = dict.fromkeys(applied.pairs, not_tried)
            return applied
        tick(0)

    def one(pair: Pair) -> IMSError | None:
        image_id, project_id = pair
        try:
            if add:  # not repeated: a second POST of a pair the first one added would be refused as a duplicate
                call(caller, "POST", f"/v2/images/{image_id}/members", image_id=image_id, json={"member": project_id})
            else:
                call_again(caller, "DELETE", f"/v2/images/{image_id}/members/{project_id}", image_id=image_id,
                           gone_is_done=True)
        except IMSError as error:
            return _refusal(pair, error)
        return None

    done = 0
    for pair, refusal in zip(applied.pairs, _parallel(one, applied.pairs), strict=True):
        if refusal is not None:
            applied.refused[pair] = refusal
        done += 1
        tick(done)
    if applied.complete or not add:
        return applied

    taken = [pair for pair in applied.pairs if pair not in applied.refused]

    def undo(pair: Pair) -> IMSError | None:
        image_id, project_id = pair
        try:
            call_again(caller, "DELETE", f"/v2/images/{image_id}/members/{project_id}", image_id=image_id,
                       gone_is_done=True)
        except IMSError as error:
            return error
        return None

    for pair, failure in zip(taken, _parallel(undo, taken), strict=True):
        if failure is None:
            applied.undone.add(pair)
        else:
            applied.left[pair] = failure
        tick(done)
    _close(caller, opened, applied, lambda: tick(done))
    return applied


def _close(caller: Caller, image_ids: list[str], applied: Applied, beat: Callable[[], None]) -> None:
    """Make the images opened for this submission private again, unless they have members by then (pairs left in
    the cloud, or another submission's sent meanwhile): closing them would hide those shares."""
    for image_id in image_ids:
        try:
            members = call_again(caller, "GET", f"/v2/images/{image_id}/members", image_id=image_id)["members"]
            if not members:
                set_visibility(caller, image_id, "private")
        except IMSError as error:
            applied.still_open[image_id] = error
        beat()


def _parallel(work: Callable[[Pair], IMSError | None], pairs: list[Pair]) -> Iterable[IMSError | None]:
    """`work` on every pair, IMS_OS_PARALLEL_CALLS at once, the answers in the pairs' order as they come. `work`
    answers a refusal rather than raising, so one pair's failure never stops the others."""
    if not pairs:
        return
    language = translation.get_language()

    def in_language(pair: Pair) -> IMSError | None:
        # A refusal made in a pool thread is worded in the language of the request (or job) that made the calls.
        with translation.override(language):
            return work(pair)

    with ThreadPoolExecutor(min(settings.IMS_OS_PARALLEL_CALLS, len(pairs))) as pool:
        yield from pool.map(in_language, pairs)


def _refusal(pair: Pair, error: IMSError) -> IMSError:
    image_id, project_id = pair
    if error.status == 413:
        return IMSError("IMG.0088", gettext("The image service refused another recipient for image %(image_id)s: "
                                            "%(reason)s") % {"image_id": image_id, "reason": error.message}, item=image_id)
    return IMSError(error.code, gettext("%(project_id)s on image %(image_id)s: %(reason)s") % {
        "project_id": project_id, "image_id": image_id, "reason": error.message}, item=project_id,
                    status=400 if error.status < 500 else error.status)


def first_named(ids: Iterable[str]) -> str:
    """The first NAMED of `ids` (or names), then how many more."""
    ids = list(ids)
    shown = ", ".join(ids[:NAMED])
    if len(ids) > NAMED:
        shown += " " + gettext("and %(count)s more") % {"count": l10n.number(len(ids) - NAMED)}
    return shown


# A removal or a status change the cloud took in part: how many of the shares were done, and that the others were not.
PARTLY_DONE: dict[str, Callable[[], str]] = {
    "removed": lambda: gettext("%(done)s of %(shares)s were removed; the other %(others)s remain."),
    "accepted": lambda: gettext("%(done)s of %(shares)s were accepted; the other %(others)s were not accepted."),
    "rejected": lambda: gettext("%(done)s of %(shares)s were rejected; the other %(others)s were not rejected."),
}

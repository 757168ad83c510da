"""IMSError: the one way an image service refuses, in every backend.

Every error carries a code: IMS's own (`IMG.0088`, shown to the user as IMS shows it) or, for what the console
checks that IMS has no code for, a named console code (`ConsoleCode`, never shown). How the console shows an error
follows from `display`:

- `Display.DIALOG`: the request was understood but cannot be done as entered (status 400). The dialog it came from
  shows it, next to the input named by `field` when there is one, and nothing is changed.
- `Display.PAGE`: the thing does not exist for the caller (404) or the caller may not do this (403). The view
  answers with that status; a dialog cannot fix it.

`IMSError.many` gathers every problem of one request, so that it is refused whole and all of them are shown at
once (S13 in docs/rules.md).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class ConsoleCode(StrEnum):
    """Refusals the console makes where IMS has no code of its own."""

    NOTHING_SELECTED = "console.nothing_selected"
    TOO_MANY_PROJECT_IDS = "console.too_many_project_ids"
    NOT_A_RECIPIENT = "console.not_a_recipient"
    NOTHING_PENDING = "console.nothing_pending"
    READ_ONLY = "console.read_only"
    KEY_NOT_FOUND = "console.key_not_found"
    KEY_ALIAS_INVALID = "console.key_alias_invalid"
    KEY_ALIAS_TAKEN = "console.key_alias_taken"
    DEFAULT_KEY_FIXED = "console.default_key_fixed"
    ACCOUNT_ID_INVALID = "console.account_id_invalid"
    ACCOUNT_NOT_FOUND = "console.account_not_found"
    GRANT_EXISTS = "console.grant_exists"
    GRANT_NOT_FOUND = "console.grant_not_found"
    REPLICA_TOO_LARGE = "console.replica_too_large"
    REPLICA_KEY = "console.replica_key"
    MANY = "console.many"
    NOT_AVAILABLE = "console.not_available"
    CLOUD_UNAVAILABLE = "console.cloud_unavailable"
    CLOUD_REFUSED = "console.cloud_refused"
    SESSION_EXPIRED = "console.session_expired"
    JOB_FAILED = "console.job_failed"
    JOB_STALLED = "console.job_stalled"
    EXPIRY_INVALID = "console.expiry_invalid"
    # The cloud took part of a request and the console could not undo it (OpenStack mode): what stays is named.
    LEFT_IN_CLOUD = "console.left_in_cloud"
    # Part of a removal or a status change was done, the rest refused (OpenStack mode): both are named.
    PARTLY_DONE = "console.partly_done"
    # An image the cloud protects from deletion (OpenStack mode: Glance's `protected`).
    IMAGE_PROTECTED = "console.image_protected"


# Problems that say something was changed after all: a refusal that carries one must not say "nothing was changed".
CHANGES_REMAIN = frozenset({ConsoleCode.LEFT_IN_CLOUD, ConsoleCode.PARTLY_DONE})


class Display(StrEnum):
    DIALOG = "dialog"
    PAGE = "page"


READ_ONLY_MESSAGE = _("Your role is read-only: you can look but not change anything.")


class IMSError(Exception):
    """A refusal by the image service: its code, what it says, and the item and input it concerns."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        item: str = "",
        field: str = "",
        status: int = 400,
        problems: list[IMSError] | None = None,
        context: dict[str, str] | None = None,
        group: str = "",
        label: str = "",
    ) -> None:
        if not code:
            raise ValueError("An IMSError needs IMS's code or a ConsoleCode.")
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message
        self.item = item
        # The form input the problem is about (project_ids, alias, account_id, key_id, vault_id): shown next to it.
        self.field = field
        self.status = status
        self.problems = problems or []
        # IDs a console can link to from the message, such as the key whose grants are missing.
        self.context = context or {}
        # Problems of one kind are shown as one line: `group` introduces the list, `label` is how this one's
        # item is named in it (100 unknown project IDs are one line, not 100).
        self.group = group
        self.label = label or item

    @property
    def display(self) -> Display:
        return Display.PAGE if self.status in (401, 403, 404, 502, 503) else Display.DIALOG

    @property
    def ims_code(self) -> str:
        """The code a user is shown: IMS's own; console codes are for the code and the tests."""
        return self.code if self.code.startswith("IMG.") else ""

    @classmethod
    def many(cls, problems: list[IMSError]) -> IMSError:
        """All that is wrong with one request, so that it can be refused whole and every problem shown at once."""
        count = ngettext("%(count)s problem", "%(count)s problems", len(problems)) % {"count": len(problems)}
        if any(p.code == ConsoleCode.LEFT_IN_CLOUD for p in problems):
            return cls(ConsoleCode.MANY, gettext("Not everything was undone: %(count)s.") % {"count": count}, status=400, problems=problems)
        if any(p.code in CHANGES_REMAIN for p in problems):
            return cls(ConsoleCode.MANY, gettext("Done in part: %(count)s.") % {"count": count}, status=400, problems=problems)
        return cls(ConsoleCode.MANY, gettext("Nothing was changed: %(count)s.") % {"count": count}, status=400, problems=problems)

    @property
    def changes_remain(self) -> bool:
        """Whether part of the request took effect after all (see CHANGES_REMAIN)."""
        return any(p.code in CHANGES_REMAIN for p in self.all_problems)

    @property
    def all_problems(self) -> list[IMSError]:
        return self.problems or [self]

    @classmethod
    def image_not_found(cls, image_id: str) -> IMSError:
        return cls("IMG.0027", gettext("Image %(image_id)s does not exist.") % {"image_id": image_id}, item=str(image_id), status=404)

    @classmethod
    def only_the_owner(cls, image_id: str, name: str) -> IMSError:
        return cls(
            "IMG.0047",
            gettext("Image “%(name)s” was shared with your project; only its owner can share it. Replicate it first to share a copy.") % {"name": name},
            item=str(image_id),
            status=403,
        )

    @classmethod
    def read_only(cls) -> IMSError:
        return cls(ConsoleCode.READ_ONLY, str(READ_ONLY_MESSAGE), status=403)

    @classmethod
    def nothing_selected(cls, what: str = "", *, field: str = "image_id") -> IMSError:
        return cls(ConsoleCode.NOTHING_SELECTED, what or gettext("Select at least one image."), field=field)

    @classmethod
    def grant_not_found(cls, account_id: str, key_alias: str, *, status: int = 400) -> IMSError:
        return cls(
            ConsoleCode.GRANT_NOT_FOUND, gettext("Account %(account_id)s holds no grant on %(key_alias)s.") % {"account_id": account_id, "key_alias": key_alias}, item=account_id,
            status=status,
        )


class LoginAgain(Exception):
    """The cloud no longer accepts the session's token (OpenStack mode): log in again."""


class CloudUnavailable(Exception):
    """The cloud did not answer, or answered garbage: a 503 or 502 page (ims_console.web.middleware). `remains`: what
    the request changed in the cloud before it failed and could not undo (the page names it)."""

    def __init__(self, message: str, status: int = 503, remains: list[IMSError] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.remains = remains or []

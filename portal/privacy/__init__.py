"""Data protection (DSGVO): the registry that asks every app's ``privacy`` module (``registry``),
the export archive and the erasure of one's own account (``views``), the nightly retention run
(``tasks``).

Like every app, the ground floor has a ``privacy`` module of its own: this package. Its hooks
combine those for the account, its mails and the reports of barriers (``account``) and for the
exports of admin lists the person asked for (``exports``).
"""

import datetime as dt

from portal.accounts.models import User
from portal.privacy import account, exports
from portal.privacy.registry import Export


def export(user: User) -> list[Export]:
    return [account.export(user), exports.export(user)]


def restrict(user: User, *, at: dt.datetime) -> None:
    exports.restrict(user, at=at)
    account.restrict(user, at=at)


def erase(user: User, *, at: dt.datetime) -> None:
    exports.erase(user, at=at)  # before the account: its row may stay, its exports must not
    account.erase(user, at=at)


def retention(*, at: dt.datetime) -> dict[str, int]:
    return {**account.retention(at=at), **exports.retention(at=at)}


__all__ = ["erase", "export", "restrict", "retention"]

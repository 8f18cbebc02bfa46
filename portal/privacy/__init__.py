"""Data protection (DSGVO): the registry that asks every app's ``privacy`` module (``registry``),
the export archive and the erasure of one's own account (``views``), the nightly retention run
(``tasks``).

Like every app, the ground floor has a ``privacy`` module of its own: this package. Its hooks, for
the account, its mails and the reports of barriers, live in ``account`` and are named here.
"""

from portal.privacy.account import erase, export, restrict, retention

__all__ = ["erase", "export", "restrict", "retention"]

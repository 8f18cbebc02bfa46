"""The texts that belong to the operator of the portal and its programme: the programme's name and
description, the target group, the state, the partner and evaluator, the start page, help, Leichte
Sprache, contacts, mail signature and certificate. Defaults in ``defaults``, edits per state in
``OperatorText``, read through ``texts``."""

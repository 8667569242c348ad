"""Every write of circulation, one module per topic (as Zulip's ``zerver/actions``).

* ``loans``: ``checkout``, ``checkin``, ``renew``, ``write_off`` (a lost loan ends);
* ``holds``: ``place_hold``, ``cancel_hold``, ``expire_hold``;
* ``class_sets``: ``lend_class_set``, ``return_class_set``;
* ``devices``: ``lend_for_school_year``, ``swap_device``, ``take_out_of_service``,
  ``return_to_service``, ``retire_device``, ``flag_lost`` (for the technology app);
* ``stocktaking``: ``open_stocktake``, ``record_scan``, ``close_stocktake``, ``mark_missing``;
* ``rules``: ``save_rule``, ``adopt_default_rules``, ``delete_rule``;
* ``privacy``: ``anonymise_loans``, ``forget_returned_loans`` (the loans' side of a patron's
  privacy; ``patrons`` reaches them through ``core.registry``).

Each public function is one transaction that checks the actor's permission, enforces the
rules, writes the loan/hold, moves the copy through the catalogue's status machine, queues the
record for search (its availability changed) and writes the audit event. The desk page, the
API, the OPAC and bookings call these and nothing else. Every refusal is a
``CirculationError`` with a code and a sentence for the librarian; checkout's refusals are
named one by one in ``checks``.

Concurrency: the copy's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the IMMEDIATE transaction already serialises writers), so a second desk scanning the same copy
waits, then sees it on loan and gets the ordinary "already on loan" refusal. Should anything get
past that, the partial unique index on open loans turns the second loan into the same refusal.

The modules import each other one way only: ``common`` ← ``shelf`` ← ``checks``, ``holds`` ←
``privacy`` ← ``loans`` ← ``class_sets``, ``devices``; ``stocktaking`` and ``rules`` stand apart.
"""

"""Every write of planning: one function per change, one transaction each, audited.

Plans are edited by the teachers of the group and by the learning-centre staff (see
``access``). Reservations and room bookings go through ``reol.bookings.services.book`` (which
decides conflicts); publishing a resource list on the OPAC goes through
``reol.catalog.lists.services`` (which decides who may publish reading lists), so neither rule
is written twice.

The writes live by meaning in ``entries`` (annual-plan topics), ``resources`` (a topic's
resource list), ``collaborations`` (collaborations, the team's goals and tasks) and ``feeds``;
this module names them all, so callers keep writing ``services.<name>``.
"""

from __future__ import annotations

from .collaborations import (
    create_collaboration,
    delete_collaboration,
    delete_goal,
    delete_task,
    may_edit_collaboration,
    save_goal,
    save_task,
    update_collaboration,
)
from .entries import (
    create_entry,
    delete_entry,
    set_heavy_use,
    set_heavy_use_capacity,
    update_entry,
)
from .feeds import create_feed, revoke_feed
from .resources import (
    add_resource,
    book_room,
    publish_resources,
    remove_resource,
    request_materials,
    reserve_resources,
    share_resources,
)

__all__ = [
    "add_resource",
    "book_room",
    "create_collaboration",
    "create_entry",
    "create_feed",
    "delete_collaboration",
    "delete_entry",
    "delete_goal",
    "delete_task",
    "may_edit_collaboration",
    "publish_resources",
    "remove_resource",
    "request_materials",
    "reserve_resources",
    "revoke_feed",
    "save_goal",
    "save_task",
    "set_heavy_use",
    "set_heavy_use_capacity",
    "share_resources",
    "update_collaboration",
    "update_entry",
]

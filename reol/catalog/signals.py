"""What the catalogue tells the apps above it, which it may not import (the ladder in
``docs/architecture.md``): receivers connect in their ``AppConfig.ready``.

``records_added`` is sent with ``municipality_id`` once records are in the catalogue: after
a hand-made or looked-up record's transaction commits, and after an import (not a dry run)
that created or changed any — once per import, never once per record.
"""

from __future__ import annotations

from django.dispatch import Signal

records_added = Signal()

"""The demo's external catalogues are this installation's own SRU server, at the address
``make run`` serves: on PORT=8101 too, and after a first run on another port."""

from __future__ import annotations

import pytest

from reol.core import demo
from reol.external.demo import load_demo_external
from reol.external.models import ExternalTarget


@pytest.mark.django_db
def test_the_demo_targets_follow_make_runs_port(monkeypatch):
    monkeypatch.setattr(demo, "_EXTENSIONS", [load_demo_external])
    monkeypatch.setenv("PORT", "8101")
    demo.load_demo()
    count = ExternalTarget.objects.count()
    urls = set(ExternalTarget.objects.values_list("base_url", flat=True))
    assert len(urls) >= 3 and all(u.startswith("http://127.0.0.1:8101/sru/solbjerg/") for u in urls)

    monkeypatch.setenv("PORT", "8000")  # make run again, on the usual port
    demo.load_demo()
    again = set(ExternalTarget.objects.values_list("base_url", flat=True))
    assert again == {u.replace(":8101/", ":8000/") for u in urls}
    assert ExternalTarget.objects.count() == count  # changed, not added

"""From a fresh clone, the README's run command serves the demo and its printed login works."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import sign_in

pytestmark = pytest.mark.smoke
REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(url: str, server: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`make run` exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                import json

                return dict(json.load(response))
        except OSError:
            time.sleep(1)
    pytest.fail(f"no answer from {url} within 10 minutes:\n{log.read_text()[-3000:]}")


def test_fresh_clone_make_run_serves_the_demo(tmp_path, browser):
    clone = tmp_path / "reol"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    port = _free_port()
    log = tmp_path / "make-run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REOL_", "DJANGO_"))}
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["make", "run", f"PORT={port}", "WORKERS=2"],
            cwd=clone,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/api/v1/health", server, log)
        assert health["status"] == "ok"
        printed = log.read_text()
        # The roles are in the command's language (Danish here): find the login by its name.
        login = re.search(r"\s(bibliotekar-nord)\s+(\S+)", printed)
        assert login, printed[-3000:]
        context = browser.new_context(locale="en-GB", base_url=f"http://127.0.0.1:{port}")
        page = context.new_page()
        sign_in(page, login.group(1), login.group(2))
        assert page.url.endswith("/staff/")
        assert page.get_by_role("heading", name="Nordskolen").is_visible()
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # CSS is served
        # The demo's other catalogues are this server's own SRU endpoints: `make run` lets Reol
        # ask them (REOL_OUTBOUND_ALLOW names its own address and port), so they answer.
        page.goto("/staff/external/?q=harry+potter")
        targets = page.locator("section.beyond .beyond-target")
        targets.first.wait_for(timeout=30_000)
        assert targets.count() >= 2  # the other school and "the public library"
        assert page.locator("section.beyond .beyond-target p.muted").count() == 0, page.content()
        assert page.locator("section.beyond li.hit").count() >= 1  # their answers' titles
        context.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

"""Helpers for the browser tests; the `browser` and `page` fixtures are in the root conftest.py."""

from __future__ import annotations


def sign_in(page, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Username or card number").fill(username)
    page.get_by_label("Password or PIN").fill(secret)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

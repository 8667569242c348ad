"""Template tags of reading promotion: covers, reading-level badges and read-aloud buttons."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..levels import LevelBadge
from ..selectors import CoverView

register = template.Library()


@register.simple_tag
def cover_img(cover: CoverView | None, width: int = 80, alt: str = "") -> SafeString:
    """The cover at ``width`` CSS pixels (2:3). ``alt`` is empty where the title is beside it."""
    if cover is None:
        return SafeString("")
    height = round(width * cover.height / cover.width) if cover.width else round(width * 1.5)
    return format_html(
        '<img class="cover" src="{}" alt="{}" width="{}" height="{}" loading="lazy" '
        'decoding="async">',
        cover.url,
        alt,
        width,
        height,
    )


@register.simple_tag
def level_badge(badge: LevelBadge | None) -> SafeString:
    if badge is None:
        return SafeString("")
    css = f"badge level level-{badge.level}" if badge.level else "badge level"
    if badge.show_number:
        return format_html(
            '<span class="{}">{} <span class="muted">({})</span></span>',
            css,
            badge.words,
            _("LIX %(n)s") % {"n": badge.lix},
        )
    return format_html('<span class="{}">{}</span>', css, badge.words)


@register.simple_tag
def read_aloud(target_id: str, what: str = "", suffix: object = "") -> SafeString:
    """A button that reads the element ``target_id`` (+ ``suffix``) aloud in the page's language.

    It uses the browser's own speech synthesis (nothing is sent anywhere) and is hidden by
    ``readaloud.js`` where the browser has none.
    """
    label = _("Read aloud: %(what)s") % {"what": what} if what else _("Read aloud")
    return format_html(
        '<button type="button" class="read-aloud secondary" data-read="{}" aria-label="{}" '
        'hidden><span aria-hidden="true">🔊</span> {}</button>',
        f"{target_id}{suffix}",
        label,
        _("Read aloud"),
    )

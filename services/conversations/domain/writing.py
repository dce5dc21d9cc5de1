"""What a member writes: Markdown, rendered to HTML and sanitised with an allow-list, so that
whatever was typed (a script tag, an `onerror`, a `javascript:` link) is inert; mentions
written `@[Name](member:<id>)` (what the gateway's member picker inserts) become links to the
member when they are one, and stay plain text when they are not. The rendered HTML is stored
beside the source, so a page shows it without rendering again. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

from shared.errors import Invalid

MAX_SOURCE_CHARS = 20_000
MAX_MENTIONS = 20
MENTION = re.compile(r"@\[([^\]\n]{1,100})\]\(member:([0-9A-Za-z_-]{1,64})\)")

# CommonMark with tables and strikethrough; raw HTML in the source is text, not markup.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def checked_source(source: str) -> str:
    """The text as it will be kept, or `Invalid` with what is wrong."""
    text = source.strip()
    if not text:
        raise Invalid("empty_post", "Write something first")
    if len(text) > MAX_SOURCE_CHARS:
        raise Invalid(
            "post_too_long",
            f"A post is at most {MAX_SOURCE_CHARS:,} characters; this one is {len(text):,}",
            limit=MAX_SOURCE_CHARS,
        )
    return text


def mentioned(source: str) -> list[str]:
    """The member ids the text mentions, in order, once each, at most MAX_MENTIONS."""
    return list(dict.fromkeys(m[2] for m in MENTION.finditer(source)))[:MAX_MENTIONS]


def _escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~&])", r"\\\1", text)


def render(source: str, members: Mapping[str, str]) -> str:
    """Sanitised HTML. `members`: the mentioned ids that are members, with their names."""

    def mention(match: re.Match[str]) -> str:
        member_id = match[2]
        if member_id in members:
            return f"[@{_escape_markdown(members[member_id])}](/people/{member_id})"
        return "@" + _escape_markdown(match[1])  # not a member: plain text

    return sanitise(_markdown.render(MENTION.sub(mention, source)))


def sanitise(html: str) -> str:
    """The allow-list: a second line of defence behind Markdown's own (raw HTML off, unsafe
    link schemes refused), and the only one for HTML kept from before a rule changed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def excerpt(source: str, limit: int = 280) -> str:
    """Plain words for a quote's preview, a notification or a search result."""
    text = MENTION.sub(lambda m: "@" + m[1], source)
    text = re.sub(r"[`*_#>|~\[\]]", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Posts: Markdown rendered and sanitised (a corpus of cross-site-scripting payloads renders
inert), mentions of members linked and of strangers left as text, the size limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from services.conversations.domain.writing import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MAX_SOURCE_CHARS,
    checked_source,
    excerpt,
    mentioned,
    render,
    sanitise,
)
from shared.errors import Invalid

# From the OWASP XSS filter evasion cheat sheet and PortSwigger's list, as a member might
# type them into a post (raw, inside Markdown links and images, and in code).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '![x](x "onerror=alert(1)")',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    '"><script>alert(1)</script>',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '[x](https://ok.example "\\"onmouseover=alert(1)")',
    "@[<img src=x onerror=alert(1)>](member:m1)",
    "@[<script>alert(1)</script>](member:stranger)",
]
SAFE_LINK = re.compile(r"^(https?://|mailto:|/(?!/))", re.IGNORECASE)


class Elements(HTMLParser):
    """Every element and attribute of the rendered HTML, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("through", ["markdown", "sanitiser alone"])
def test_hostile_html_renders_inert(payload: str, through: str) -> None:
    if through == "markdown":
        html = render(payload, {"m1": "Ada <b>Lovelace</b>"})
    else:  # as if Markdown let raw HTML through: the allow-list alone must hold
        html = sanitise(payload)
    elements = Elements()
    elements.feed(html)
    for tag, attrs in elements.found:
        assert tag in ALLOWED_TAGS, f"{payload!r} gave <{tag}> in {html!r}"
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (payload, html)
            if name == "href":
                assert value is not None
                assert SAFE_LINK.match(value), f"{payload!r} gave a link to {value!r}"


def test_markdown_renders_and_links_are_marked_as_members_content() -> None:
    html = render("**Bold** and [a guide](https://example.nhs.uk/guide)\n\n> quoted", {})
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.nhs.uk/guide"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    assert "<blockquote>" in html


def test_mentions_of_members_link_and_of_strangers_stay_text() -> None:
    source = "Thanks @[Ada](member:m1), and @[Nobody](member:zz) and @[Ada again](member:m1)"
    assert mentioned(source) == ["m1", "zz"]
    html = render(source, {"m1": "Ada Lovelace"})
    assert '<a href="/people/m1" rel="nofollow noopener noreferrer ugc">@Ada Lovelace</a>' in html
    assert "@Nobody" in html
    assert "/people/zz" not in html
    assert excerpt(source) == "Thanks @Ada, and @Nobody and @Ada again"


def test_a_post_has_words_and_a_size_limit() -> None:
    assert checked_source("  hello  ") == "hello"
    with pytest.raises(Invalid) as empty:
        checked_source("   ")
    assert empty.value.code == "empty_post"
    with pytest.raises(Invalid) as long:
        checked_source("x" * (MAX_SOURCE_CHARS + 1))
    assert long.value.code == "post_too_long"

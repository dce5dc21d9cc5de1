"""A member's choices: per category, which channels; and whether non-urgent news comes at once
or gathered into a daily or weekly digest at their chosen hour. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from services.notifications.domain.messages import Category, Channel, Message
from shared.errors import Invalid

DIGEST_MODES = ("off", "daily", "weekly")

# Sensible defaults: everything in the inbox; email for what concerns the member directly
# (membership, their events) but not for the network's news; webhooks only when set up.
DEFAULT_CHANNELS: dict[Category, frozenset[Channel]] = {
    Category.MEMBERSHIP: frozenset({Channel.IN_APP, Channel.EMAIL}),
    Category.EVENTS: frozenset({Channel.IN_APP, Channel.EMAIL}),
    Category.PLANS: frozenset({Channel.IN_APP}),
    Category.PRACTICE: frozenset({Channel.IN_APP}),
    # Replies in their threads, mentions, their answers accepted: addressed to them.
    Category.CONVERSATIONS: frozenset({Channel.IN_APP, Channel.EMAIL}),
}


@dataclass(frozen=True)
class Preferences:
    channels: dict[Category, frozenset[Channel]] = field(
        default_factory=lambda: dict(DEFAULT_CHANNELS)
    )
    digest: str = "off"
    digest_hour: int = 8  # UK time
    # Set when the mail server refused the address (5xx): no more email until it changes.
    email_failing: bool = False
    # A regional node's receiver: the address and the secret its calls are signed with.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # Set when the receiver answered 410 Gone: no more calls until the webhook is set again.
    webhook_failing: bool = False
    # When the member last chose their channels (unix seconds): an unsubscribe link made
    # before that no longer works, so an old email cannot undo a later choice.
    chosen_at: int | None = None

    def channels_for(self, message: Message) -> frozenset[Channel]:
        chosen = self.channels.get(message.category, frozenset())
        if message.account:
            chosen = frozenset({Channel.IN_APP, Channel.EMAIL})
        if self.email_failing:
            chosen -= {Channel.EMAIL}
        if not self.webhook_url or not self.webhook_secret or self.webhook_failing:
            chosen -= {Channel.WEBHOOK}
        return chosen

    def with_webhook(self, url: str | None, secret: str | None) -> Preferences:
        """A new webhook (or none): its calls start again, signed with the new secret."""
        return replace(self, webhook_url=url, webhook_secret=secret, webhook_failing=False)

    def email_now(self, message: Message) -> bool:
        """At once, or kept for the digest (urgent news never waits)."""
        return message.urgent or self.digest == "off"

    def changed(
        self,
        *,
        channels: dict[str, list[str]] | None = None,
        digest: str | None = None,
        digest_hour: int | None = None,
    ) -> Preferences:
        problems = []
        new_channels = dict(self.channels)
        for name, chosen in (channels or {}).items():
            try:
                category = Category(name)
                new_channels[category] = frozenset(Channel(c) for c in chosen)
            except ValueError:
                problems.append(f"channels: unknown category or channel in {name}")
        if digest is not None and digest not in DIGEST_MODES:
            problems.append(f"digest: one of {', '.join(DIGEST_MODES)}")
        if digest_hour is not None and not 0 <= digest_hour <= 23:
            problems.append("digest_hour: 0 to 23")
        if problems:
            raise Invalid("invalid_preferences", "; ".join(problems), problems=problems)
        return replace(
            self,
            channels=new_channels,
            digest=self.digest if digest is None else digest,
            digest_hour=self.digest_hour if digest_hour is None else digest_hour,
        )

    def unsubscribed(self, category: Category) -> Preferences:
        """One-click unsubscribe: no more email for the category (the inbox keeps it)."""
        channels = dict(self.channels)
        channels[category] = channels.get(category, frozenset()) - {Channel.EMAIL}
        return replace(self, channels=channels)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channels": {c.value: sorted(ch.value for ch in v) for c, v in self.channels.items()},
            "digest": self.digest,
            "digest_hour": self.digest_hour,
            "email_failing": self.email_failing,
            "webhook_url": self.webhook_url,
            "webhook_secret": self.webhook_secret,
            "webhook_failing": self.webhook_failing,
            "chosen_at": self.chosen_at,
        }

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Preferences:
        if not data:
            return cls()
        channels = dict(DEFAULT_CHANNELS)
        for name, chosen in data.get("channels", {}).items():
            channels[Category(name)] = frozenset(Channel(c) for c in chosen)
        return cls(
            channels=channels,
            digest=data.get("digest", "off"),
            digest_hour=int(data.get("digest_hour", 8)),
            email_failing=bool(data.get("email_failing", False)),
            webhook_url=data.get("webhook_url"),
            webhook_secret=data.get("webhook_secret"),
            webhook_failing=bool(data.get("webhook_failing", False)),
            chosen_at=data.get("chosen_at"),
        )

"""The message processor as every process builds it (the web app and the reaper)."""

from __future__ import annotations

from collections.abc import Callable

from bot.dialogue_store import RedisDialogueStore
from bot.lexicon_provider import LexiconProvider
from bot.locks import UserLocks
from bot.processor import MessageProcessor
from bot.runtime import Runtime
from bot.understanding import make_understander
from bot.webhook import make_drain
from handlers.base import Understood
from handlers.router import build_router
from storage.residents.queries import community_for_account, compound_names


def build_processor(
    runtime: Runtime, understand: Callable[..., Understood] | None = None
) -> tuple[MessageProcessor, LexiconProvider]:
    with runtime.session_factory() as session:
        community = community_for_account(session, None)
        community_name = community.name if community else "本"
        compounds = compound_names(session, community.id) if community else ()
    provider = LexiconProvider(runtime.session_factory, runtime.settings.lexicon_check_seconds)
    processor = MessageProcessor(
        session_factory=runtime.session_factory,
        router=build_router(community_name, knowledge=provider.knowledge),
        dialogues=RedisDialogueStore(runtime.redis),
        locks=UserLocks(runtime.redis),
        understand=understand or make_understander(provider, compounds),
        dialogue_ttl=runtime.settings.dialogue_ttl_seconds,
        drain=make_drain(runtime),
        # Looked for before the message's own session opens: a refresh inside it would
        # need a second pooled connection while the first may hold SQLite's write lock.
        before_handling=provider.maybe_refresh,
    )
    return processor, provider

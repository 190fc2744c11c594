"""The command palette (ctrl+p) offers the same actions as the keys."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider


class FloorwatchCommands(Provider):
    """Every app binding with a description, run through the same action."""

    def _commands(self) -> list[tuple[str, str, str]]:
        app = self.app
        return [
            (b.description, b.tooltip or b.description, b.action) for b in app.palette_bindings()
        ]

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(f"{title} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._runner(action), help=help_text)

    def _runner(self, action: str):
        async def run() -> None:
            await self.app.run_action(action)

        return run

"""Dialogue stories: scripted conversations played against the real service in-process
(format in `bot.stories.model`, player in `bot.stories.player`)."""

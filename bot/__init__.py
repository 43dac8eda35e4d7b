"""The WeChat edge of 社区助手: webhook, crypto, parsing, replies, channels, CLI."""

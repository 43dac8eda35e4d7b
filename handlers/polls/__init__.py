"""Polls (民调) in chat: answering a poll's questions one at a time, and stopping."""

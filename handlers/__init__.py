"""One module per resident intent and staff action. No HTTP, no XML."""

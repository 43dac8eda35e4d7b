"""Staff web console and its JSON API."""

"""formgen: consent declarations for recordings in educational practice."""

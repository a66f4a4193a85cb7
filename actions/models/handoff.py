"""Handoffs to human advisors and their messages (live-chat issue)."""

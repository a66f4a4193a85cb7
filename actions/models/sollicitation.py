"""Solicitation drafts (solicitation issue)."""

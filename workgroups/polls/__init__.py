"""Polls: set up, open, vote, close and count; secret ballots; paper ballots."""

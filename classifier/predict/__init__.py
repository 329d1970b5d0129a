"""Batch inference over item files: resumable, length-sorted, with progress."""

"""Stance models: input encoding, training, saving and loading."""

"""stance: measure how news outlets frame actors, sentence by sentence."""

__version__ = "0.1.0"

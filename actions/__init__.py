"""Custom actions of the Claud.IA assistant, one module per skill, plus plain helpers."""

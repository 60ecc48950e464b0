"""Readers of outside formats. Each turns a file into model types or raises an InputError."""

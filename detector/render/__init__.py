"""Renderers: turn result dataclasses into terminal, diff, HTML, JSON, Markdown or CSV.

Renderers never compute results; they only lay out what the library found.
"""

"""Consent online, beside paper.

``answers``: an online answer from its start to its confirmation by an e-mailed code;
``webform``: the declaration as a web form, from the paper's own template.
"""

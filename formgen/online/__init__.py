"""Consent online, beside paper.

``answers``: an online answer from its start to its confirmation by an e-mailed code
(the links, the answers waiting for their code, the proof); ``page``: the declaration a
link shows; ``answering``: the start and confirm flow around ``answers`` (the page, the
code by e-mail, the organisation's day); ``receipts``: what a confirmed answer sends
(the receipt, the other parent's link, the student's e-mail); ``invitations``: the
invitation and the reminder by e-mail, and the addresses they go to; ``webform``: the
declaration as a web form, from the paper's own template.
"""

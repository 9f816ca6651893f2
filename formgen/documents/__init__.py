"""The documents formgen prints and hands out.

``declarations``: a recording's declarations and the supervisor's request letter;
``render``: templates to print-ready PDF and the layout a reader needs; ``formid``: form
IDs and the QR payload; ``export``: the consent record as JSON; ``audit``: the privacy
officer's CSV.
"""
